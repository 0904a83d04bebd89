public import GongkaiCore

/// One item's public page on one channel, as a citizen found it.
public struct PublicPageRow: Sendable, Codable, Equatable {
    public var channelID: String
    public var itemID: String
    /// The address the channel gave for the item.
    public var url: String
    public var status: ReconcileClass
    /// The version the page should show; nil once withdrawn (it should show nothing).
    public var expectedVersion: Int?
    /// The version the page shows, where its version mark says.
    public var shownVersion: Int?
    public var detail: String
    public var linksChecked = 0
    /// Links beyond the per-page limit, not checked.
    public var linksNotChecked = 0
    public var deadLinks: [DeadLink] = []
    public var attachmentsChecked = 0
    public var brokenAttachments: [BrokenAttachment] = []

    /// A link in the page that does not answer.
    public struct DeadLink: Sendable, Codable, Equatable {
        public var url: String
        public var reason: String
    }

    /// An attachment that cannot be downloaded, or whose bytes are not the item's.
    public struct BrokenAttachment: Sendable, Codable, Equatable {
        public var name: String
        public var url: String
        public var reason: String
    }

    public init(
        channelID: String, itemID: String, url: String, status: ReconcileClass, expectedVersion: Int? = nil,
        shownVersion: Int? = nil, detail: String
    ) {
        self.channelID = channelID
        self.itemID = itemID
        self.url = url
        self.status = status
        self.expectedVersion = expectedVersion
        self.shownVersion = shownVersion
        self.detail = detail
    }

    /// In sync, but with a dead link or a broken attachment: listed all the same.
    public var needsAttention: Bool { !deadLinks.isEmpty || !brokenAttachments.isEmpty }
}

/// The public-page view of a reconciliation: per channel, how many pages were
/// in each class, with dead links and broken attachments counted.
public struct PublicPageReport: Sendable, Codable, Equatable {
    /// Unix ms; RFC 3339 in JSON.
    public var checkedAt: Int64
    public var finishedAt: Int64?
    public var channels: [ChannelSummary] = []
    /// Pages that need attention (all pages with `keepInSyncRows`).
    public var rows: [PublicPageRow] = []

    public init(checkedAt: Int64) {
        self.checkedAt = checkedAt
    }

    public struct ChannelSummary: Sendable, Codable, Equatable {
        public var channelID: String
        public var kind: String
        public var pages = 0
        /// Pages per class, by the class's JSON name (`in-sync`, `missing`, …).
        public var counts: [String: Int] = [:]
        public var pagesWithDeadLinks = 0
        public var deadLinks = 0
        public var brokenAttachments = 0

        public init(channelID: String, kind: String) {
            self.channelID = channelID
            self.kind = kind
        }

        private enum CodingKeys: String, CodingKey {
            case channelID, kind, pages, counts, pagesWithDeadLinks, deadLinks, brokenAttachments
        }

        /// JSON lists every class, zeros too (as the API view's summary does); memory keeps the classes seen.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            channelID = try c.decode(String.self, forKey: .channelID)
            kind = try c.decode(String.self, forKey: .kind)
            pages = try c.decode(Int.self, forKey: .pages)
            counts = try c.decode([String: Int].self, forKey: .counts).filter { $0.value != 0 }
            pagesWithDeadLinks = try c.decode(Int.self, forKey: .pagesWithDeadLinks)
            deadLinks = try c.decode(Int.self, forKey: .deadLinks)
            brokenAttachments = try c.decode(Int.self, forKey: .brokenAttachments)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(channelID, forKey: .channelID)
            try c.encode(kind, forKey: .kind)
            try c.encode(pages, forKey: .pages)
            try c.encode(
                Dictionary(uniqueKeysWithValues: ReconcileClass.allCases.map { ($0.name, counts[$0.name] ?? 0) }), forKey: .counts)
            try c.encode(pagesWithDeadLinks, forKey: .pagesWithDeadLinks)
            try c.encode(deadLinks, forKey: .deadLinks)
            try c.encode(brokenAttachments, forKey: .brokenAttachments)
        }

        mutating func add(_ row: PublicPageRow) {
            pages += 1
            counts[row.status.name, default: 0] += 1
            if !row.deadLinks.isEmpty { pagesWithDeadLinks += 1 }
            deadLinks += row.deadLinks.count
            brokenAttachments += row.brokenAttachments.count
        }
    }

    /// Whether every page shows what it should, with no dead link or broken attachment.
    public var isClean: Bool {
        channels.allSatisfy { ($0.counts[ReconcileClass.inSync.name] ?? 0) == $0.pages && $0.deadLinks == 0 && $0.brokenAttachments == 0 }
    }

    /// Findings an operator must act on: pages classed `+`, `-` or `*`, dead links and broken attachments.
    public var findingCount: Int {
        channels.reduce(0) { total, channel in
            total + [ReconcileClass.missing, .extra, .differs].reduce(0) { $0 + (channel.counts[$1.name] ?? 0) }
                + channel.deadLinks + channel.brokenAttachments
        }
    }

    private enum CodingKeys: String, CodingKey { case checkedAt, finishedAt, channels, rows }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        checkedAt = try c.decode(JSONTime.self, forKey: .checkedAt).millis
        finishedAt = try c.decodeIfPresent(JSONTime.self, forKey: .finishedAt)?.millis
        channels = try c.decode([ChannelSummary].self, forKey: .channels)
        rows = try c.decode([PublicPageRow].self, forKey: .rows)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(JSONTime(checkedAt), forKey: .checkedAt)
        try c.encodeIfPresent(finishedAt.map(JSONTime.init), forKey: .finishedAt)
        try c.encode(channels, forKey: .channels)
        try c.encode(rows, forKey: .rows)
    }
}
