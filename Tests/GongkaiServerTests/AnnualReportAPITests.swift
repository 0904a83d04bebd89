import Foundation
import GongkaiCore
import GongkaiServer
import GongkaiService
import GongkaiStore
import GongkaiTestSupport
import NIOHTTP1
import Testing

/// Issue 12 §4 over HTTP: `GET /v1/reports/annual/gov` answers the national
/// template's part 二 in its documented shape, for readers only.
@Suite("HTTP API: the annual report in the national format")
struct AnnualReportAPITests {
    @Test func partTwoInItsDocumentedShape() async throws {
        let api = try await APIHarness()
        let (submitter, _) = try await api.tokens.create(name: "cms", role: .submit, actor: "test")
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "test")
        let created = try await api.call(.POST, "/v1/items", token: submitter, json: try APITests.itemJSON(SampleDisclosures.licence))
        let report = try await api.call(.GET, "/v1/reports/annual/gov?year=2026", token: reader)
        let noYear = try await api.call(.GET, "/v1/reports/annual/gov", token: reader)
        let anonymous = try await api.call(.GET, "/v1/reports/annual/gov?year=2026")
        await api.stop()

        #expect(created.status == 201)
        #expect(report.status == 200)
        let text = String(decoding: report.body, as: UTF8.self)
        let checker = try JSONSchemaChecker(openAPI: try OpenAPIDocument.text())
        #expect(checker.errors(text, against: "GovAnnualReport").isEmpty, "\(checker.errors(text, against: "GovAnnualReport"))")
        // The sample licence was decided on 2026-09-15.
        #expect(report.object["licenceDecisions"] as? Int == 1)
        #expect(report.object["year"] as? Int == 2026)
        #expect(noYear.status == 422 && noYear.object["field"] as? String == "year")
        #expect(anonymous.status == 401)
    }
}
