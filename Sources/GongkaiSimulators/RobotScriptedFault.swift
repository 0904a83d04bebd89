/// What a ``RobotSimulator`` does with one request; the unit of a ``RobotFaults/script``.
public enum RobotScriptedFault: Sendable, Hashable {
    /// Apply the platform's rules as usual.
    case accept
    /// Answer this 5xx status without recording.
    case serverError(status: Int = 503)
    /// Answer the platform's throttle code without recording.
    case throttle
    /// Answer the platform's overload code (DingTalk 410100, 发送速度太快而限流) without recording.
    case platformThrottle
    /// The robot was deleted from its group: its token is no longer known (DingTalk 300005).
    case robotRemoved
    /// Close the connection without an answer, without recording.
    case drop
    /// Record the message, then answer only after this long.
    case slow(Duration)
}
