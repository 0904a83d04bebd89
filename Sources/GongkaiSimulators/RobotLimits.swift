/// What a ``RobotSimulator`` enforces. The window is configurable so that a
/// test can use "20 per second" where the platform says "20 per minute".
public struct RobotLimits: Sendable, Hashable {
    /// Accepted messages allowed in any ``window``-long span.
    public var messagesPerWindow: Int
    public var window: Duration
    /// Feishu's second cap (5 a second); nil where the platform has none.
    public var messagesPerSecond: Int?
    /// Largest message text in UTF-8 bytes (WeCom markdown content, DingTalk markdown text).
    public var maxContentBytes: Int?
    /// Largest request body in bytes (Feishu).
    public var maxBodyBytes: Int?
    /// How far a signed timestamp may be from the simulator's clock.
    public var timestampTolerance: Duration

    public init(
        messagesPerWindow: Int, window: Duration, messagesPerSecond: Int? = nil, maxContentBytes: Int? = nil,
        maxBodyBytes: Int? = nil, timestampTolerance: Duration = .seconds(3600)
    ) {
        self.messagesPerWindow = messagesPerWindow
        self.window = window
        self.messagesPerSecond = messagesPerSecond
        self.maxContentBytes = maxContentBytes
        self.maxBodyBytes = maxBodyBytes
        self.timestampTolerance = timestampTolerance
    }

    var windowMilliseconds: Int64 {
        window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000
    }
    var toleranceMilliseconds: Int64 {
        timestampTolerance.components.seconds * 1000 + timestampTolerance.components.attoseconds / 1_000_000_000_000_000
    }
}
