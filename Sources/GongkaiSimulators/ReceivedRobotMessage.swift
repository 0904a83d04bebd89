/// One message a ``RobotSimulator`` accepted, as the group would show it.
public struct ReceivedRobotMessage: Sendable, Hashable {
    /// `markdown`, `text` or `post`.
    public var messageType: String
    /// DingTalk's markdown title (shown in the notification); nil elsewhere.
    public var title: String?
    /// The message text (WeCom content, DingTalk text, Feishu text or the post's joined lines).
    public var text: String
    /// Unix milliseconds on the simulator's clock.
    public var receivedAt: Int64
    /// The whole request body, to assert what did (not) arrive.
    public var body: String

    public init(messageType: String, title: String?, text: String, receivedAt: Int64, body: String) {
        self.messageType = messageType
        self.title = title
        self.text = text
        self.receivedAt = receivedAt
        self.body = body
    }
}
