public import GongkaiCore

/// A channel as declared in `channels/<id>.yaml`: everything the engine and
/// the adapter need except the secret's value.
public struct ChannelDefinition: Sendable, Equatable {
    /// The platform kinds gongkai speaks (DESIGN.md §2).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Generic Standard Webhooks.
        case webhook
        /// The agency portal's CMS (门户网站): articles by external id in a column.
        case portal
        /// The provincial disclosure platform (政府信息公开平台), HMAC-signed REST.
        case platform
        /// A WeChat official account (微信公众号): draft + freepublish.
        case wechat
        /// Weibo (政务微博): statuses/share.
        case weibo
        /// WeCom group robot (企业微信群机器人).
        case wecomRobot = "wecom-robot"
        /// DingTalk group robot (钉钉群机器人).
        case dingtalkRobot = "dingtalk-robot"
        /// Feishu group robot (飞书群机器人).
        case feishuRobot = "feishu-robot"
        /// The credit-sharing feed (信用中国 双公示): CF_/XK_ records in batches.
        case creditFeed = "credit-feed"

        /// Kinds whose messages link to the item's canonical (portal) URL, so
        /// by default they wait for the portal delivery.
        public var linksToCanonical: Bool {
            switch self {
            case .wechat, .weibo, .wecomRobot, .dingtalkRobot, .feishuRobot: return true
            case .webhook, .portal, .platform, .creditFeed: return false
            }
        }

        /// What each kind of platform can do: the one declaration the store (routing,
        /// whether a withdrawal can be sent), the worker and reconcile all read; each
        /// adapter answers ``ChannelAdapter/capabilities`` with its kind's entry.
        public var capabilities: ChannelCapabilities {
            switch self {
            // Standard Webhooks: an update is a re-send, a withdrawal is an event; nothing to list.
            case .webhook: return [.publish, .update, .withdraw]
            case .portal, .platform, .creditFeed: return [.publish, .update, .withdraw, .list]
            // A new version is a new post; the old one is deleted where the platform allows.
            case .wechat, .weibo: return [.publish, .withdraw, .list]
            // Robots post into a chat: nothing can be edited, recalled or listed.
            case .wecomRobot, .dingtalkRobot, .feishuRobot: return [.publish]
            }
        }
    }

    public var id: String
    public var kind: Kind
    /// A name for people (e.g. 局门户网站).
    public var name: String
    public var endpoint: String
    /// Named secret references (`secret`, `appSecret`, `signSecret` …): where
    /// each secret lives, never its value.
    public var credentials: [String: SecretReference]
    /// Kind-specific settings from the file's `options` mapping (column, app
    /// id, batch size …), checked by the adapter's factory.
    public var options: [String: String]
    /// This channel's article URL is the item's canonical URL (the portal).
    public var isCanonical: Bool
    /// Hold deliveries `blocked` until the canonical channel has published the item.
    public var waitsForCanonical: Bool
    /// When this linked channel stops waiting for the portal URL (`withoutPortal:`).
    public var withoutPortal: PortalFallback?
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
        id: String, kind: Kind, name: String? = nil, endpoint: String, secret: SecretReference? = nil,
        credentials: [String: SecretReference] = [:], options: [String: String] = [:], isCanonical: Bool? = nil,
        waitsForCanonical: Bool? = nil, audience: ChannelAudience = .public, routing: RoutingRule = .everything, retry: RetrySchedule = .standard,
        ratePerSecond: Double? = nil, rateBurst: Int? = nil, concurrency: Int = 8, timeout: Int64 = 10_000,
        breakerFailureThreshold: Int = 5, breakerOpenDuration: Int64 = 30_000, source: String = "(built in)"
    ) {
        self.id = id
        self.kind = kind
        self.name = name ?? id
        self.endpoint = endpoint
        var credentials = credentials
        if let secret { credentials["secret"] = secret }
        self.credentials = credentials
        self.options = options
        self.isCanonical = isCanonical ?? (kind == .portal)
        self.waitsForCanonical = waitsForCanonical ?? kind.linksToCanonical
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

    /// The main secret (`credentials.secret`, or the file's `secret:` key).
    public var secret: SecretReference? { credentials["secret"] }

    /// What this channel's platform can do (its kind's ``Kind/capabilities``).
    public var capabilities: ChannelCapabilities { kind.capabilities }

    /// The routing facts the store needs.
    public var route: ChannelRoute {
        ChannelRoute(
            channelID: id, audience: audience, rule: routing, canWithdraw: capabilities.contains(.withdraw),
            isCanonical: isCanonical, waitsForCanonical: waitsForCanonical)
    }

    public var breaker: CircuitBreaker {
        // Thresholds were checked when the channel file was read.
        (try? CircuitBreaker(failureThreshold: breakerFailureThreshold, openDuration: breakerOpenDuration)) ?? .standard
    }

    /// Whether one daemon at a time must send to this channel: its limits live in
    /// the sender (a rate limit, a robot's send window, WeChat's and Weibo's quotas
    /// and access token), so several senders would each count only their own.
    public var sendsFromOneDaemon: Bool {
        switch kind {
        case .wechat, .weibo, .wecomRobot, .dingtalkRobot, .feishuRobot: return true
        case .webhook, .portal, .platform, .creditFeed: return !rateLimit.isUnlimited
        }
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

/// A linked channel (WeChat, Weibo, a robot) waits for the item's portal URL; if the
/// portal has not published it when the item's legal deadline is `withinWorkdays`
/// working days away (0: on the due day), the channel publishes without the link,
/// or with `fallbackURL` (the portal's disclosure column, say) in its place, rather
/// than miss the deadline behind a portal that is down.
public struct PortalFallback: Sendable, Equatable {
    public var withinWorkdays: Int
    public var fallbackURL: String?

    public init(withinWorkdays: Int, fallbackURL: String? = nil) {
        self.withinWorkdays = withinWorkdays
        self.fallbackURL = fallbackURL
    }
}
