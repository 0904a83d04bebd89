/// Failures the credit-feed simulator injects into whole batch requests,
/// settable while it runs. Rates are shares of authenticated batch
/// submissions, drawn in the order server error, throttle, drop, slow;
/// ``script`` wins over the rates.
public struct CreditFeedFaults: Sendable, Hashable {
    /// What the simulator does with one batch submission.
    public enum Fault: Sendable, Hashable {
        /// Process the batch normally.
        case accept
        /// Answer this 5xx status without processing anything.
        case serverError(status: Int = 503)
        /// Process the batch, then answer only after the delay: a client with
        /// a shorter deadline gives up on a batch that did go through.
        case slow(Duration)
        /// Close the connection without an answer and without processing.
        case drop
        /// Answer 429 `RATE_LIMITED` with this `Retry-After`, processing nothing.
        case throttle(retryAfterSeconds: Int)
    }

    public var serverErrorRate: Double
    public var throttleRate: Double
    public var retryAfterSeconds: Int
    public var dropRate: Double
    public var slowRate: Double
    public var slowDelay: Duration
    /// The next submissions get exactly these outcomes, in order; then the rates apply again.
    public var script: [Fault]
    public var seed: UInt64

    /// A healthy platform.
    public static let none = CreditFeedFaults()

    public init(
        serverErrorRate: Double = 0, throttleRate: Double = 0, retryAfterSeconds: Int = 1, dropRate: Double = 0,
        slowRate: Double = 0, slowDelay: Duration = .seconds(2), script: [Fault] = [], seed: UInt64 = 0x6372_6564
    ) {
        self.serverErrorRate = serverErrorRate
        self.throttleRate = throttleRate
        self.retryAfterSeconds = retryAfterSeconds
        self.dropRate = dropRate
        self.slowRate = slowRate
        self.slowDelay = slowDelay
        self.script = script
        self.seed = seed
    }
}
