import Foundation
import GongkaiCore
import GongkaiServer
import GongkaiService
import GongkaiStore
import GongkaiTestSupport
import NIOHTTP1
import Testing

/// Issue 12 §3 over HTTP: consultations, their feedback and responses go in
/// through `POST /v1/items` and come back in the documented shapes.
@Suite("HTTP API: consultations, feedback and responses")
struct NewKindsAPITests {
    static func json(_ item: DisclosureItem, patch: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(item)) as? [String: Any])
        patch(&object)
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func eachNewKindIsSubmittedAndReadBackAsDocumented() async throws {
        let api = try await APIHarness(calendar: try WorkCalendar.standard())
        let (submitter, _) = try await api.tokens.create(name: "cms", role: .submit, actor: "test")
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "test")
        let items = [
            SampleDisclosures.consultation, SampleDisclosures.feedback, SampleDisclosures.response,
            SampleDisclosures.urgentResponse,
        ]
        let created = try await api.call(
            .POST, "/v1/items", token: submitter, json: "[" + (try items.map { try Self.json($0) }).joined(separator: ",") + "]")
        let notBoolean = try await api.call(
            .POST, "/v1/items", token: submitter,
            json: try Self.json(SampleDisclosures.response) { $0["id"] = "r-2"; $0["urgent"] = "yes" })
        let tooShort = try await api.call(
            .POST, "/v1/items", token: submitter,
            json: try Self.json(SampleDisclosures.consultation) { $0["id"] = "c-2"; $0["commentsUntil"] = "2026-09-20" })
        let noRaisedOn = try await api.call(
            .POST, "/v1/items", token: submitter,
            json: try Self.json(SampleDisclosures.response) { $0["id"] = "r-3"; $0.removeValue(forKey: "raisedOn") })
        var reads: [APIHarness.Reply] = []
        for item in items { reads.append(try await api.call(.GET, "/v1/items/\(item.id)", token: reader)) }
        let stored = try await api.store.items(after: nil, limit: 10)
        await api.stop()

        #expect(created.status == 201)
        let outcomes = try #require(created.json as? [[String: Any]])
        #expect(outcomes.map { $0["change"] as? String } == Array(repeating: "created", count: items.count))
        for (reply, field) in [(notBoolean, "urgent"), (tooShort, "commentsUntil"), (noRaisedOn, "raisedOn")] {
            #expect(reply.status == 422, "\(field)")
            #expect(reply.object["field"] as? String == field, "\(String(decoding: reply.body, as: UTF8.self))")
        }
        #expect(Set(stored.map(\.id)) == Set(items.map(\.id)))

        let checker = try JSONSchemaChecker(openAPI: try OpenAPIDocument.text())
        for (item, read) in zip(items, reads) {
            #expect(read.status == 200)
            let text = String(decoding: read.body, as: UTF8.self)
            #expect(checker.errors(text, against: "ItemStatus").isEmpty, "\(checker.errors(text, against: "ItemStatus"))")
            #expect((read.object["item"] as? [String: Any])?["kind"] as? String == item.kind.rawValue)
        }
        // The response's own deadline: 3 working days after raisedOn (Mon 11-16 → Thu 11-19);
        // the urgent one the same day.
        #expect(stored.first { $0.id == SampleDisclosures.response.id }?.dueOn == "2026-11-19")
        #expect(stored.first { $0.id == SampleDisclosures.urgentResponse.id }?.dueOn == "2026-08-10")
    }
}
