/// How the WeChat simulator plays out the publishes submitted from now on.
public struct WeChatPublishPlan: Sendable, Hashable {
    /// `freepublish/get` answers `publish_status` 1 (发布中) this many times first.
    public var pollsInProgress: Int
    /// Then this status: 0 success, or a failure 2 原创失败, 3 常规失败, 4 平台审核不通过.
    /// (5 and 6 come from ``WeChatSimulator/deleteArticleBehindOurBack(_:)`` and ``WeChatSimulator/blockArticle(_:)``.)
    public var finalStatus: Int

    /// Published at the first poll.
    public static let immediate = WeChatPublishPlan()

    /// A plan; the default publishes at the first poll.
    public init(pollsInProgress: Int = 0, finalStatus: Int = 0) {
        self.pollsInProgress = pollsInProgress
        self.finalStatus = finalStatus
    }
}
