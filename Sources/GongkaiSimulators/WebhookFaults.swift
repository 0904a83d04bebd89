/// Failures the webhook simulator injects, settable while it runs.
///
/// Rates are shares of all requests that pass signature and body checks, drawn
/// with one random number per request in the order server error, throttle,
/// permanent, drop, slow; if they add up to more than 1 the later ones get
/// what is left. ``permanentItemIDs`` wins over the rates, ``gone`` over both,
/// and ``script`` over everything.
public struct WebhookFaults: Sendable, Hashable {
    /// Share of requests answered 500, 502 or 503.
    public var serverErrorRate: Double
    /// Share of requests recorded but answered only after ``slowDelay``.
    public var slowRate: Double
    /// How late a slow answer comes; make it longer than the client's deadline to force a timeout.
    public var slowDelay: Duration
    /// Share of requests whose connection is closed without a response.
    public var dropRate: Double
    /// Share of requests answered 429 with `Retry-After: retryAfterSeconds`.
    public var throttleRate: Double
    /// The `Retry-After` value of throttled answers.
    public var retryAfterSeconds: Int
    /// Share of requests answered 422 `rejected by platform validation`.
    public var permanentRate: Double
    /// Items the platform always refuses with 422.
    public var permanentItemIDs: Set<String>
    /// The next requests get exactly these outcomes, in order; then the rates apply again.
    public var script: [ScriptedFault]
    /// The receiver removed the endpoint: every request is answered 410 Gone until this is cleared.
    public var gone: Bool
    /// Seeds the random draws, so a run with the same request order repeats.
    public var seed: UInt64

    /// A healthy receiver.
    public static let none = WebhookFaults()

    /// Every parameter defaults to "no fault".
    public init(
        serverErrorRate: Double = 0, slowRate: Double = 0, slowDelay: Duration = .seconds(2),
        dropRate: Double = 0, throttleRate: Double = 0, retryAfterSeconds: Int = 1,
        permanentRate: Double = 0, permanentItemIDs: Set<String> = [], script: [ScriptedFault] = [],
        gone: Bool = false, seed: UInt64 = 0x6F6E_676B_6169
    ) {
        self.serverErrorRate = serverErrorRate
        self.slowRate = slowRate
        self.slowDelay = slowDelay
        self.dropRate = dropRate
        self.throttleRate = throttleRate
        self.retryAfterSeconds = retryAfterSeconds
        self.permanentRate = permanentRate
        self.permanentItemIDs = permanentItemIDs
        self.script = script
        self.gone = gone
        self.seed = seed
    }

    /// Whether any fault can happen, so a healthy receiver skips the draw.
    var isActive: Bool {
        serverErrorRate > 0 || slowRate > 0 || dropRate > 0 || throttleRate > 0
            || permanentRate > 0 || !permanentItemIDs.isEmpty || !script.isEmpty || gone
    }
}
