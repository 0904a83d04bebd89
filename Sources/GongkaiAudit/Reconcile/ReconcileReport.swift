import Foundation

/// The outcome of one reconciliation run: a summary per channel and the rows
/// that need attention (in-sync rows are counted, and kept only on request,
/// so memory does not grow with the outbox).
public struct ReconcileReport: Sendable, Codable, Equatable {
    /// One channel's totals.
    public struct ChannelSummary: Sendable, Codable, Equatable {
        public var channelID: String
        public var kind: String
        /// `listing` (the platform's own list), `receipts` (our records only), or `failed`.
        public var method: String
        public var counts: [String: Int]
        /// Why the channel could not be checked, when it could not.
        public var failure: String?
        /// Rows past their legal deadline, and rows due within a working day and not done.
        public var late = 0
        public var atRisk = 0

        public init(channelID: String, kind: String, method: String, counts: [String: Int] = [:], failure: String? = nil) {
            self.channelID = channelID
            self.kind = kind
            self.method = method
            self.counts = counts
            self.failure = failure
        }

        public func count(_ status: ReconcileClass) -> Int { counts[status.rawValue] ?? 0 }
    }

    public var startedAt: Int64
    public var finishedAt: Int64
    public var channels: [ChannelSummary]
    public var rows: [ReconcileRow]
    /// Whether `--repair` ran.
    public var repaired: Bool

    public init(startedAt: Int64, finishedAt: Int64, channels: [ChannelSummary], rows: [ReconcileRow], repaired: Bool) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.channels = channels
        self.rows = rows
        self.repaired = repaired
    }

    /// Some channel could not be checked at all (unreachable, misconfigured).
    public var auditFailed: Bool { channels.contains { $0.failure != nil } }

    /// Rows classed `+`, `-` or `*`, over all channels.
    public var differenceCount: Int {
        channels.reduce(0) { $0 + $1.count(.missing) + $1.count(.extra) + $1.count(.differs) }
    }

    /// 0 consistent, 1 differences found, 2 the audit itself failed.
    public var exitStatus: Int32 {
        if auditFailed { return 2 }
        return differenceCount > 0 ? 1 : 0
    }

    public static let exitStatusHelp = """
        Exit status: 0 every channel consistent (rows on channels that cannot list are counted as \
        not checked, not as differences); 1 differences found (+ missing, - withdrawn or unknown here, \
        * different version); 2 the audit itself failed (a channel unreachable, bad configuration).
        """
}
