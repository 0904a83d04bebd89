public import GongkaiCore
public import Logging
import NIOHTTP1
import NIOConcurrencyHelpers

/// A local stand-in for the WeChat official-account interface
/// (`api.weixin.qq.com/cgi-bin/…`): `stable_token`, `draft/add`,
/// `freepublish/submit|get|delete|batchget`.
///
/// It enforces what the real platform enforces, with its error codes: the
/// AppID/AppSecret and IP whitelist on `stable_token` (40013/40125/40164);
/// the token on every call (41001 missing, 40001 invalid or replaced, 42001
/// expired after 7200 s on the simulator's own clock); the draft limits
/// (title ≤ 32, author ≤ 16, digest ≤ 128, content < 20,000, counted as
/// UTF-16 units: 45003/45110/45004/45002), images off `mmbiz.qpic.cn`
/// (45166) and the cover image (`thumb_media_id` must be a permanent image,
/// 40007). Publishing runs a state machine (``WeChatPublishPlan``); published
/// articles are held for `batchget` and `delete` (53600 for an unknown one).
///
/// Where the real interface is not published, the strict reading was chosen:
/// limits in UTF-16 units; any `<img>` off `mmbiz.qpic.cn` is 45166;
/// an unknown `publish_id` is 40007; `batchget` `count` outside 1–20 is 40097;
/// deleting an already deleted article is 53600.
public final class WeChatSimulator: HTTPServedSimulator {
    private let platform: WeChatPlatform
    let server: SimulatorHTTPServer

    /// - Parameters:
    ///   - permanentMedia: `media_id`s of the account's permanent images (valid `thumb_media_id`s).
    ///   - clock: the simulator's clock, which ``advanceClock(by:)`` moves on.
    public init(
        appID: String, appSecret: String, permanentMedia: Set<String> = ["simThumbMedia"],
        clock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        platform = WeChatPlatform(appID: appID, appSecret: appSecret, permanentMedia: permanentMedia, clock: clock)
        server = SimulatorHTTPServer(endpoint: platform, logger: logger)
    }

    // MARK: Lifecycle: start, stop and baseURL from ``LocalSimulator``; baseURL is the
    // channel's `endpoint` (in place of `https://api.weixin.qq.com`).

    // MARK: Behaviour and faults

    /// Replaces the injected faults and restarts the random sequence.
    public func setFaults(_ faults: WeChatFaults) {
        platform.state.withLockedValue {
            $0.faults = faults
            $0.random = SplitMix64(seed: faults.seed)
        }
    }

    /// How publishes submitted from now on play out.
    public func setPublishPlan(_ plan: WeChatPublishPlan) {
        platform.state.withLockedValue { $0.plan = plan }
    }

    /// Moves the simulator's clock (token expiry) forward.
    public func advanceClock(by milliseconds: Int64) {
        platform.state.withLockedValue { $0.clockOffset += milliseconds }
    }

    /// Makes every issued token invalid (40001), as a forced refresh elsewhere
    /// or a leaked-token reset would; the next `stable_token` issues a new one.
    public func invalidateTokens() {
        platform.state.withLockedValue { state in
            for token in state.tokens.keys { state.tokens[token]?.revoked = true }
            state.currentToken = nil
        }
    }

    /// Revokes the tokens but keeps handing the revoked one out in normal
    /// mode, so only a forced refresh (`force_refresh: true`) gets a working one.
    public func revokeTokensKeepingCurrent() {
        platform.state.withLockedValue { state in
            for token in state.tokens.keys where token != state.currentToken { state.tokens[token]?.revoked = true }
            // Normal mode keeps returning the current one while it is "valid", yet every call refuses it.
            state.refusedToken = state.currentToken
        }
    }

    /// Answers every token with 40001, fresh ones too: what an account whose AppSecret
    /// was reset elsewhere, or whose IP whitelist no longer has this server, looks like.
    public func setRefusingEveryToken(_ refusing: Bool) {
        platform.state.withLockedValue { $0.refuseEveryToken = refusing }
    }

    /// Whether the caller's IP is in the account's whitelist (40164 otherwise).
    public func setIPWhitelisted(_ whitelisted: Bool) {
        platform.state.withLockedValue { $0.ipWhitelisted = whitelisted }
    }

    // MARK: Tampering (for reconciliation tests)

    /// Deletes an article in the account's back office: gone from `batchget`, publish_status 5.
    public func deleteArticleBehindOurBack(_ articleID: String) {
        platform.state.withLockedValue { $0.articles[articleID]?.state = .deletedByUser }
    }

    /// The platform blocks an article: gone from `batchget`, publish_status 6.
    public func blockArticle(_ articleID: String) {
        platform.state.withLockedValue { $0.articles[articleID]?.state = .blocked }
    }

    /// Changes a live article's title, as an edit made in the back office (a stale copy).
    public func retitleArticle(_ articleID: String, to title: String) {
        platform.state.withLockedValue { $0.articles[articleID]?.title = title }
    }

    /// Puts an article back on show (a withdrawal that did not take).
    public func restoreArticle(_ articleID: String) {
        platform.state.withLockedValue { $0.articles[articleID]?.state = .live }
    }

    // MARK: Inspection

    /// Public pages served so far (a citizen's view, no credentials).
    public var pageViewCount: Int {
        platform.state.withLockedValue { $0.pageViews }
    }

    /// Every article ever published, oldest first, whatever its state.
    public func articles() -> [WeChatHeldArticle] {
        platform.state.withLockedValue { state in state.articleOrder.compactMap { state.articles[$0] } }
    }

    /// Articles readers can see.
    public func liveArticles() -> [WeChatHeldArticle] {
        articles().filter { $0.state == .live }
    }

    /// One article by `article_id`, whatever its state.
    public func article(_ articleID: String) -> WeChatHeldArticle? {
        platform.state.withLockedValue { $0.articles[articleID] }
    }

    /// Calls received per API (`stable_token`, `draft/add`, `freepublish/submit` …), refused ones included.
    public func callCount(_ api: String) -> Int {
        platform.state.withLockedValue { $0.calls[api] ?? 0 }
    }

    /// `stable_token` calls with `force_refresh: true` that issued a new token.
    public var forcedRefreshCount: Int {
        platform.state.withLockedValue { $0.forcedRefreshes }
    }

    /// Refused calls by reason: `invalid-token`, `expired-token`, `missing-token`, `invalid-appid`,
    /// `invalid-appsecret`, `ip-not-whitelisted`, `title-too-long`, `author-too-long`,
    /// `digest-too-long`, `content-too-long`, `external-image`, `invalid-thumb`, `invalid-media-id`,
    /// `invalid-publish-id`, `invalid-article-id`, `invalid-args`, `quota`, and the injected
    /// `fault-server-error`, `fault-system-busy`, `fault-dropped`. Zero counts are left out.
    public var rejectedCounts: [String: Int] {
        platform.state.withLockedValue { $0.rejections }
    }
}
