import Foundation
import GongkaiCore
import Testing

/// `reconcile`, `report annual` and `channels test`, run as the built binary
/// against a webhook channel on a port where nothing listens.
@Suite("gongkai CLI: reconcile, report, channels test")
struct ReconcileCLITests {
    let directory: URL
    let cli: CLIProcess

    init() throws {
        directory = try CLIProcess.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("channels"), withIntermediateDirectories: true)
        try """
        id: hub
        kind: webhook
        endpoint: http://127.0.0.1:9/hook
        secret:
          env: TEST_HUB_SECRET
        """.write(to: directory.appendingPathComponent("channels/hub.yaml"), atomically: true, encoding: .utf8)
        cli = CLIProcess(directory: directory, environment: ["TEST_HUB_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
    }

    @Test func reconcileOfUndeliveredItemsFindsThemMissingAndKeepsTheReport() async throws {
        let item = String(decoding: try JSONEncoder().encode(SampleDisclosures.notice), as: UTF8.self)
        #expect(try await cli.run(["submit", "-"], stdin: item).status == 0)

        let table = try await cli.run(["reconcile", "--lang", "en"])
        #expect(table.status == 1)
        #expect(table.stdout.contains("missing on channel"))
        #expect(table.stdout.contains("differences found"))

        let csv = try await cli.run(["reconcile", "--format", "csv"])
        #expect(csv.status == 1)
        #expect(csv.stdoutBytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.stdout.hasPrefix("渠道,事项"))
        #expect(csv.stdout.contains("hub,\(SampleDisclosures.notice.id),+,v1"))

        let last = try await cli.run(["reconcile", "--last", "--format", "json"])
        #expect(last.status == 1)
        #expect(last.stdout.contains("\"status\" : \"missing\""))

        // Reconcile changed nothing: the delivery is still pending.
        let status = try await cli.run(["status", SampleDisclosures.notice.id, "--json"])
        #expect(status.stdout.contains("\"state\" : \"pending\""))
    }

    @Test func channelsTestReportsAnUnreachableEndpointWithoutTheSecret() async throws {
        let result = try await cli.run(["channels", "test", "hub"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("reachability"))
        #expect(result.stdout.contains("FAILED"))
        #expect(!result.stdout.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))

        let missing = CLIProcess(directory: directory, environment: [:])
        let noSecret = try await missing.run(["channels", "test", "hub"])
        #expect(noSecret.status == 2)
        #expect(noSecret.stdout.contains("TEST_HUB_SECRET"))
    }

    @Test func annualReportCountsTheYearsItems() async throws {
        let item = String(decoding: try JSONEncoder().encode(SampleDisclosures.notice), as: UTF8.self)
        #expect(try await cli.run(["submit", "-"], stdin: item).status == 0)
        let year = CalendarDate.today().year
        let csv = try await cli.run(["report", "annual", "--year", "\(year)", "--format", "csv", "--lang", "en"])
        #expect(csv.status == 0)
        #expect(csv.stdoutBytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.stdout.hasPrefix("figure,count"))
        #expect(csv.stdout.contains("items proactively disclosed,1"))
        #expect(csv.stdout.contains("by kind: notice,1"))
        let other = try await cli.run(["report", "annual", "--year", "\(year - 1)", "--format", "json"])
        #expect(other.stdout.contains("\"withdrawals\" : 0"))
    }

    @Test func annualReportInTheNationalFormat() async throws {
        let item = String(decoding: try JSONEncoder().encode(SampleDisclosures.penaltyOnNaturalPerson), as: UTF8.self)
        #expect(try await cli.run(["submit", "-"], stdin: item).status == 0)
        // The sample penalty was decided on 2026-10-20, whenever it is submitted.
        let table = try await cli.run(["report", "annual", "--year", "2026", "--format", "gov"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("二、主动公开政府信息情况"))
        #expect(table.stdout.contains("第二十条第（一）项"))
        let penalties = table.stdout.components(separatedBy: "\n").first { $0.hasPrefix("行政处罚") }
        #expect(penalties?.split(separator: " ").last == "1", "\(table.stdout)")
        #expect(table.stdout.contains("0（gongkai 未记录）"))

        let csv = try await cli.run(["report", "annual", "--year", "2026", "--format", "gov-csv", "--lang", "en"])
        #expect(csv.stdoutBytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.stdout.contains("Article 20 (6),Administrative penalties (行政处罚),Decisions this year,1,\r\n"))

        let file = directory.appendingPathComponent("annual.html")
        let html = try await cli.run(["report", "annual", "--year", "2026", "--format", "gov-html", "--output", file.path])
        #expect(html.status == 0 && html.stdout.isEmpty)
        #expect(try String(contentsOf: file, encoding: .utf8).contains("<th colspan=\"4\" class=\"clause\">第二十条第（六）项</th>"))

        let bad = try await cli.run(["report", "annual", "--year", "2026", "--format", "gov-pdf"])
        #expect(bad.status != 0 && bad.stderr.contains("gov-json"))
    }

    @Test func theShippedSettingsFileIsAcceptedAndADeadlineOptionIsChecked() async throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/gongkai.yaml").path
        let base = ["--config", shipped, "--database", directory.appendingPathComponent("x.sqlite").path,
                    "--channels", directory.appendingPathComponent("channels").path]
        let status = try await cli.run(["status"] + base)
        #expect(status.status == 0, "\(status.stderr)")
        let bad = try await cli.run(["status", "--deadline-penalty", "0"] + base)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("deadlines.penaltyAndLicence"))
    }
}
