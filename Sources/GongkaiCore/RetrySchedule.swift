/// What to do after a delivery attempt failed.
public enum RetryDecision: Sendable, Equatable {
    /// Try again once this many milliseconds have passed.
    case retry(after: Int64)
    /// The schedule has no attempts left; the item needs an operator.
    case exhausted
}

/// When to retry a failed delivery, as a value rather than sleeps scattered
/// through the sender, so the same rules are stored with a channel, shown to
/// operators and tested without a clock.
///
/// `delays[k]` is the wait before attempt `k + 2`, i.e. after the `k + 1`-th
/// failure; once every delay has been used the schedule is exhausted. Each
/// delay is spread by ±``jitter`` so a platform that comes back after an outage
/// is not hit by every queued item in the same second.
///
/// ``standard`` follows Svix's webhook schedule:
///
/// | Failed attempts | Base delay | Range with ±20 % jitter | Elapsed since first attempt (base) |
/// |----------------:|-----------:|:------------------------|-----------------------------------:|
/// | 1               | 5 s        | 4 s – 6 s               | 5 s                                |
/// | 2               | 5 min      | 4 min – 6 min           | 5 min 5 s                          |
/// | 3               | 30 min     | 24 min – 36 min         | 35 min 5 s                         |
/// | 4               | 2 h        | 1 h 36 min – 2 h 24 min | 2 h 35 min 5 s                     |
/// | 5               | 5 h        | 4 h – 6 h               | 7 h 35 min 5 s                     |
/// | 6               | 10 h       | 8 h – 12 h              | 17 h 35 min 5 s                    |
/// | 7               | 10 h       | 8 h – 12 h              | 27 h 35 min 5 s                    |
/// | 8               | exhausted  |                         |                                    |
///
/// That is eight attempts in total over roughly a day, long enough to ride out
/// a platform's overnight maintenance window.
///
/// Then two signals from the platform can lengthen (never shorten) the wait:
/// a throttling response (HTTP 429, a timeout, a platform quota error code)
/// waits at least ``minimumThrottleDelay``, and a `Retry-After` longer than
/// the computed delay is honoured up to ``maximumRetryAfter``, so a hostile or
/// buggy header cannot park an item for a week. ``maximumDelay`` caps the result.
///
/// Decoding validates like ``init(delays:jitter:minimumThrottleDelay:maximumRetryAfter:maximumDelay:)``
/// and fills missing optional fields with their defaults.
public struct RetrySchedule: Sendable, Equatable, Codable {
    /// Milliseconds to wait after the k-th failed attempt (index k − 1); never empty, all > 0.
    public let delays: [Int64]
    /// Fraction of each delay by which it is randomly spread in both directions, in [0, 1).
    public let jitter: Double
    /// Least wait after a response that says the platform is overloaded, in milliseconds.
    public let minimumThrottleDelay: Int64
    /// Longest `Retry-After` gongkai will honour, in milliseconds.
    public let maximumRetryAfter: Int64
    /// Upper bound on any decided delay, in milliseconds.
    public let maximumDelay: Int64

    /// Default ``jitter``: ±20 %.
    public static let defaultJitter = 0.2
    /// Default ``minimumThrottleDelay``: 5 s.
    public static let defaultMinimumThrottleDelay: Int64 = 5_000
    /// Default ``maximumRetryAfter``: 1 h.
    public static let defaultMaximumRetryAfter: Int64 = 3_600_000
    /// Default ``maximumDelay``: 1 d, above the 12 h that the standard schedule's jitter can reach.
    public static let defaultMaximumDelay: Int64 = 86_400_000

    /// The Svix-like schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h with ±20 % jitter.
    public static let standard = RetrySchedule(
        unchecked: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
        jitter: defaultJitter,
        minimumThrottleDelay: defaultMinimumThrottleDelay,
        maximumRetryAfter: defaultMaximumRetryAfter,
        maximumDelay: defaultMaximumDelay
    )

    /// Creates a schedule, rejecting values that would retry instantly, never, or erratically.
    ///
    /// - Throws: ``GongkaiError`` (`.invalidField`, with `field` naming the
    ///   parameter) when `delays` is empty or holds a value ≤ 0, `jitter` is
    ///   outside [0, 1), or a bound is negative (`maximumDelay` must be > 0).
    public init(
        delays: [Int64],
        jitter: Double = RetrySchedule.defaultJitter,
        minimumThrottleDelay: Int64 = RetrySchedule.defaultMinimumThrottleDelay,
        maximumRetryAfter: Int64 = RetrySchedule.defaultMaximumRetryAfter,
        maximumDelay: Int64 = RetrySchedule.defaultMaximumDelay
    ) throws(GongkaiError) {
        guard !delays.isEmpty else {
            throw GongkaiError(.invalidField, "a retry schedule needs at least one delay", field: "delays")
        }
        if let index = delays.firstIndex(where: { $0 <= 0 }) {
            throw GongkaiError(
                .invalidField, "retry delays must be longer than zero, got \(delays[index]) ms",
                field: "delays[\(index)]")
        }
        // Written as a positive range check so NaN is rejected too.
        guard jitter >= 0, jitter < 1 else {
            throw GongkaiError(.invalidField, "jitter must be at least 0 and below 1, got \(jitter)", field: "jitter")
        }
        guard minimumThrottleDelay >= 0 else {
            throw GongkaiError(
                .invalidField, "minimum throttle delay cannot be negative", field: "minimumThrottleDelay")
        }
        guard maximumRetryAfter >= 0 else {
            throw GongkaiError(.invalidField, "maximum Retry-After cannot be negative", field: "maximumRetryAfter")
        }
        guard maximumDelay > 0 else {
            throw GongkaiError(.invalidField, "maximum delay must be longer than zero", field: "maximumDelay")
        }
        self.init(
            unchecked: delays, jitter: jitter, minimumThrottleDelay: minimumThrottleDelay,
            maximumRetryAfter: maximumRetryAfter, maximumDelay: maximumDelay)
    }

    /// Creates a schedule from duration text as written in channel files, e.g. `delays: [5s, 5m, 30m]`.
    ///
    /// - Throws: ``GongkaiError`` (`.invalidField`) with `field` set to
    ///   `delays[i]` for unreadable text, or as the designated initializer does.
    public init(
        spec: [String],
        jitter: Double = RetrySchedule.defaultJitter,
        minimumThrottleDelay: Int64 = RetrySchedule.defaultMinimumThrottleDelay,
        maximumRetryAfter: Int64 = RetrySchedule.defaultMaximumRetryAfter,
        maximumDelay: Int64 = RetrySchedule.defaultMaximumDelay
    ) throws(GongkaiError) {
        var delays: [Int64] = []
        delays.reserveCapacity(spec.count)
        for (index, text) in spec.enumerated() {
            do throws(GongkaiError) {
                delays.append(try DurationText.milliseconds(text))
            } catch {
                var located = error
                located.field = "delays[\(index)]"
                throw located
            }
        }
        try self.init(
            delays: delays, jitter: jitter, minimumThrottleDelay: minimumThrottleDelay,
            maximumRetryAfter: maximumRetryAfter, maximumDelay: maximumDelay)
    }

    private init(
        unchecked delays: [Int64], jitter: Double, minimumThrottleDelay: Int64,
        maximumRetryAfter: Int64, maximumDelay: Int64
    ) {
        self.delays = delays
        self.jitter = jitter
        self.minimumThrottleDelay = minimumThrottleDelay
        self.maximumRetryAfter = maximumRetryAfter
        self.maximumDelay = maximumDelay
    }

    /// Decodes and validates a schedule; absent optional fields take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            delays: try container.decode([Int64].self, forKey: .delays),
            jitter: try container.decodeIfPresent(Double.self, forKey: .jitter) ?? Self.defaultJitter,
            minimumThrottleDelay: try container.decodeIfPresent(Int64.self, forKey: .minimumThrottleDelay)
                ?? Self.defaultMinimumThrottleDelay,
            maximumRetryAfter: try container.decodeIfPresent(Int64.self, forKey: .maximumRetryAfter)
                ?? Self.defaultMaximumRetryAfter,
            maximumDelay: try container.decodeIfPresent(Int64.self, forKey: .maximumDelay)
                ?? Self.defaultMaximumDelay
        )
    }

    /// Total attempts the schedule allows, counting the first one.
    public var maximumAttempts: Int { delays.count + 1 }

    /// Decides whether and when to try again.
    ///
    /// - Parameters:
    ///   - attempts: how many attempts have failed so far, counting this one;
    ///     values below 1 are treated as 1 so a bookkeeping slip retries rather than traps.
    ///   - retryAfter: the platform's `Retry-After`, already converted to milliseconds, if any.
    ///   - throttled: whether the failure says the platform is overloaded
    ///     (429, timeout, quota error code), which imposes ``minimumThrottleDelay``.
    ///   - randomUnit: a uniform random value in [0, 1) from the caller, so
    ///     tests and replays are deterministic; values outside are clamped.
    /// - Returns: ``RetryDecision/exhausted`` once `attempts` exceeds `delays.count`,
    ///   otherwise the delay in milliseconds, between 0 and ``maximumDelay``.
    public func decision(
        afterFailedAttempts attempts: Int, retryAfter: Int64?, throttled: Bool, randomUnit: Double
    ) -> RetryDecision {
        let index = max(attempts, 1) - 1
        guard index < delays.count else {
            return .exhausted
        }
        let unit = randomUnit.isNaN ? 0.5 : min(max(randomUnit, 0), 1)
        let factor = 1 + jitter * (2 * unit - 1)
        var delay = Self.clampedMilliseconds(Double(delays[index]) * factor, limit: maximumDelay)
        if throttled {
            delay = max(delay, minimumThrottleDelay)
        }
        if let retryAfter {
            delay = max(delay, min(retryAfter, maximumRetryAfter))
        }
        return .retry(after: min(max(delay, 0), maximumDelay))
    }

    // Rounds in floating point but never converts a value Int64 cannot hold, which would trap.
    private static func clampedMilliseconds(_ value: Double, limit: Int64) -> Int64 {
        let rounded = value.rounded()
        guard rounded < Double(limit) else {
            return limit
        }
        return rounded > 0 ? Int64(rounded) : 0
    }
}
