public import CoreMetrics
import Foundation
import GongkaiAudit
public import GongkaiCore
public import GongkaiStore
public import Logging
public import ServiceLifecycle
import Synchronization

/// The gauges that come from the store, kept fresh in the background so that
/// a scrape only reads memory (``GongkaiMetrics/render()``).
///
/// Two parts, because their costs differ by orders of magnitude at scale:
///
/// - **queues** (every ``Schedule/queues``): each channel's oldest due
///   delivery, from the partial `delivery_due` index (the size of the queue,
///   not of the outbox), and the pauses (one row per channel).
/// - **counts** (every ``Schedule/counts``): deliveries by channel and state,
///   items late or at risk, the kept reconciliation report. The first two scan
///   the delivery table, which has no index on `state` on purpose (it would be
///   rewritten on every claim and acknowledgement). With 1,000,000 rows one
///   such refresh took ~0.3–0.5 s of CPU on SQLite here (README, Monitoring),
///   so the counts wait at least ``Schedule/countsCostFactor`` times as long as
///   their last refresh took, which keeps the scans under 1/20 of one core
///   however large the outbox grows.
public final class OutboxGauges: Service, Sendable {
    public static let deliveries = "gongkai_deliveries"
    public static let oldestDueAge = "gongkai_oldest_due_delivery_age_seconds"
    public static let paused = "gongkai_channel_paused"
    public static let deadlineItems = "gongkai_deadline_items"
    public static let refreshDuration = "gongkai_store_refresh_duration_seconds"

    /// How often each part is read, in milliseconds.
    public struct Schedule: Sendable, Equatable {
        public var queues: Int64 = 5_000
        public var counts: Int64 = 30_000
        public var countsCostFactor: Int64 = 20
        public init() {}
    }

    let store: any OutboxStore
    let channelIDs: [String]
    let calendar: WorkCalendar?
    let policy: DeadlinePolicy
    let lastReportPath: String?
    let factory: any MetricsFactory
    let clock: any WallClock
    let logger: Logger
    let schedule: Schedule
    /// The modification time of the report file last read, so an unchanged report is not decoded again.
    private let reportSeen = Mutex<Date?>(nil)

    /// - Parameters:
    ///   - channelIDs: the configured channels; each gets every gauge, zero when it has nothing.
    ///   - calendar: the working-day calendar; without one no deadline can be late or at risk.
    ///   - lastReportPath: the file reconciliation keeps its last report in (``GongkaiSettings/lastReportPath``).
    public init(
        store: any OutboxStore, channelIDs: [String], calendar: WorkCalendar?, policy: DeadlinePolicy,
        lastReportPath: String?, factory: any MetricsFactory = MetricsSystem.factory,
        clock: any WallClock = SystemWallClock(), logger: Logger, schedule: Schedule = Schedule()
    ) {
        self.store = store
        self.channelIDs = channelIDs
        self.calendar = calendar
        self.policy = policy
        self.lastReportPath = lastReportPath
        self.factory = factory
        self.clock = clock
        self.logger = logger
        self.schedule = schedule
    }

    public func run() async throws {
        var countsDue: Int64 = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await refreshQueues()
            } catch {
                logger.debug("could not refresh the queue gauges", metadata: ["error": "\(error)"])
            }
            if clock.now() >= countsDue {
                let took: Int64
                do {
                    took = try await refreshCounts()
                } catch {
                    took = 0
                    logger.warning("could not refresh the outbox's count gauges", metadata: ["error": "\(error)"])
                }
                countsDue = clock.now() + max(schedule.counts, took * schedule.countsCostFactor)
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(self.schedule.queues)) }
            } catch {
                return
            }
        }
    }

    /// Both parts now, as ``run()`` does on its first pass.
    public func refresh() async throws {
        try await refreshQueues()
        try await refreshCounts()
    }

    /// The oldest due delivery per channel and the pauses; returns the milliseconds it took.
    @discardableResult
    public func refreshQueues() async throws -> Int64 {
        let started = ContinuousClock.now
        let now = clock.now()
        let pauses = try await store.channelPauses()
        for channel in channelIDs {
            let due = try await store.nextDue(channelID: channel)
            gauge(Self.oldestDueAge, ("channel", channel)).record(Double(max(0, now - (due ?? now))) / 1000)
            let isPaused = pauses.contains { $0.channelID == channel && $0.paused }
            gauge(Self.paused, ("channel", channel)).record(isPaused ? 1 : 0)
        }
        return took(since: started, part: "queues")
    }

    /// State counts, deadline items and the kept reconciliation report; returns the milliseconds it took.
    @discardableResult
    public func refreshCounts() async throws -> Int64 {
        let started = ContinuousClock.now
        let counts = try await store.stateCounts()
        for channel in Set(channelIDs).union(counts.keys) {
            for state in DeliveryState.allCases {
                gauge(Self.deliveries, ("channel", channel), ("state", state.rawValue)).record(counts[channel]?[state] ?? 0)
            }
        }
        var tally = try await store.reduceUnfinishedDeliveries(
            into: DeadlineTally(calendar: calendar, policy: policy, now: clock.now())
        ) { tally, delivery, item in tally.add(delivery, item: item) }
        try await tally.settleInterpretations(store: store)
        for (rule, row) in tally.counts {
            for (status, count) in row {
                gauge(Self.deadlineItems, ("rule", rule.rawValue), ("status", status.rawValue)).record(count)
            }
        }
        readKeptReport()
        return took(since: started, part: "counts")
    }

    /// Picks up a report another process wrote (`gongkai reconcile`), or the one kept before a restart.
    private func readKeptReport() {
        guard let path = lastReportPath,
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
            reportSeen.withLock({ $0 }) != modified
        else { return }
        reportSeen.withLock { $0 = modified }
        // Only the summaries: the rows are what `reconcile --last` prints.
        struct Summaries: Decodable {
            /// RFC 3339, or Unix milliseconds in a report an earlier version kept.
            var finishedAt: JSONTime
            var channels: [ReconcileReport.ChannelSummary]
        }
        guard let data = FileManager.default.contents(atPath: path),
            let report = try? JSONDecoder().decode(Summaries.self, from: data)
        else {
            logger.warning("the kept reconciliation report is unreadable", metadata: ["file": "\(path)"])
            return
        }
        ReconcileMetrics.record(finishedAt: report.finishedAt.millis, channels: report.channels, factory: factory)
    }

    private func gauge(_ label: String, _ dimensions: (String, String)...) -> Gauge {
        Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    private func took(since started: ContinuousClock.Instant, part: String) -> Int64 {
        let elapsed = ContinuousClock.now - started
        gauge(Self.refreshDuration, ("part", part)).record(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
