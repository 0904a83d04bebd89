/// What a ``RobotSimulator`` does with one request; the unit of a ``RobotFaults/script``.
public enum RobotScriptedFault: Sendable, Hashable {
    /// Apply the platform's rules as usual.
    case accept
    /// Answer this 5xx status without recording.
    case serverError(status: Int = 503)
    /// Answer the platform's throttle code without recording.
    case throttle
    /// Close the connection without an answer, without recording.
    case drop
    /// Record the message, then answer only after this long.
    case slow(Duration)
}
