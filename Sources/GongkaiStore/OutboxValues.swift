public import GongkaiCore

/// What a submit did with one item.
public struct SubmitOutcome: Sendable, Equatable, Codable {
    public enum Change: String, Sendable, Codable {
        /// First version of a new item.
        case created
        /// A new version of a known item.
        case updated
        /// Same content as the current version: nothing stored.
        case unchanged
        /// Same content, but review went from pending to approved.
        case approved
    }
    public var itemID: String
    public var version: Int
    public var change: Change
    public var contentHash: String
    public init(itemID: String, version: Int, change: Change, contentHash: String) {
        self.itemID = itemID
        self.version = version
        self.change = change
        self.contentHash = contentHash
    }
}

/// One item as the outbox knows it.
public struct ItemRecord: Sendable, Equatable, Codable {
    public var id: String
    public var kind: String
    public var category: String
    public var title: String
    public var currentVersion: Int
    public var contentHash: String
    public var review: String
    public var attribute: String
    public var withdrawnAt: Int64?
    public var withdrawnReason: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The current version's publish deadline (YYYY-MM-DD), when one was computed.
    public var dueOn: String?
    /// The portal URL every channel links to, once the portal published the item.
    public var canonicalURL: String?
    /// Ids of related items (an interpretation's policy document, a feedback's consultation).
    public var relatedTo: [String] = []
    /// For a consultation, the day its adoption report (feedback) is due (YYYY-MM-DD), when one was computed.
    public var feedbackDueOn: String? = nil
}

/// One stored version of an item: what was submitted, as every channel of each audience got it.
public struct ItemVersionRecord: Sendable, Equatable {
    public var itemID: String
    public var version: Int
    public var contentHash: String
    /// Canonical JSON of the version as submitted.
    public var document: [UInt8]
    /// The same, masked as public channels show it.
    public var publicDocument: [UInt8]
    public var submittedBy: String
    public var createdAt: Int64

    public init(
        itemID: String, version: Int, contentHash: String, document: [UInt8], publicDocument: [UInt8],
        submittedBy: String, createdAt: Int64
    ) {
        self.itemID = itemID
        self.version = version
        self.contentHash = contentHash
        self.document = document
        self.publicDocument = publicDocument
        self.submittedBy = submittedBy
        self.createdAt = createdAt
    }
}

/// A delivery handed to a worker, with the body of the version it must send.
public struct ClaimedDelivery: Sendable {
    public var record: DeliveryRecord
    public var operation: DeliveryOperation
    public var version: Int
    public var contentHash: String
    /// Canonical JSON of the version, masked when the channel is public.
    public var document: [UInt8]
    /// Why the item was withdrawn, for a withdrawal.
    public var withdrawReason: String?
    /// The item's portal URL once the canonical channel has published it.
    public var canonicalURL: String?
    /// `manual` when an operator asked for this send.
    public var trigger: AttemptTrigger
}

/// Why an attempt happened.
public enum AttemptTrigger: String, Sendable, Codable {
    case scheduled
    case manual
}

/// The result of sending one claimed delivery, with what the state machine needs to settle it.
public struct SendOutcome: Sendable {
    public enum Result: Sendable, Equatable {
        case delivered(remoteID: String?, remoteURL: String?)
        /// Accepted; the platform finishes asynchronously. Ask again after `checkAfter` ms.
        case inProgress(remoteID: String, checkAfter: Int64)
        case failed(SendFailure)
        /// Not attempted: the adapter's own quota (a robot's send window) has no
        /// room. Due again after `retryAfter` ms without spending an attempt and
        /// without an attempt-log line, since no request reached the platform.
        case deferred(retryAfter: Int64, reason: String)
    }
    public var deliveryID: Int64
    public var itemID: String
    public var channelID: String
    public var operation: DeliveryOperation
    public var version: Int
    public var result: Result
    public var httpStatus: Int?
    public var startedAt: Int64
    public var durationMillis: Int64
    public var trigger: AttemptTrigger
    public var schedule: RetrySchedule
    /// Uniform in [0, 1), for the retry jitter.
    public var randomUnit: Double
    public var canWithdraw: Bool
    /// The channel is the canonical portal: a published URL becomes the item's
    /// canonical URL and frees the deliveries waiting for it.
    public var setsCanonicalURL: Bool

    public init(
        deliveryID: Int64, itemID: String, channelID: String, operation: DeliveryOperation, version: Int,
        result: Result, httpStatus: Int?,
        startedAt: Int64, durationMillis: Int64, trigger: AttemptTrigger, schedule: RetrySchedule,
        randomUnit: Double, canWithdraw: Bool, setsCanonicalURL: Bool = false
    ) {
        self.setsCanonicalURL = setsCanonicalURL
        self.deliveryID = deliveryID
        self.itemID = itemID
        self.channelID = channelID
        self.operation = operation
        self.version = version
        self.result = result
        self.httpStatus = httpStatus
        self.startedAt = startedAt
        self.durationMillis = durationMillis
        self.trigger = trigger
        self.schedule = schedule
        self.randomUnit = randomUnit
        self.canWithdraw = canWithdraw
    }
}

/// One line of the append-only attempt log.
public struct AttemptRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var deliveryID: Int64
    public var itemID: String
    public var channelID: String
    public var version: Int
    public var operation: String
    public var trigger: String
    public var startedAt: Int64
    public var durationMillis: Int64
    public var httpStatus: Int?
    /// `ok`, `in-progress`, `retryable`, `permanent` or `abandoned` (the worker stopped before the result was known).
    public var outcome: String
    public var error: String?
    public var worker: String
}

/// Which deliveries a listing returns.
public struct DeliveryFilter: Sendable, Equatable {
    public var itemID: String?
    public var channelID: String?
    public var states: [DeliveryState]?
    public var limit: Int?
    /// Keyset paging: only rows whose item id sorts after this one (rows come in item id order).
    public var afterItemID: String?
    public init(
        itemID: String? = nil, channelID: String? = nil, states: [DeliveryState]? = nil, limit: Int? = nil,
        afterItemID: String? = nil
    ) {
        self.itemID = itemID
        self.channelID = channelID
        self.states = states
        self.limit = limit
        self.afterItemID = afterItemID
    }
}

/// An operator's pause of a channel; the daemon sends nothing to a paused channel.
public struct ChannelPause: Sendable, Equatable, Codable {
    public var channelID: String
    public var paused: Bool
    public var reason: String?
    public var changedAt: Int64
    public var changedBy: String
}

/// Who did what, through the CLI or the API.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var at: Int64
    public var actor: String
    public var action: String
    public var itemID: String?
    public var channelID: String?
    public var detail: String?
}
