public import GongkaiAudit
public import GongkaiCore
public import GongkaiStore

/// The shapes `--json` and the API write for the store's records, one per
/// `components/schemas` entry of openapi.yaml of the same name.
///
/// The records themselves keep their synthesized `Codable`: that encoding is
/// what the PostgreSQL store binds (`jsonb_to_recordset` with snake-case keys
/// and Unix milliseconds), so machine output gets its own types here rather
/// than a second meaning of theirs.
public enum MachineJSON {
    /// `Delivery`: one item on one channel; times RFC 3339, `deadline` only where one was evaluated.
    public struct Delivery: Encodable, Sendable {
        public var id: Int64
        public var itemID: String
        public var channelID: String
        public var state: DeliveryState
        public var operation: DeliveryOperation
        public var wantedVersion: Int
        public var deliveredVersion: Int?
        public var mayBeLive: Bool
        public var remoteID: String?
        public var remoteURL: String?
        public var attemptCount: Int
        public var failureStreak: Int
        public var nextAttemptAt: JSONTime?
        public var lastError: String?
        public var holdReason: String?
        public var leaseOwner: String?
        public var leaseExpiresAt: JSONTime?
        public var updatedAt: JSONTime
        public var deadline: DeliveryDeadline?
        /// The dead portal delivery this one waits for, when it does.
        public var blockedBy: PortalBlocker?

        public init(_ record: DeliveryRecord, deadline: DeliveryDeadline? = nil, blockedBy: PortalBlocker? = nil) {
            id = record.id
            itemID = record.itemID
            channelID = record.channelID
            state = record.state
            operation = record.operation
            wantedVersion = record.wantedVersion
            deliveredVersion = record.deliveredVersion
            mayBeLive = record.mayBeLive
            remoteID = record.remoteID
            remoteURL = record.remoteURL
            attemptCount = record.attemptCount
            failureStreak = record.failureStreak
            nextAttemptAt = record.nextAttemptAt.map(JSONTime.init)
            lastError = record.lastError
            holdReason = record.holdReason
            leaseOwner = record.leaseOwner
            leaseExpiresAt = record.leaseExpiresAt.map(JSONTime.init)
            updatedAt = JSONTime(record.updatedAt)
            self.deadline = deadline
            self.blockedBy = blockedBy
        }

        /// Deliveries without deadlines, as withdraw, approve, resend and listings return them.
        public static func list(_ records: [DeliveryRecord]) -> [Delivery] { records.map { Delivery($0) } }
    }

    /// `Item`: what the outbox knows of an item (not its document).
    public struct Item: Encodable, Sendable {
        public var id: String
        public var kind: String
        public var category: String
        public var title: String
        public var currentVersion: Int
        public var contentHash: String
        public var review: String
        public var attribute: String
        public var withdrawnAt: JSONTime?
        public var withdrawnReason: String?
        public var createdAt: JSONTime
        public var updatedAt: JSONTime
        /// The current version's publish deadline: a Beijing working day, `YYYY-MM-DD`.
        public var dueOn: String?
        public var canonicalURL: String?
        public var relatedTo: [String]
        /// A consultation's adoption report (feedback) due day: a Beijing working day, `YYYY-MM-DD`.
        public var feedbackDueOn: String?

        public init(_ record: ItemRecord) {
            id = record.id
            kind = record.kind
            category = record.category
            title = record.title
            currentVersion = record.currentVersion
            contentHash = record.contentHash
            review = record.review
            attribute = record.attribute
            withdrawnAt = record.withdrawnAt.map(JSONTime.init)
            withdrawnReason = record.withdrawnReason
            createdAt = JSONTime(record.createdAt)
            updatedAt = JSONTime(record.updatedAt)
            dueOn = record.dueOn
            canonicalURL = record.canonicalURL
            relatedTo = record.relatedTo
            feedbackDueOn = record.feedbackDueOn
        }
    }

    /// `ItemStatus`: `gongkai status ID --json` and `GET /v1/items/{id}`.
    public struct ItemStatus: Encodable, Sendable {
        public var item: Item
        public var deliveries: [Delivery]

        public init(
            item: ItemRecord, deliveries: [DeliveryRecord], deadlines: [Int64: DeliveryDeadline],
            blockers: [Int64: PortalBlocker] = [:]
        ) {
            self.item = Item(item)
            self.deliveries = deliveries.map { Delivery($0, deadline: deadlines[$0.id], blockedBy: blockers[$0.id]) }
        }
    }

    /// `Attempt`: one line of the attempt log.
    public struct Attempt: Encodable, Sendable {
        public var id: Int64
        public var deliveryID: Int64
        public var itemID: String
        public var channelID: String
        public var version: Int
        public var operation: String
        public var trigger: String
        public var startedAt: JSONTime
        public var durationMillis: Int64
        public var httpStatus: Int?
        /// `ok`, `in-progress`, `retryable`, `permanent` or `abandoned` (the worker stopped before the result was known).
        public var outcome: String
        public var error: String?
        public var worker: String

        public init(_ record: AttemptRecord) {
            id = record.id
            deliveryID = record.deliveryID
            itemID = record.itemID
            channelID = record.channelID
            version = record.version
            operation = record.operation
            trigger = record.trigger
            startedAt = JSONTime(record.startedAt)
            durationMillis = record.durationMillis
            httpStatus = record.httpStatus
            outcome = record.outcome
            error = record.error
            worker = record.worker
        }

        public static func list(_ records: [AttemptRecord]) -> [Attempt] { records.map(Attempt.init) }
    }

    /// `AuditEntry`: who did what.
    public struct AuditEntry: Encodable, Sendable {
        public var id: Int64
        public var at: JSONTime
        public var actor: String
        public var action: String
        public var itemID: String?
        public var channelID: String?
        public var detail: String?

        public init(_ entry: GongkaiStore.AuditEntry) {
            id = entry.id
            at = JSONTime(entry.at)
            actor = entry.actor
            action = entry.action
            itemID = entry.itemID
            channelID = entry.channelID
            detail = entry.detail
        }

        public static func list(_ entries: [GongkaiStore.AuditEntry]) -> [AuditEntry] { entries.map(AuditEntry.init) }
    }

    /// `Recovered`: how many deliveries `recover` put back in the queue.
    public struct Recovered: Encodable, Sendable {
        public var channel: String
        public var requeued: Int

        public init(channel: String, requeued: Int) {
            self.channel = channel
            self.requeued = requeued
        }
    }

    /// `Token`: an API token as `token list` shows it (never the token).
    public struct Token: Encodable, Sendable {
        public var name: String
        public var role: String
        public var id: String
        public var createdAt: JSONTime
        public var revoked: Bool
        public var revokedAt: JSONTime?

        public init(_ record: APITokenRecord) {
            name = record.name
            role = record.role.rawValue
            id = record.id
            createdAt = JSONTime(record.createdAt)
            revoked = record.revokedAt != nil
            revokedAt = record.revokedAt.map(JSONTime.init)
        }
    }
}
