/// What the webhook simulator does with one request; the unit of a
/// ``WebhookFaults/script``.
public enum ScriptedFault: Sendable, Hashable {
    /// Behave like a healthy receiver: record the delivery and answer 200.
    case accept
    /// Answer this 5xx status (500, 502, 503 …) without recording.
    case serverError(status: Int = 503)
    /// Record the delivery, then answer 200 only after `delay`, so a client
    /// with a shorter deadline gives up on a delivery that did arrive.
    case slow(Duration)
    /// Close the TCP connection without any response.
    case drop
    /// Answer 429 with a `Retry-After` header of this many seconds.
    case throttle(retryAfterSeconds: Int)
    /// Answer 422, as a platform whose validation refuses the content.
    case permanent
    /// Answer 410 Gone, as a receiver that removed this endpoint (Standard Webhooks:
    /// the sender should disable the endpoint and stop sending to it).
    case gone
}
