/// A rate limit as a pure value: the caller passes the time in, so it needs no
/// clock, lock or timer and costs a few integer operations per send.
///
/// The bucket holds up to ``burst`` tokens, starts full, and refills
/// continuously at ``ratePerSecond``. Over any window of length W it grants at
/// most `burst − 1 + ⌈rate·W⌉` tokens.
///
/// Tokens are counted in integer fractions (1 token = 60,000,000,000 credits)
/// rather than `Double`, because with floating point a rate like 20 per minute
/// can leave 0.9999999 tokens at the moment ``waitTime(for:now:)`` promised a
/// whole one, and the sender would wake up only to be refused. Per-minute rates
/// and rates in steps of 1/60,000,000 per second are exact.
///
/// A clock that goes backwards neither refills nor drains the bucket.
public struct TokenBucket: Sendable, Equatable {
    // 60e9 makes whole-per-minute rates (n·10⁶ credits/ms) and whole-per-second
    // rates (n·6·10⁷ credits/ms) exact, and leaves room for bursts up to ~1.5·10⁸.
    private static let creditsPerToken: Int64 = 60_000_000_000

    /// Largest number of tokens the bucket holds, i.e. how many sends may go out
    /// back to back (`Int.max` for ``unlimited``).
    public let burst: Int
    private let creditsPerMillisecond: Int64
    private let capacity: Int64
    private let isUnlimitedBucket: Bool
    private var credits: Int64
    // nil until first used: a full bucket has nothing to refill, so no start time is needed.
    private var lastRefill: Int64?

    /// A bucket that always grants everything and never waits, for channels with no known limit.
    public static let unlimited = TokenBucket(
        checkedBurst: .max, creditsPerMillisecond: 0, isUnlimited: true)

    /// Tokens added per second (0 for ``unlimited``).
    public var ratePerSecond: Double {
        Double(creditsPerMillisecond) * 1_000 / Double(Self.creditsPerToken)
    }

    /// Whether this is the ``unlimited`` bucket.
    public var isUnlimited: Bool { isUnlimitedBucket }

    /// Creates a full bucket.
    ///
    /// - Parameters:
    ///   - ratePerSecond: tokens added per second; may be fractional (0.5 = one every 2 s).
    ///   - burst: capacity, at least 1.
    /// - Throws: ``GongkaiError`` (`.invalidField`, `field` naming the parameter)
    ///   when the rate is not finite or lies outside about 1e-8 to 1e11 per
    ///   second, or `burst` is below 1 or above 100,000,000.
    public init(ratePerSecond: Double, burst: Int) throws(GongkaiError) {
        let perMillisecond = (ratePerSecond * Double(Self.creditsPerToken) / 1_000).rounded()
        guard ratePerSecond.isFinite, perMillisecond >= 1, perMillisecond < 9e18 else {
            throw GongkaiError(
                .invalidField, "rate must be a positive number of tokens per second, got \(ratePerSecond)",
                field: "ratePerSecond")
        }
        try self.init(creditsPerMillisecond: Int64(perMillisecond), burst: burst)
    }

    /// Creates a bucket for a platform quota quoted per minute, such as "20 messages per minute",
    /// that never sends more than `perMinute` in any 60 s window.
    ///
    /// A plain bucket with rate n/min and burst b would allow `b + n − 1` in the
    /// minute that starts with a full bucket, breaking the quota. So the rate is
    /// set to `(perMinute − burst + 1)` per minute: with the default burst of 1
    /// that is exactly `perMinute` per minute, evenly spaced (20/min ⇒ one every
    /// 3 s); a larger burst buys immediacy at the cost of long-run throughput.
    ///
    /// - Parameters:
    ///   - perMinute: the quota, at least 1.
    ///   - burst: how many may go out back to back, from 1 to `perMinute`; `nil` means 1.
    /// - Throws: ``GongkaiError`` (`.invalidField`) when `perMinute` < 1 or `burst` is outside 1...perMinute.
    public init(perMinute: Int, burst: Int? = nil) throws(GongkaiError) {
        guard perMinute >= 1, perMinute <= 100_000_000 else {
            throw GongkaiError(
                .invalidField, "per-minute rate must be from 1 to 100000000, got \(perMinute)", field: "perMinute")
        }
        let burst = burst ?? 1
        guard burst >= 1, burst <= perMinute else {
            throw GongkaiError(
                .invalidField, "burst must be from 1 to the per-minute rate \(perMinute), got \(burst)",
                field: "burst")
        }
        let tokensPerMinute = Int64(perMinute - burst + 1)
        try self.init(creditsPerMillisecond: tokensPerMinute * (Self.creditsPerToken / 60_000), burst: burst)
    }

    private init(creditsPerMillisecond: Int64, burst: Int) throws(GongkaiError) {
        guard burst >= 1, burst <= 100_000_000 else {
            throw GongkaiError(.invalidField, "burst must be from 1 to 100000000, got \(burst)", field: "burst")
        }
        self.init(checkedBurst: burst, creditsPerMillisecond: creditsPerMillisecond, isUnlimited: false)
    }

    private init(checkedBurst burst: Int, creditsPerMillisecond: Int64, isUnlimited: Bool) {
        self.burst = burst
        self.creditsPerMillisecond = creditsPerMillisecond
        // The unlimited bucket never counts, and Int.max tokens would overflow the credits.
        self.capacity = isUnlimited ? 0 : Int64(burst) * Self.creditsPerToken
        self.isUnlimitedBucket = isUnlimited
        self.credits = capacity
        self.lastRefill = nil
    }

    /// Whole tokens that could be taken at `now`, without taking them.
    public func available(now: Int64) -> Int {
        if isUnlimitedBucket { return Int.max }
        return Int(creditsAt(now) / Self.creditsPerToken)
    }

    /// Takes up to `wanted` tokens that are available at `now`.
    ///
    /// - Returns: how many were granted, from 0 to `wanted` (0 when `wanted` ≤ 0);
    ///   the caller sends that many and defers the rest.
    public mutating func take(_ wanted: Int, now: Int64) -> Int {
        guard wanted > 0 else { return 0 }
        if isUnlimitedBucket { return wanted }
        credits = creditsAt(now)
        if lastRefill.map({ now > $0 }) ?? true {
            lastRefill = now
        }
        let granted = min(wanted, Int(credits / Self.creditsPerToken))
        credits -= Int64(granted) * Self.creditsPerToken
        return granted
    }

    /// Milliseconds from `now` until `count` tokens would be available, assuming
    /// nothing else takes any; 0 if they are available already.
    ///
    /// Returns `Int64.max` when `count` exceeds ``burst``, since the bucket can
    /// never hold that many: take them in smaller batches.
    public func waitTime(for count: Int = 1, now: Int64) -> Int64 {
        if isUnlimitedBucket || count <= 0 { return 0 }
        guard count <= burst else { return .max }
        let missing = Int64(count) * Self.creditsPerToken - creditsAt(now)
        guard missing > 0 else { return 0 }
        // Round up: arriving one millisecond early would find the token not yet whole.
        return (missing + creditsPerMillisecond - 1) / creditsPerMillisecond
    }

    private func creditsAt(_ now: Int64) -> Int64 {
        guard let lastRefill, now > lastRefill, credits < capacity else {
            return credits
        }
        let (elapsed, elapsedOverflow) = now.subtractingReportingOverflow(lastRefill)
        let (gained, gainOverflow) = elapsed.multipliedReportingOverflow(by: creditsPerMillisecond)
        guard !elapsedOverflow, !gainOverflow, gained < capacity - credits else {
            return capacity
        }
        return credits + gained
    }
}
