import GongkaiSync

/// Every metric gongkai exports, with its labels and meaning: the `# HELP`
/// lines of a scrape, and the list the README's metrics table must cover.
public enum MetricCatalogue {
    /// One metric family.
    public struct Entry: Sendable {
        public var name: String
        public var type: String
        public var labels: [String]
        public var help: String
    }

    public static let entries: [Entry] = [
        Entry(
            name: DeliveryMetrics.deliveries, type: "counter", labels: ["channel", "outcome"],
            help: "Send outcomes of this daemon: delivered, in_progress, retryable, permanent, deferred."),
        Entry(
            name: DeliveryMetrics.attemptDuration, type: "histogram", labels: ["channel"],
            help: "Seconds one platform request took (a credit-feed batch is one request)."),
        Entry(
            name: DeliveryMetrics.breakerState, type: "gauge", labels: ["channel"],
            help: "This daemon's circuit breaker: 0 closed, 1 half-open, 2 open (also when another daemon opened it)."),
        Entry(
            name: OutboxGauges.deliveries, type: "gauge", labels: ["channel", "state"],
            help: "Deliveries in the outbox by state, as of the last count."),
        Entry(
            name: OutboxGauges.oldestDueAge, type: "gauge", labels: ["channel"],
            help: "Seconds the oldest due delivery has waited past its attempt time; 0 when none is due."),
        Entry(
            name: OutboxGauges.paused, type: "gauge", labels: ["channel"],
            help: "1 while an operator has paused the channel."),
        Entry(
            name: OutboxGauges.deadlineItems, type: "gauge", labels: ["rule", "status"],
            help: "Items not yet shown on every channel that are late or at risk (due within a working day), by legal deadline rule."),
        Entry(
            name: OutboxGauges.refreshDuration, type: "gauge", labels: ["part"],
            help: "Seconds the last background refresh of the store's gauges took (queues: every few seconds; counts: a scan)."),
        Entry(
            name: ReconcileMetrics.rows, type: "gauge", labels: ["channel", "class"],
            help: "Rows of the last reconciliation by class: in_sync, missing, extra, differs, unchecked."),
        Entry(
            name: ReconcileMetrics.finished, type: "gauge", labels: [],
            help: "Unix time the last reconciliation finished."),
    ]

    static let help: [String: String] = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.help) })
}
