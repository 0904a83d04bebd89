/// A post as the Weibo simulator holds it.
public struct WeiboPost: Sendable, Equatable {
    /// `idstr`, the post's id.
    public var id: String
    public var text: String
    /// Order of creation, for the newest-first timeline.
    public var sequence: Int
}
