import GongkaiCore

/// A channel as declared in `channels/<id>.yaml`: everything the engine and
/// the adapter need except the secret's value.
public struct ChannelDefinition: Sendable, Equatable {
    /// The platform kinds gongkai speaks. Only `webhook` has an adapter so far.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case webhook
    }

    public var id: String
    public var kind: Kind
    /// A name for people (e.g. 局门户网站).
    public var name: String
    public var endpoint: String
    public var secret: SecretReference?
    public var audience: ChannelAudience
    public var routing: RoutingRule
    public var retry: RetrySchedule
    /// Sends per second allowed; `nil` means no limit.
    public var ratePerSecond: Double?
    public var rateBurst: Int
    /// Sends in flight at once.
    public var concurrency: Int
    /// Request deadline in milliseconds; the lease is longer than this.
    public var timeout: Int64
    public var breakerFailureThreshold: Int
    public var breakerOpenDuration: Int64
    /// Where the definition came from, for error messages.
    public var source: String

    public init(
        id: String, kind: Kind, name: String? = nil, endpoint: String, secret: SecretReference?,
        audience: ChannelAudience = .public, routing: RoutingRule = .everything, retry: RetrySchedule = .standard,
        ratePerSecond: Double? = nil, rateBurst: Int? = nil, concurrency: Int = 8, timeout: Int64 = 10_000,
        breakerFailureThreshold: Int = 5, breakerOpenDuration: Int64 = 30_000, source: String = "(built in)"
    ) {
        self.id = id
        self.kind = kind
        self.name = name ?? id
        self.endpoint = endpoint
        self.secret = secret
        self.audience = audience
        self.routing = routing
        self.retry = retry
        self.ratePerSecond = ratePerSecond
        self.rateBurst = rateBurst ?? max(1, Int((ratePerSecond ?? 1).rounded(.up)))
        self.concurrency = concurrency
        self.timeout = timeout
        self.breakerFailureThreshold = breakerFailureThreshold
        self.breakerOpenDuration = breakerOpenDuration
        self.source = source
    }

    /// What each kind of platform can do.
    public var capabilities: ChannelCapabilities {
        switch kind {
        // Standard Webhooks: an update is a re-send, a withdrawal is an event; nothing to list.
        case .webhook: return [.publish, .update, .withdraw]
        }
    }

    /// The routing facts the store needs.
    public var route: ChannelRoute {
        ChannelRoute(channelID: id, audience: audience, rule: routing, canWithdraw: capabilities.contains(.withdraw))
    }

    public var breaker: CircuitBreaker {
        // Thresholds were checked when the channel file was read.
        (try? CircuitBreaker(failureThreshold: breakerFailureThreshold, openDuration: breakerOpenDuration)) ?? .standard
    }

    public var rateLimit: TokenBucket {
        guard let ratePerSecond else { return .unlimited }
        return (try? TokenBucket(ratePerSecond: ratePerSecond, burst: rateBurst)) ?? .unlimited
    }

    /// Lower-case letters, digits and '-', 1–63 characters: safe in file names, headers and metrics labels.
    static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...63).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
    }
}
