/// One delivery: an item on one channel, as the store keeps it.
///
/// The transitions (in `DeliveryRecord+Transitions.swift`) are pure: the
/// store reads a record, applies an event with an injected time, and writes
/// the result in the same transaction.
public struct DeliveryRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var itemID: String
    public var channelID: String
    public var state: DeliveryState
    /// What the next send does: publish ``wantedVersion``, or withdraw.
    public var operation: DeliveryOperation
    /// The version the channel should carry.
    public var wantedVersion: Int
    /// The version the channel confirmed it carries; `nil` when it shows nothing.
    public var deliveredVersion: Int?
    /// Whether the channel may show the item: a publish succeeded, or failed in a
    /// way that may hide a success (timeout, lost answer), and no withdrawal has
    /// been confirmed since. A withdrawal is sent only where this is true.
    public var mayBeLive: Bool
    public var remoteID: String?
    /// The public address the channel gave for the item; kept after a withdrawal,
    /// since that is where a citizen would still find it if the withdrawal failed.
    public var remoteURL: String?
    /// Every attempt ever made, for operators.
    public var attemptCount: Int
    /// Consecutive failures towards the current target; drives the retry schedule.
    public var failureStreak: Int
    /// When the row is next due (for `sending`, when its lease expires).
    public var nextAttemptAt: Int64?
    public var lastError: String?
    /// Why the wanted version waits (review pending, a dependency); `nil` when free to go.
    public var holdReason: String?
    public var leaseOwner: String?
    public var leaseExpiresAt: Int64?
    public var updatedAt: Int64

    public init(
        id: Int64 = 0, itemID: String, channelID: String, state: DeliveryState,
        operation: DeliveryOperation = .publish, wantedVersion: Int, deliveredVersion: Int? = nil,
        mayBeLive: Bool = false, remoteID: String? = nil, remoteURL: String? = nil,
        attemptCount: Int = 0, failureStreak: Int = 0, nextAttemptAt: Int64? = nil,
        lastError: String? = nil, holdReason: String? = nil, leaseOwner: String? = nil,
        leaseExpiresAt: Int64? = nil, updatedAt: Int64
    ) {
        self.id = id
        self.itemID = itemID
        self.channelID = channelID
        self.state = state
        self.operation = operation
        self.wantedVersion = wantedVersion
        self.deliveredVersion = deliveredVersion
        self.mayBeLive = mayBeLive
        self.remoteID = remoteID
        self.remoteURL = remoteURL
        self.attemptCount = attemptCount
        self.failureStreak = failureStreak
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.holdReason = holdReason
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.updatedAt = updatedAt
    }
}

/// How one send ended, as the channel adapter classified it.
public struct SendFailure: Sendable, Equatable {
    /// A permanent failure (other 4xx, the platform's validation error) goes to `dead` at once.
    public var permanent: Bool
    /// 429, a platform quota code, or a timeout: retry no sooner than the throttle floor.
    public var throttled: Bool
    /// The platform's Retry-After, in milliseconds.
    public var retryAfter: Int64?
    public var message: String
    /// The platform says the whole channel is unusable, not this item (a Standard
    /// Webhooks receiver's `410 Gone`): the engine records the attempt, which stays
    /// retryable, then pauses the channel with ``message`` as the reason until an
    /// operator resumes it.
    public var pausesChannel: Bool
    /// What of this send reached the platform before it failed, in the adapter's
    /// own terms (a split robot notice: how many parts were posted). The delivery
    /// keeps it as its remote id, so the next attempt goes on from there instead of
    /// posting those parts again.
    public var progress: String?

    public init(
        permanent: Bool, throttled: Bool = false, retryAfter: Int64? = nil, message: String, pausesChannel: Bool = false,
        progress: String? = nil
    ) {
        self.permanent = permanent
        self.throttled = throttled
        self.retryAfter = retryAfter
        self.message = message
        self.pausesChannel = pausesChannel
        self.progress = progress
    }
}
