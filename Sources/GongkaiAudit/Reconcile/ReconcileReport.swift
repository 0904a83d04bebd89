import Foundation
import GongkaiCore

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

        private enum CodingKeys: String, CodingKey { case channelID, kind, method, counts, failure, late, atRisk }

        /// ``counts`` is keyed by the table symbols in memory; JSON keys it by
        /// ``ReconcileClass/name`` and reads either.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            channelID = try c.decode(String.self, forKey: .channelID)
            kind = try c.decode(String.self, forKey: .kind)
            method = try c.decode(String.self, forKey: .method)
            var counts: [String: Int] = [:]
            // JSON lists every class, zeros too; memory keeps only the classes seen, as a run builds them.
            for (key, value) in try c.decode([String: Int].self, forKey: .counts) where value != 0 {
                counts[ReconcileClass(name: key)?.rawValue ?? key, default: 0] += value
            }
            self.counts = counts
            failure = try c.decodeIfPresent(String.self, forKey: .failure)
            late = try c.decodeIfPresent(Int.self, forKey: .late) ?? 0
            atRisk = try c.decodeIfPresent(Int.self, forKey: .atRisk) ?? 0
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(channelID, forKey: .channelID)
            try c.encode(kind, forKey: .kind)
            try c.encode(method, forKey: .method)
            try c.encode(
                Dictionary(uniqueKeysWithValues: ReconcileClass.allCases.map { ($0.name, count($0)) }), forKey: .counts)
            try c.encodeIfPresent(failure, forKey: .failure)
            try c.encode(late, forKey: .late)
            try c.encode(atRisk, forKey: .atRisk)
        }
    }

    public var startedAt: Int64
    public var finishedAt: Int64
    public var channels: [ChannelSummary]
    public var rows: [ReconcileRow]
    /// Whether `--repair` ran.
    public var repaired: Bool
    /// The second view: what citizens see on the public pages (`--public`), when it ran.
    public var publicPages: PublicPageReport?

    public init(startedAt: Int64, finishedAt: Int64, channels: [ChannelSummary], rows: [ReconcileRow], repaired: Bool) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.channels = channels
        self.rows = rows
        self.repaired = repaired
    }

    /// Some channel could not be checked at all (unreachable, misconfigured).
    public var auditFailed: Bool { channels.contains { $0.failure != nil } }

    /// Rows classed `+`, `-` or `*`, over all channels; with the public pages, their findings too.
    public var differenceCount: Int {
        channels.reduce(0) { $0 + $1.count(.missing) + $1.count(.extra) + $1.count(.differs) }
            + (publicPages?.findingCount ?? 0)
    }

    /// 0 consistent, 1 differences found, 2 the audit itself failed.
    public var exitStatus: Int32 {
        if auditFailed { return 2 }
        return differenceCount > 0 ? 1 : 0
    }

    private enum CodingKeys: String, CodingKey { case startedAt, finishedAt, channels, rows, repaired, publicPages }

    /// Times are ``JSONTime`` (RFC 3339, +08:00); a report kept by an earlier version holds Unix milliseconds, also read.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startedAt = try c.decode(JSONTime.self, forKey: .startedAt).millis
        finishedAt = try c.decode(JSONTime.self, forKey: .finishedAt).millis
        channels = try c.decode([ChannelSummary].self, forKey: .channels)
        rows = try c.decode([ReconcileRow].self, forKey: .rows)
        repaired = try c.decode(Bool.self, forKey: .repaired)
        publicPages = try c.decodeIfPresent(PublicPageReport.self, forKey: .publicPages)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(JSONTime(startedAt), forKey: .startedAt)
        try c.encode(JSONTime(finishedAt), forKey: .finishedAt)
        try c.encode(channels, forKey: .channels)
        try c.encode(rows, forKey: .rows)
        try c.encode(repaired, forKey: .repaired)
        try c.encodeIfPresent(publicPages, forKey: .publicPages)
    }

    public static let exitStatusHelp = """
        Exit status: 0 every channel consistent (rows on channels that cannot list are counted as \
        not checked, not as differences); 1 differences found (+ missing, - withdrawn or unknown here, \
        * different version; with --public also pages not showing the current version, dead links and \
        broken attachments); 2 the audit itself failed (a channel unreachable, bad configuration).
        """
}
