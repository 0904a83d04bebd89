import Foundation
import GongkaiCore
import GongkaiStore
import Testing

/// The operator CLI, run as the built binary.
@Suite("gongkai CLI")
struct CLITests {
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

    static func json(_ item: DisclosureItem) -> String {
        String(decoding: try! JSONEncoder().encode(item), as: UTF8.self)
    }

    func storedItems() async throws -> Int {
        let store = try SQLiteOutboxStore(path: directory.appendingPathComponent("gongkai.sqlite").path)
        return try await store.deliveries(DeliveryFilter()).count
    }

    @Test func anInvalidItemIsRejectedNamingTheFieldAndStoresNothing() async throws {
        var item = SampleDisclosures.penaltyOnNaturalPerson
        item.subject?.idNumber = "11010519491231002"  + "9"  // wrong check digit
        let result = try await cli.run(["submit", "-"], stdin: Self.json(item))
        #expect(result.status == 1)
        #expect(result.stderr.contains("subject.idNumber"))
        #expect(try await storedItems() == 0)

        let json = try await cli.run(["submit", "--json", "-"], stdin: Self.json(item))
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"field\" : \"subject.idNumber\""))
    }

    @Test func malformedAndUnknownInputIsRejected() async throws {
        let malformed = try await cli.run(["submit", "-"], stdin: "{\"id\": ")
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("malformed-json"))
        var text = Self.json(SampleDisclosures.notice)
        text = text.replacingOccurrences(of: "\"topic\"", with: "\"topik\"")
        let unknown = try await cli.run(["submit", "-"], stdin: text)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("topik"))
        let channel = try await cli.run(["status", "--channel", "nowhere"])
        #expect(channel.status == 1)
        #expect(channel.stderr.contains("unknown-channel"))
        let item = try await cli.run(["attempts", "no-such-item"])
        #expect(item.status == 1)
        #expect(item.stderr.contains("unknown-item"))
        #expect(try await storedItems() == 0)
    }

    @Test func benchRunsOnlyTheChosenPhasesAndPrintsTheirCPUCost() async throws {
        let result = try await cli.run([
            "bench", "--phase", "bookkeeping", "--phase", "bare", "--items", "40", "--channels", "1",
            "--concurrency", "4",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("bookkeeping"))
        #expect(result.stdout.contains("bare HTTP"))
        #expect(result.stdout.contains("µs/request"))
        // Phases not asked for do not run.
        #expect(!result.stdout.contains("end to end"))
        #expect(!result.stdout.contains("latency"))
        #expect(!result.stdout.contains("reconcile"))
        let unknown = try await cli.run(["bench", "--phase", "everything"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--phase"))
    }

    @Test func dryRunValidatesAndStoresNothing() async throws {
        let result = try await cli.run(["submit", "--dry-run", "-"], stdin: Self.json(SampleDisclosures.notice))
        #expect(result.status == 0)
        #expect(result.stdout.contains("nothing stored"))
        #expect(try await storedItems() == 0)
    }

    @Test func operatorCommandsWorkAndAreAudited() async throws {
        var pending = SampleDisclosures.notice
        pending.review = .pending
        let lines = [Self.json(SampleDisclosures.policy), Self.json(pending)].joined(separator: "\n")
        let submit = try await cli.run(["submit", "-"], stdin: lines)
        #expect(submit.status == 0)
        #expect(submit.stdout.contains("created"))

        let status = try await cli.run(["status", pending.id, "--json"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("\"state\" : \"blocked\""))
        #expect(try await cli.run(["approve", pending.id]).status == 0)
        let approved = try await cli.run(["status", pending.id, "--json"])
        #expect(approved.stdout.contains("\"state\" : \"pending\""))

        let withdraw = try await cli.run(["withdraw", SampleDisclosures.policy.id, "--reason", "文件已废止"])
        #expect(withdraw.status == 0)
        let noReason = try await cli.run(["withdraw", SampleDisclosures.policy.id])
        #expect(noReason.status == 64)

        #expect(try await cli.run(["channels", "pause", "hub", "--reason", "平台维护"]).status == 0)
        let channels = try await cli.run(["channels", "list", "--json"])
        #expect(channels.stdout.contains("\"paused\" : true"))
        #expect(channels.stdout.contains("environment variable TEST_HUB_SECRET"))
        #expect(!channels.stdout.contains("whsec_"))
        #expect(try await cli.run(["channels", "resume", "hub"]).status == 0)

        let counts = try await cli.run(["status", "--json"])
        #expect(counts.status == 0)
        #expect(counts.stdout.contains("\"hub\""))
        let audit = try await cli.run(["audit", "--json"])
        for action in ["submit", "approve", "withdraw", "pause", "resume"] {
            #expect(audit.stdout.contains("\"action\" : \"\(action)\""))
        }
        #expect(audit.stdout.contains("cli-tester"))
    }

    @Test func badConfigurationExitsWithStatus2() async throws {
        try "database: x.sqlite\ndaemon:\n  polInterval: 5s\n".write(
            to: directory.appendingPathComponent("gongkai.yaml"), atomically: true, encoding: .utf8)
        let result = try await cli.run(["status"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("daemon.polInterval"))
        let missingSecret = CLIProcess(directory: directory, environment: [:])
        try FileManager.default.removeItem(at: directory.appendingPathComponent("gongkai.yaml"))
        let daemon = try await missingSecret.run(["daemon"])
        #expect(daemon.status == 2)
        #expect(daemon.stderr.contains("TEST_HUB_SECRET"))
    }
}

/// The calendar travels with the binary: every test here runs it in a fresh
/// temporary directory, outside the repository, with no calendar configured.
@Suite("gongkai calendar")
struct CalendarCLITests {
    let directory: URL
    let cli: CLIProcess

    init() throws {
        directory = try CLIProcess.temporaryDirectory()
        cli = CLIProcess(directory: directory)
    }

    @Test func answersFromTheEmbeddedCalendarOutsideTheRepository() async throws {
        let national = try await cli.run(["calendar", "is-workday", "2026-10-01", "--json"])
        #expect(national.status == 0, "\(national.stderr)")
        #expect(national.stdout.contains("\"workday\" : false"))
        // 2026-10-10 is a Saturday the 国庆节 arrangement makes a working day (调休).
        let makeup = try await cli.run(["calendar", "is-workday", "2026-10-10", "--json"])
        #expect(makeup.stdout.contains("\"workday\" : true"))
        let saturday = try await cli.run(["calendar", "is-workday", "2024-10-12"])
        #expect(saturday.stdout.contains("is a working day"))
        let eve = try await cli.run(["calendar", "is-workday", "2025-01-28"])
        #expect(eve.stdout.contains("is not a working day"))
        // 7 working days after 2025-09-26 (Fri): 9-28 (makeup Sun) 9-29 9-30, then 10-1..10-8 off, 10-9 10-10 10-11 (makeup Sat) 10-13.
        let added = try await cli.run(["calendar", "add-workdays", "2025-09-26", "7"])
        #expect(added.status == 0)
        #expect(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2025-10-13")
        let missing = try await cli.run(["calendar", "is-workday", "2031-05-06"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("2031.yaml"))
        let bad = try await cli.run(["calendar", "is-workday", "2025-02-30"])
        #expect(bad.status == 1)
    }

    @Test func statusCountsDeadlinesOutsideTheRepository() async throws {
        let penalty = SampleDisclosures.penaltyOnNaturalPerson
        let item = String(decoding: try JSONEncoder().encode(penalty), as: UTF8.self)
        #expect(try await cli.run(["submit", "-"], stdin: item).status == 0)
        // Decided on 2026-10-20 (Tue): 7 working days end on Thursday 2026-10-29.
        let status = try await cli.run(["status", penalty.id])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("due       2026-10-29"))
        #expect(!status.stdout.contains("no working-day calendar"))
    }

    @Test func aConfiguredDirectoryReplacesOneYearAndLeavesTheOthersEmbedded() async throws {
        let calendar = directory.appendingPathComponent("calendar")
        try FileManager.default.createDirectory(at: calendar, withIntermediateDirectories: true)
        // A "corrected" 2026 without 国庆节: replaced whole, 10-01 becomes an ordinary Thursday.
        try "year: 2026\nholidays:\n  - 2026-10-08\nworkdays: []\n".write(
            to: calendar.appendingPathComponent("2026.yaml"), atomically: true, encoding: .utf8)
        let configured = CLIProcess(directory: directory, environment: ["GONGKAI_CALENDAR": calendar.path])
        #expect(try await configured.run(["calendar", "is-workday", "2026-10-01"]).stdout.contains("is a working day"))
        #expect(try await configured.run(["calendar", "is-workday", "2026-10-08"]).stdout.contains("is not a working day"))
        #expect(try await configured.run(["calendar", "is-workday", "2025-10-01"]).stdout.contains("is not a working day"))
        let option = try await cli.run(["calendar", "is-workday", "2026-10-10", "--calendar", calendar.path])
        #expect(option.stdout.contains("is not a working day"))  // the embedded makeup Saturday is gone
        let missing = try await configured.run(["calendar", "is-workday", "2027-03-01"])
        #expect(missing.stderr.contains("\(calendar.path)/2027.yaml"))
    }
}
