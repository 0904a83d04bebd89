/// Failures the Weibo simulator injects into authenticated requests,
/// settable while it runs. Rates are drawn in the order server error, rate
/// limit, drop, slow; ``script`` wins over the rates.
public struct WeiboFaults: Sendable, Hashable {
    /// What the simulator does with one request.
    public enum Fault: Sendable, Hashable {
        /// Handle it normally.
        case accept
        /// HTTP 500 with error 10001 "system error", changing nothing.
        case systemError
        /// HTTP 403 with error 10023 "User requests out of rate limit!", changing nothing.
        case rateLimited
        /// Handle it, then answer only after the delay.
        case slow(Duration)
        /// Close the connection without an answer, changing nothing.
        case drop
        /// Weibo's content review refuses the text: error 20021 包含非法内容, changing nothing.
        case illegalContent
    }

    public var systemErrorRate: Double
    public var rateLimitRate: Double
    public var dropRate: Double
    public var slowRate: Double
    public var slowDelay: Duration
    /// The next requests get exactly these outcomes, in order; then the rates apply again.
    public var script: [Fault]
    public var seed: UInt64

    /// A healthy platform.
    public static let none = WeiboFaults()

    public init(
        systemErrorRate: Double = 0, rateLimitRate: Double = 0, dropRate: Double = 0, slowRate: Double = 0,
        slowDelay: Duration = .seconds(2), script: [Fault] = [], seed: UInt64 = 0x7765_6962_6F
    ) {
        self.systemErrorRate = systemErrorRate
        self.rateLimitRate = rateLimitRate
        self.dropRate = dropRate
        self.slowRate = slowRate
        self.slowDelay = slowDelay
        self.script = script
        self.seed = seed
    }
}
