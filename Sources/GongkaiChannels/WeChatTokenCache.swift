public import GongkaiCore
public import NIOCore
import Synchronization

/// The `access_token` of one WeChat official account, shared by every send of
/// the process: WeChat wants one central holder of the token, and each
/// `stable_token` call counts against a daily quota.
///
/// One fetch runs at a time: concurrent callers that find no usable token
/// wait for the same fetch. A token is used until 5 minutes before it
/// expires; in its last 5 minutes `stable_token` (normal mode) hands out the
/// next one, and both stay valid during the handover.
public actor WeChatTokenCache {
    /// A token and when it stops working (Unix ms, our clock).
    public struct Token: Sendable, Equatable {
        /// The `access_token` (a secret: never logged).
        public var value: String
        /// When it stops working, Unix ms on the adapter's clock.
        public var expiresAt: Int64
        /// How long it was valid when fetched, in ms.
        public var lifetime: Int64

        /// A token as `stable_token` handed it out.
        public init(value: String, expiresAt: Int64, lifetime: Int64) {
            self.value = value
            self.expiresAt = expiresAt
            self.lifetime = lifetime
        }
    }

    /// Calls `stable_token`; `forceRefresh` is WeChat's strong mode (20 a day,
    /// invalidates the previous token), only used when a normal refresh hands
    /// back the very token the platform just refused.
    public typealias Fetch = @Sendable (_ forceRefresh: Bool, _ deadline: NIODeadline) async -> Result<Token, DeliveryError>

    private let clock: any WallClock
    private let refreshMargin: Int64
    private var current: Token?
    private var inFlight: Task<Result<Token, DeliveryError>, Never>?
    /// `stable_token` calls made through this cache.
    public private(set) var fetchCount = 0

    /// - Parameter refreshMargin: ms before expiry from which a token counts as used up.
    public init(clock: any WallClock = SystemWallClock(), refreshMargin: Int64 = 300_000) {
        self.clock = clock
        self.refreshMargin = refreshMargin
    }

    /// A usable token: the cached one, or one fetch shared by all who ask meanwhile.
    public func token(deadline: NIODeadline, fetch: @escaping Fetch) async throws(DeliveryError) -> Token {
        if let current, isFresh(current) { return current }
        return try await shared(force: false, deadline: deadline, fetch: fetch)
    }

    /// The platform refused `stale` (40001/42001): a different token. Callers
    /// that were refused the same token share one refresh; a normal refresh
    /// that returns the refused token again is followed by one forced refresh.
    public func refresh(replacing stale: String, deadline: NIODeadline, fetch: @escaping Fetch) async throws(DeliveryError)
        -> Token
    {
        if let current, current.value != stale, isFresh(current) { return current }
        if let inFlight {
            let token = try await inFlight.value.get()
            if token.value != stale { return token }
        }
        let token = try await shared(force: false, deadline: deadline, fetch: fetch)
        if token.value != stale { return token }
        return try await shared(force: true, deadline: deadline, fetch: fetch)
    }

    /// Forgets the cached token (the next caller fetches).
    public func invalidate() {
        current = nil
    }

    private func isFresh(_ token: Token) -> Bool {
        // A token handed out late in its life is still used for half of it.
        clock.now() < token.expiresAt - min(refreshMargin, token.lifetime / 2)
    }

    private func shared(force: Bool, deadline: NIODeadline, fetch: @escaping Fetch) async throws(DeliveryError) -> Token {
        if let inFlight, !force {
            return try await inFlight.value.get()
        }
        fetchCount += 1
        let task = Task { await fetch(force, deadline) }
        inFlight = task
        let result = await task.value
        // A later fetch may have replaced ours meanwhile; only clear our own.
        if inFlight == task { inFlight = nil }
        if case .success(let token) = result { current = token }
        return try result.get()
    }

    // MARK: One cache per account and process

    private static let registry = Mutex<[String: WeChatTokenCache]>([:])

    /// The process-wide cache for an account at an endpoint; every adapter
    /// built for it (also after a configuration reload) uses the same one.
    public static func forAccount(endpoint: String, appID: String, clock: any WallClock) -> WeChatTokenCache {
        registry.withLock { caches in
            let key = endpoint + "\n" + appID
            if let cache = caches[key] { return cache }
            let cache = WeChatTokenCache(clock: clock)
            caches[key] = cache
            return cache
        }
    }
}
