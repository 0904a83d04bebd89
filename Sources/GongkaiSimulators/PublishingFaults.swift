/// Failures the portal and disclosure-platform simulators inject into
/// requests that passed authentication, settable while they run.
///
/// Rates are shares of those requests, drawn with one random number per
/// request in the order server error, throttle, drop, slow; if they add up
/// to more than 1 the later ones get what is left. ``script`` wins over the rates.
public struct PublishingFaults: Sendable, Hashable {
    /// Share answered with a 5xx (the platform's internal-error code where it has one).
    public var serverErrorRate: Double
    /// Share answered with the platform's throttle answer (429, `Retry-After`).
    public var throttleRate: Double
    /// The `Retry-After` seconds of a throttled answer.
    public var retryAfterSeconds: Int
    /// Share whose connection is closed without an answer, nothing applied.
    public var dropRate: Double
    /// Share applied, then answered only after ``slowDelay``: past the
    /// client's deadline this is a lost answer to a request that did take effect.
    public var slowRate: Double
    /// How late a slow answer comes.
    public var slowDelay: Duration
    /// The next requests get exactly these outcomes, in order; then the rates apply again.
    public var script: [PublishingScriptedFault]
    /// Seeds the random draws, so a run with the same request order repeats.
    public var seed: UInt64

    /// A healthy platform.
    public static let none = PublishingFaults()

    /// Every parameter defaults to "no fault".
    public init(
        serverErrorRate: Double = 0, throttleRate: Double = 0, retryAfterSeconds: Int = 1, dropRate: Double = 0,
        slowRate: Double = 0, slowDelay: Duration = .seconds(2), script: [PublishingScriptedFault] = [],
        seed: UInt64 = 0x6D65_6E68_750A
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
