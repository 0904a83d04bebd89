/// `freepublish/get`'s `publish_status`, with the meaning an operator reads.
public enum WeChatPublishStatus: Int, Sendable, CaseIterable {
    case succeeded = 0
    case publishing = 1
    case originalityFailed = 2
    case failed = 3
    case rejectedByReview = 4
    case deletedByUser = 5
    case blockedByPlatform = 6

    /// The platform's own words, then English.
    public var meaning: String {
        switch self {
        case .succeeded: return "成功 (published)"
        case .publishing: return "发布中 (still publishing)"
        case .originalityFailed: return "原创失败 (the originality (原创) declaration failed)"
        case .failed: return "常规失败 (ordinary publishing failure)"
        case .rejectedByReview: return "平台审核不通过 (rejected by WeChat's content review)"
        case .deletedByUser: return "成功后用户删除所有文章 (published, then every article was deleted by an account user)"
        case .blockedByPlatform: return "成功后系统封禁所有文章 (published, then every article was blocked by WeChat)"
        }
    }

    /// Statuses 2–6: the publish is over and nothing of it is live.
    public var isFailure: Bool { rawValue >= 2 }
}
