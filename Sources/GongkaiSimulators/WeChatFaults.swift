/// Failures the WeChat simulator injects, settable while it runs.
///
/// Rates are shares of the API calls other than `stable_token` (unless
/// ``includeTokenCalls``), drawn in the order server error, system busy, drop,
/// slow. ``busyAPIs`` and ``quotaExhausted`` win over the rates.
public struct WeChatFaults: Sendable, Hashable {
    /// Share of calls answered HTTP 500/502/503.
    public var serverErrorRate: Double
    /// Share of calls answered `{"errcode":-1,"errmsg":"system error"}` (系统繁忙).
    public var systemBusyRate: Double
    /// Share of calls whose connection is closed without an answer (after the call took effect).
    public var dropRate: Double
    /// Share of calls answered only after ``slowDelay`` (after the call took effect).
    public var slowRate: Double
    /// How late a slow answer comes.
    public var slowDelay: Duration
    /// Calls to these APIs (`freepublish/delete` …) all answer -1 system busy.
    public var busyAPIs: Set<String>
    /// Every call answers 45009 `reach max api daily quota limit`.
    public var quotaExhausted: Bool
    /// Let the rates apply to `stable_token` too.
    public var includeTokenCalls: Bool
    /// Seeds the random draws.
    public var seed: UInt64

    /// A healthy platform.
    public static let none = WeChatFaults()

    /// Every parameter defaults to "no fault".
    public init(
        serverErrorRate: Double = 0, systemBusyRate: Double = 0, dropRate: Double = 0, slowRate: Double = 0,
        slowDelay: Duration = .seconds(2), busyAPIs: Set<String> = [], quotaExhausted: Bool = false, includeTokenCalls: Bool = false,
        seed: UInt64 = 0x7765_6368_6174
    ) {
        self.serverErrorRate = serverErrorRate
        self.systemBusyRate = systemBusyRate
        self.dropRate = dropRate
        self.slowRate = slowRate
        self.slowDelay = slowDelay
        self.busyAPIs = busyAPIs
        self.quotaExhausted = quotaExhausted
        self.includeTokenCalls = includeTokenCalls
        self.seed = seed
    }
}
