/// What the portal or disclosure-platform simulator does with one
/// authenticated request; the unit of a ``PublishingFaults/script``.
public enum PublishingScriptedFault: Sendable, Hashable {
    /// Apply the platform's rules as usual.
    case accept
    /// Answer this 5xx status (with the platform's internal-error code) without applying anything.
    case serverError(status: Int = 503)
    /// Answer the platform's throttle answer with `Retry-After` of this many seconds, without applying.
    case throttle(retryAfterSeconds: Int)
    /// Close the connection without an answer, without applying.
    case drop
    /// Apply the request, then close the connection without an answer: the
    /// change happened but the client never learns it (a lost answer).
    case dropAfterApplying
    /// Apply the request, then answer only after this long.
    case slow(Duration)
}
