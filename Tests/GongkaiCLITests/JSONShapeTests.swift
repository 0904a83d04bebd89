import Foundation
import GongkaiCore
import GongkaiServer
import GongkaiStore
import GongkaiTestSupport
import Testing

/// Every `--json` of the CLI is one of the shapes openapi.yaml documents for the API
/// (issue 10 §6): the output of each command is checked against its component schema.
@Suite("gongkai --json matches the API's schemas")
struct JSONShapeTests {
    let directory: URL
    let cli: CLIProcess
    let checker: JSONSchemaChecker

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
        checker = try JSONSchemaChecker(openAPI: try OpenAPIDocument.text())
    }

    static func json(_ item: DisclosureItem) -> String {
        String(decoding: try! JSONEncoder().encode(item), as: UTF8.self)
    }

    /// Runs `arguments`, expects `status`, and checks standard output against the schema (or an array of it).
    @discardableResult
    func check(
        _ arguments: [String], _ schema: String, array: Bool = false, status: Int32 = 0, stdin: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let result = try await cli.run(arguments, stdin: stdin)
        #expect(result.status == status, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        let errors = array ? checker.errors(result.stdout, againstArrayOf: schema) : checker.errors(result.stdout, against: schema)
        #expect(errors.isEmpty, "\(arguments) does not match \(schema): \(errors)\n\(result.stdout)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// One failed attempt on the hub channel, recorded through the store as a daemon would,
    /// so that attempts, retry times and last errors are in the output too.
    func recordFailedAttempt() async throws {
        let store = try SQLiteOutboxStore(path: directory.appendingPathComponent("gongkai.sqlite").path)
        let now = SystemWallClock().now()
        let claimed = try await store.claim(
            channelID: "hub", audience: .public, owner: "shape-test", limit: 1, leaseMillis: 60_000, now: now)
        let delivery = try #require(claimed.first)
        try await store.complete(
            [
                SendOutcome(
                    deliveryID: delivery.record.id, itemID: delivery.record.itemID, channelID: "hub",
                    operation: delivery.operation, version: delivery.version,
                    result: .failed(SendFailure(permanent: false, message: "HTTP 503")), httpStatus: 503,
                    startedAt: now, durationMillis: 12, trigger: delivery.trigger, schedule: .standard, randomUnit: 0.5,
                    canWithdraw: true)
            ], owner: "shape-test", now: now)
    }

    @Test func everyCommandPrintsItsDocumentedShape() async throws {
        var pending = SampleDisclosures.notice
        pending.review = .pending
        let items = [Self.json(SampleDisclosures.policy), Self.json(pending), Self.json(SampleDisclosures.penaltyOnNaturalPerson)]
        try await check(["submit", "--json", "-"], "SubmitOutcome", array: true, stdin: items.joined(separator: "\n"))
        var invalid = SampleDisclosures.notice
        invalid.id = ""
        try await check(["submit", "--json", "-"], "CLIError", status: 1, stdin: Self.json(invalid))
        try await recordFailedAttempt()

        let policy = SampleDisclosures.policy.id
        let itemStatus = try await check(["status", policy, "--json"], "ItemStatus")
        #expect(itemStatus.contains("\"deadline\""))
        #expect(itemStatus.contains("+08:00\""))
        try await check(["status", "--json"], "StateCounts")
        try await check(["status", "--state", "pending", "--state", "retrying", "--json"], "Delivery", array: true)
        let attempts = try await check(["attempts", SampleDisclosures.penaltyOnNaturalPerson.id, "--json"], "Attempt", array: true)
        let attemptsAnyItem = try await check(["attempts", policy, "--json"], "Attempt", array: true)
        #expect(attempts.contains("\"outcome\" : \"retryable\"") || attemptsAnyItem.contains("\"outcome\" : \"retryable\""))
        try await check(["approve", pending.id, "--json"], "Delivery", array: true)
        try await check(["resend", policy, "--json"], "Delivery", array: true)
        try await check(["recover", "--channel", "hub", "--state", "retrying", "--json"], "Recovered")
        try await check(["withdraw", policy, "--reason", "文件已废止", "--json"], "Delivery", array: true)
        try await check(["channels", "list", "--json"], "Channel", array: true)
        try await check(["channels", "test", "hub", "--json"], "ChannelCheck", array: true, status: 2)
        try await check(["audit", "--json"], "AuditEntry", array: true)
        try await check(["calendar", "is-workday", "2026-10-01", "--json"], "Workday")
        try await check(["calendar", "add-workdays", "2026-09-30", "3", "--json"], "AddedWorkdays")
        try await check(["token", "create", "--name", "oa-system", "--role", "submit", "--json"], "TokenCreated")
        try await check(["token", "list", "--json"], "Token", array: true)
        try await check(["migrate", "--json"], "Migration")
        try await check(["report", "annual", "--year", "\(CalendarDate.today().year)", "--format", "json"], "AnnualReport")
        try await check(["report", "annual", "--year", "2026", "--format", "gov-json"], "GovAnnualReport")
        // The webhook cannot list, so the run compares receipts; a pending row is a difference (exit 1).
        let report = try await cli.run(["reconcile", "--format", "json"])
        #expect([0, 1].contains(report.status), "\(report.stderr)")
        #expect(checker.errors(report.stdout, against: "ReconcileReport").isEmpty, "\(checker.errors(report.stdout, against: "ReconcileReport"))")
        let last = try await cli.run(["reconcile", "--last", "--format", "json"])
        #expect(last.status == report.status)
        #expect(checker.errors(last.stdout, against: "ReconcileReport").isEmpty, "\(checker.errors(last.stdout, against: "ReconcileReport"))")
    }

    @Test(.enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
    func storeCopyPrintsItsDocumentedShape() async throws {
        try await check(["submit", "--json", "-"], "SubmitOutcome", array: true, stdin: Self.json(SampleDisclosures.notice))
        let cluster = try await PostgresTestCluster.shared()
        let target = try await cluster.makeDatabase() + "?sslmode=disable"
        let copier = CLIProcess(
            directory: directory,
            environment: cli.environment.merging(["GONGKAI_DATABASE_PASSWORD": cluster.password]) { $1 })
        let result = try await copier.run(["store", "copy", "--from", "gongkai.sqlite", "--to", target, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let errors = checker.errors(result.stdout, against: "StoreCopy")
        #expect(errors.isEmpty, "\(errors)\n\(result.stdout)")
        #expect(result.stdout.contains("\"verified\" : true"))
    }

    @Test func theCheckerRejectsWhatTheSchemasForbid() throws {
        // The shape issue 10 §6 found: a boolean as a string.
        #expect(!checker.errors(#"{"date": "2026-10-01", "workday": "true"}"#, against: "Workday").isEmpty)
        #expect(checker.errors(#"{"date": "2026-10-01", "workday": true}"#, against: "Workday").isEmpty)
        // Swift's synthesized enum encoding, and a time in Unix milliseconds.
        #expect(!checker.errors(#"{"dueOn": "2026-10-09", "onTime": {}}"#, against: "Deadline").isEmpty)
        #expect(!checker.errors(#"{"id": 1, "at": 1763622245123, "actor": "a", "action": "b"}"#, against: "AuditEntry").isEmpty)
        #expect(!checker.errors(#"{"id": 1, "at": "2026-11-20 15:04", "actor": "a", "action": "b"}"#, against: "AuditEntry").isEmpty)
        #expect(checker.errors(#"{"id": 1, "at": "2026-11-20T15:04:05.123+08:00", "actor": "a", "action": "b"}"#, against: "AuditEntry").isEmpty)
        // An unknown field, a value outside the enumeration, a missing required field, a number as an integer.
        #expect(!checker.errors(#"{"channel": "hub", "requeued": 1, "extra": 2}"#, against: "Recovered").isEmpty)
        #expect(!checker.errors(#"{"channel": "hub", "state": "stopped"}"#, against: "ChannelState").isEmpty)
        #expect(!checker.errors(#"{"channel": "hub"}"#, against: "Recovered").isEmpty)
        #expect(!checker.errors(#"{"channel": "hub", "requeued": 1.5}"#, against: "Recovered").isEmpty)
        #expect(!checker.errors(#"[{"channel": "hub", "requeued": true}]"#, againstArrayOf: "Recovered").isEmpty)
        #expect(!checker.errors("not json", against: "Recovered").isEmpty)
    }
}
