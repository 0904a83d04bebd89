public import CoreMetrics
public import GongkaiAudit

/// The last reconciliation as gauges: its row counts per channel and class,
/// and when it finished. Set where a run ends (``record(_:factory:)``) and
/// from the kept report file, so a `gongkai reconcile` run by another process
/// shows too (see ``OutboxGauges``).
public enum ReconcileMetrics {
    public static let rows = "gongkai_reconcile_rows"
    public static let finished = "gongkai_reconcile_finished_timestamp_seconds"

    /// The `class` label: the class's name, since `=`, `+`, `-`, `*`, `!` read badly in PromQL.
    public static func label(_ status: ReconcileClass) -> String {
        switch status {
        case .inSync: return "in_sync"
        case .missing: return "missing"
        case .extra: return "extra"
        case .differs: return "differs"
        case .unchecked: return "unchecked"
        }
    }

    /// Sets the gauges from `report`'s channel summaries (a channel left out of
    /// a run, with `--channel`, keeps its earlier counts).
    public static func record(_ report: ReconcileReport, factory: any MetricsFactory = MetricsSystem.factory) {
        record(finishedAt: report.finishedAt, channels: report.channels, factory: factory)
    }

    static func record(
        finishedAt: Int64, channels: [ReconcileReport.ChannelSummary], factory: any MetricsFactory
    ) {
        for summary in channels {
            for status in ReconcileClass.allCases {
                Gauge(label: rows, dimensions: [("channel", summary.channelID), ("class", label(status))], factory: factory)
                    .record(summary.count(status))
            }
        }
        Gauge(label: finished, factory: factory).record(Double(finishedAt) / 1000)
    }
}
