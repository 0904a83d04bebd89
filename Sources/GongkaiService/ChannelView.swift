public import GongkaiChannels
import GongkaiAudit
import GongkaiCore
public import GongkaiStore

/// A channel as `channels list` shows it; never includes the secret's value.
public struct ChannelView: Encodable, Sendable {
    public var id: String
    public var name: String
    public var kind: String
    public var audience: String
    public var endpoint: String
    public var secret: String?
    /// Credential name → where it is read from (never the value).
    public var credentials: [String: String]
    public var capabilities: [String]
    public var concurrency: Int
    public var ratePerSecond: Double?
    public var timeoutMillis: Int64
    public var retryDelaysMillis: [Int64]
    public var paused: Bool
    public var pauseReason: String?
    public var source: String
    /// Whether one daemon at a time sends to this channel (its limits live in the sender).
    public var oneSender: Bool
    /// The daemon holding the channel's lease, while it is unexpired.
    public var sender: String?
    /// When that lease runs out unless renewed (RFC 3339).
    public var senderUntil: String?

    /// The daemon whose circuit breaker for this channel is open, while it is.
    public var breakerOpenedBy: String?
    /// When that breaker lets a probe through (RFC 3339).
    public var breakerOpenUntil: String?
    /// This channel's deliveries that wait for the portal URL while the portal's
    /// delivery of those items is dead (only linked channels, only when there are some).
    public var waitingForDeadPortal: DeadPortalWait?

    public init(
        _ definition: ChannelDefinition, pause: ChannelPause?, lease: ChannelLease? = nil,
        breaker: ChannelBreakerState? = nil, now: Int64 = 0, deadPortalWait: DeadPortalWait? = nil
    ) {
        waitingForDeadPortal = deadPortalWait
        id = definition.id
        name = definition.name
        kind = definition.kind.rawValue
        audience = definition.audience.rawValue
        endpoint = definition.endpoint
        secret = definition.secret?.description
        credentials = definition.credentials.mapValues(\.description)
        capabilities = definition.capabilities.names
        concurrency = definition.concurrency
        ratePerSecond = definition.ratePerSecond
        timeoutMillis = definition.timeout
        retryDelaysMillis = definition.retry.delays
        paused = pause?.paused ?? false
        pauseReason = pause?.reason
        source = definition.source
        oneSender = definition.sendsFromOneDaemon
        if let breaker, breaker.openUntil > now {
            breakerOpenedBy = breaker.openedBy
            breakerOpenUntil = Timestamp.rfc3339(breaker.openUntil)
        }
        if let lease, lease.expiresAt > now {
            sender = lease.owner
            senderUntil = Timestamp.rfc3339(lease.expiresAt)
        }
    }
}
