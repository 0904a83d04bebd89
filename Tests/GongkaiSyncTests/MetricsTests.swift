import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiMonitoring
import GongkaiService
import GongkaiSimulators
import GongkaiStore
import GongkaiSync
import Logging
import Testing

/// What `/metrics` shows after the engine delivered over real HTTP: the
/// engine's counters, the store's gauges, the deadlines, the last
/// reconciliation, and nothing secret.
@Suite("Metrics")
struct MetricsTests {
    struct FixedClock: WallClock {
        var millis: Int64
        func now() -> Int64 { millis }
    }

    static let calendar: WorkCalendar = try! WorkCalendar.standard()

    static let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The value of the sample `name{labels}` in a scrape, labels in the order the instrument was made with.
    static func sample(_ text: String, _ name: String, _ labels: KeyValuePairs<String, String> = [:]) -> Double? {
        let series = labels.isEmpty ? name : name + "{" + labels.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    static func notice(_ id: String, formedOn: String? = nil, pending: Bool = false) -> DisclosureItem {
        var item = SampleDisclosures.notice
        item.id = id
        if let formedOn {
            item.writtenOn = formedOn
            item.formedOn = formedOn
            item.publishOn = formedOn
        }
        if pending { item.review = .pending }
        return item
    }

    @Test func aScrapeShowsWhatTheEngineDidAndWhatTheOutboxHolds() async throws {
        let metrics = GongkaiMetrics()
        let harness = try await EngineHarness(
            faults: WebhookFaults(permanentItemIDs: ["m-bad"], script: [.serverError(status: 503)]),
            metrics: metrics.factory)
        // Checked on 2026-12-30: one notice is due that day (at risk), the rest long before.
        let today = CalendarDate("2026-12-30")!
        let formed = try #require(
            (0..<60).map { CalendarDate(dayNumber: today.dayNumber - $0) }
                .first { (try? Self.calendar.addWorkdays(20, to: $0)) == today })
        var penalty = SampleDisclosures.penaltyOnNaturalPerson
        penalty.review = .pending
        // A console with the calendar, so that each item gets its due day.
        let console = OutboxConsole(
            store: harness.store, channels: [harness.definition], actor: "tester", calendar: Self.calendar)
        _ = try await console.submit([
            Self.notice("m1"), Self.notice("m2"), Self.notice("m-bad"), penalty,
            Self.notice("m-risk", formedOn: formed.description, pending: true),
        ])
        harness.engine.nudge()
        #expect(try await harness.waitUntilSettled())

        let gauges = OutboxGauges(
            store: harness.store, channelIDs: ["hub"], calendar: Self.calendar, policy: .standard,
            lastReportPath: nil, factory: metrics.factory, clock: FixedClock(millis: Int64(today.dayNumber) * 86_400_000 + 4 * 3_600_000),
            logger: Self.silent)
        try await gauges.refresh()
        var text = metrics.render()

        // The engine: two delivered, one 503 retried, one refused for good; four requests timed.
        #expect(Self.sample(text, "gongkai_deliveries_total", ["channel": "hub", "outcome": "delivered"]) == 2)
        #expect(Self.sample(text, "gongkai_deliveries_total", ["channel": "hub", "outcome": "retryable"]) == 1)
        #expect(Self.sample(text, "gongkai_deliveries_total", ["channel": "hub", "outcome": "permanent"]) == 1)
        #expect(Self.sample(text, "gongkai_deliveries_total", ["channel": "hub", "outcome": "deferred"]) == 0)
        #expect(Self.sample(text, "gongkai_attempt_duration_seconds_count", ["channel": "hub"]) == 4)
        #expect(Self.sample(text, "gongkai_circuit_breaker_state", ["channel": "hub"]) == 0)
        #expect(text.contains("# TYPE gongkai_attempt_duration_seconds histogram"))
        #expect(text.contains("# HELP gongkai_deliveries_total "))

        // The store: counts by state, nothing due, not paused.
        #expect(Self.sample(text, "gongkai_deliveries", ["channel": "hub", "state": "delivered"]) == 2)
        #expect(Self.sample(text, "gongkai_deliveries", ["channel": "hub", "state": "dead"]) == 1)
        #expect(Self.sample(text, "gongkai_deliveries", ["channel": "hub", "state": "blocked"]) == 2)
        #expect(Self.sample(text, "gongkai_deliveries", ["channel": "hub", "state": "pending"]) == 0)
        #expect(Self.sample(text, "gongkai_oldest_due_delivery_age_seconds", ["channel": "hub"]) == 0)
        #expect(Self.sample(text, "gongkai_channel_paused", ["channel": "hub"]) == 0)

        // Deadlines: the dead notice is late, the held penalty is late, the held new notice is due today.
        #expect(Self.sample(text, "gongkai_deadline_items", ["rule": "general", "status": "late"]) == 1)
        #expect(Self.sample(text, "gongkai_deadline_items", ["rule": "general", "status": "at_risk"]) == 1)
        #expect(Self.sample(text, "gongkai_deadline_items", ["rule": "penalty_licence", "status": "late"]) == 1)
        #expect(Self.sample(text, "gongkai_deadline_items", ["rule": "withdrawal", "status": "late"]) == 0)

        // A pause and a due delivery show on the next quick refresh (the engine stopped, so nothing sends it).
        try await harness.shutdown()
        try await console.setPaused("hub", paused: true, reason: "maintenance")
        _ = try await console.resend(itemID: "m-bad", channelID: "hub", force: false)
        let later = OutboxGauges(
            store: harness.store, channelIDs: ["hub"], calendar: nil, policy: .standard, lastReportPath: nil,
            factory: metrics.factory, clock: FixedClock(millis: SystemWallClock().now() + 90_000), logger: Self.silent)
        try await later.refreshQueues()
        text = metrics.render()
        #expect(Self.sample(text, "gongkai_channel_paused", ["channel": "hub"]) == 1)
        let age = try #require(Self.sample(text, "gongkai_oldest_due_delivery_age_seconds", ["channel": "hub"]))
        #expect(age >= 89 && age <= 120)

        // Channel secrets never appear: only ids are labels.
        #expect(!text.contains(harness.secretText))
    }

    @Test func theKeptReconciliationReportBecomesGauges() async throws {
        let metrics = GongkaiMetrics()
        let store = try SQLiteOutboxStore.inMemory()
        let report = ReconcileReport(
            startedAt: 1_766_000_000_000, finishedAt: 1_766_000_042_000,
            channels: [
                ReconcileReport.ChannelSummary(
                    channelID: "portal", kind: "portal", method: "listing", counts: ["=": 7, "+": 2, "*": 1]),
                ReconcileReport.ChannelSummary(channelID: "hub", kind: "webhook", method: "receipts", counts: ["!": 9]),
            ], rows: [], repaired: false)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-metrics-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try ReconcileRun.save(report, to: file.path)
        let gauges = OutboxGauges(
            store: store, channelIDs: [], calendar: nil, policy: .standard, lastReportPath: file.path,
            factory: metrics.factory, logger: Self.silent)
        try await gauges.refreshCounts()
        let text = metrics.render()
        #expect(Self.sample(text, "gongkai_reconcile_rows", ["channel": "portal", "class": "in_sync"]) == 7)
        #expect(Self.sample(text, "gongkai_reconcile_rows", ["channel": "portal", "class": "missing"]) == 2)
        #expect(Self.sample(text, "gongkai_reconcile_rows", ["channel": "portal", "class": "differs"]) == 1)
        #expect(Self.sample(text, "gongkai_reconcile_rows", ["channel": "portal", "class": "extra"]) == 0)
        #expect(Self.sample(text, "gongkai_reconcile_rows", ["channel": "hub", "class": "unchecked"]) == 9)
        #expect(Self.sample(text, "gongkai_reconcile_finished_timestamp_seconds") == 1_766_000_042)
    }

    /// Every metric a scrape can show is in the README's table.
    @Test func theReadmeDocumentsEveryMetric() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for entry in MetricCatalogue.entries {
            #expect(readme.contains("`\(entry.name)`"), "\(entry.name) is not in the README's metrics table")
        }
    }
}
