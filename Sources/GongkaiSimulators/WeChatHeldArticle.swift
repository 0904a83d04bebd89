/// One article the WeChat simulator published, as a test inspects it.
public struct WeChatHeldArticle: Sendable, Equatable {
    /// Whether readers can see it, and if not, why.
    public enum State: String, Sendable, Equatable {
        case live
        /// Removed with `freepublish/delete`.
        case deleted
        /// Removed in the account's back office (publish_status 5).
        case deletedByUser
        /// Blocked by the platform (publish_status 6).
        case blocked
    }

    /// `article_id`, our remote id.
    public var articleID: String
    /// The `publish_id` that made it.
    public var publishID: String
    /// The `draft/add` fields as received.
    public var title: String
    /// Empty author is kept as nil.
    public var author: String?
    /// `digest` as received.
    public var digest: String
    /// `content` HTML as received.
    public var content: String
    /// `content_source_url` (阅读原文).
    public var contentSourceURL: String?
    /// The cover image's `media_id`.
    public var thumbMediaID: String
    /// `https://mp.weixin.qq.com/s/<article_id>`.
    public var url: String
    /// Unix seconds, on the simulator's clock.
    public var updateTime: Int64
    /// Live, or why not.
    public var state: State
}
