/// Why a ``RobotSimulator`` refused a message; the keys of
/// ``RobotSimulator/rejectedCounts``.
public enum RobotRejection: String, Sendable, CaseIterable {
    /// Wrong WeCom key, DingTalk access token or Feishu hook token.
    case badCredential = "bad-credential"
    /// No credential at all (DingTalk: no `access_token` parameter, 300005).
    case missingCredential = "missing-credential"
    /// The signature does not match the secret.
    case badSignature = "bad-signature"
    /// The signed timestamp is missing or outside the tolerance.
    case staleTimestamp = "stale-timestamp"
    /// Over the per-window (or Feishu per-second) limit.
    case rateLimited = "rate-limited"
    /// Text or body over the size limit.
    case tooLong = "too-long"
    /// Not JSON, or not the message shape the platform takes.
    case malformed = "malformed"
    /// Injected faults.
    case injectedServerError = "injected-server-error"
    case injectedThrottle = "injected-throttle"
    /// The platform's own overload answer, beyond one robot's window (DingTalk 410100).
    case injectedPlatformThrottle = "injected-platform-throttle"
    case injectedDrop = "injected-drop"
}
