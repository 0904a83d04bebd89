/// Failures a ``RobotSimulator`` injects into requests that passed its
/// credential and signature checks, settable while it runs.
///
/// Rates are shares of requests drawn in the order server error, throttle,
/// drop, slow; ``script`` wins over the rates.
public struct RobotFaults: Sendable, Hashable {
    /// Share answered 500, 502 or 503.
    public var serverErrorRate: Double
    /// Share answered with the platform's throttle code (45009, 130101, 11232).
    public var throttleRate: Double
    /// Share whose connection is closed without an answer (nothing recorded).
    public var dropRate: Double
    /// Share recorded but answered only after ``slowDelay``.
    public var slowRate: Double
    public var slowDelay: Duration
    /// The next requests get exactly these outcomes, in order.
    public var script: [RobotScriptedFault]
    public var seed: UInt64

    public static let none = RobotFaults()

    public init(
        serverErrorRate: Double = 0, throttleRate: Double = 0, dropRate: Double = 0, slowRate: Double = 0,
        slowDelay: Duration = .seconds(2), script: [RobotScriptedFault] = [], seed: UInt64 = 0x726F_626F_74
    ) {
        self.serverErrorRate = serverErrorRate
        self.throttleRate = throttleRate
        self.dropRate = dropRate
        self.slowRate = slowRate
        self.slowDelay = slowDelay
        self.script = script
        self.seed = seed
    }
}
