import GongkaiCore
public import Logging
import NIOConcurrencyHelpers

/// A local stand-in for the Weibo open API v2 (paths with or without `/2`):
///
/// - `POST statuses/share.json` (form `access_token`, `status`): refuses a
///   missing token (21301), a wrong one (21332), an expired one (21327), text
///   over 140 units (20012; half-width characters count half, links at full
///   length), a status without a link (10008), a link off the registered
///   domain (20021), text identical to a post it holds (20019), and more
///   than `postsPerHour` posts in an hour (10023, HTTP 403).
/// - `POST statuses/destroy.json` (`id`): 20101 when the post does not exist.
/// - `GET statuses/user_timeline.json?page=&count=`: newest first, `total_number`.
/// - `GET account/get_uid.json`: `{"uid": ...}`.
///
/// The token may come in the form, the query or `Authorization: OAuth2 <token>`.
public final class WeiboSimulator: HTTPServedSimulator {
    private let platform: WeiboPlatform
    let server: SimulatorHTTPServer

    /// - Parameters:
    ///   - accessToken: The token gongkai must present.
    ///   - registeredDomain: The app's safe domain; links must be on it or a subdomain.
    ///   - postsPerHour: Posts allowed in any hour before 10023.
    public init(
        accessToken: String, registeredDomain: String, uid: Int64 = 7_654_321_098, postsPerHour: Int = 30,
        logger: Logger
    ) {
        platform = WeiboPlatform(
            accessToken: accessToken, registeredDomain: registeredDomain, uid: uid, postsPerHour: postsPerHour)
        server = SimulatorHTTPServer(endpoint: platform, logger: logger)
    }

    // MARK: Lifecycle: start, stop and baseURL from ``LocalSimulator``; baseURL is the
    // channel's `endpoint` (in place of `https://api.weibo.com/2`).

    // MARK: Faults and limits

    /// Replaces the injected faults; restarts the script and the random sequence.
    public func setFaults(_ faults: WeiboFaults) {
        platform.state.withLockedValue { state in
            state.faults = faults
            state.scriptPosition = 0
            state.random = SplitMix64(seed: faults.seed)
        }
    }

    /// Changes the hourly post limit (and forgets the posts counted so far).
    public func setPostsPerHour(_ limit: Int) {
        platform.state.withLockedValue { state in
            state.postsPerHour = limit
            state.recentPosts = []
        }
    }

    /// Makes the token expired (21327) or valid again, as when the operator re-authorises.
    public func setTokenExpired(_ expired: Bool) {
        platform.state.withLockedValue { $0.tokenExpired = expired }
    }

    // MARK: Inspection

    /// The posts held, newest first.
    public func posts() -> [WeiboPost] {
        platform.state.withLockedValue { Array($0.posts.values) }.sorted { $0.sequence > $1.sequence }
    }

    /// The post with this id.
    public func post(id: String) -> WeiboPost? {
        platform.state.withLockedValue { $0.posts[id] }
    }

    /// `statuses/share` requests that passed the token and fault checks.
    public var shareRequestCount: Int {
        platform.state.withLockedValue { $0.shareRequests }
    }

    /// Refusals by Weibo error code ("20019", "21332" …) and `dropped`.
    public var rejectedCounts: [String: Int] {
        platform.state.withLockedValue { $0.rejected }
    }

    // MARK: Tampering (for reconciliation tests)

    /// Public pages served so far (a citizen's view, no credentials).
    public var pageViewCount: Int {
        platform.state.withLockedValue { $0.pageViews }
    }

    /// Deletes a post behind gongkai's back.
    public func deletePost(id: String) {
        platform.state.withLockedValue { _ = $0.posts.removeValue(forKey: id) }
    }

    /// Replaces a post's text, as if an old version were still shown.
    public func setText(id: String, text: String) {
        platform.state.withLockedValue { $0.posts[id]?.text = text }
    }

    /// Acknowledges deletions of this post from now on but keeps showing it.
    public func keepLiveOnDelete(id: String) {
        platform.state.withLockedValue { _ = $0.ignoreDelete.insert(id) }
    }
}
