/// A per-channel circuit breaker as a pure state machine: the caller passes the
/// time in and stores the value, so it can be persisted, inspected and tested
/// without clocks or locks.
///
/// Its job is to stop spending the retry schedule of every queued item while a
/// platform is down, and to find out cheaply when it is back:
///
/// - **closed**: requests flow; consecutive unhealthy failures are counted.
/// - **open**: after ``failureThreshold`` such failures in a row, nothing is sent
///   until ``openDuration`` has passed.
/// - **half-open**: then up to ``halfOpenMaxProbes`` requests probe the platform;
///   a success closes the breaker, a failure opens it again.
///
/// Which outcomes to report:
/// - ``recordFailure(now:)`` only for failures that say the *platform* is
///   unhealthy: timeouts, connection errors (refused, reset, DNS, TLS) and
///   HTTP 5xx.
/// - ``recordSuccess(now:)`` for any response that shows the platform is
///   answering, including 4xx. A 400 or 403 is a problem with one item or one
///   credential; counting it would let a single bad item shut the channel for
///   everyone. 429 is throttling, which ``RetrySchedule`` and ``TokenBucket``
///   handle; it should not open the breaker either.
/// - ``releaseProbe()`` when a permitted request ends with no verdict (for
///   example it was cancelled at shutdown), so a half-open slot is not lost forever.
public struct CircuitBreaker: Sendable, Equatable {
    /// Where the breaker is in its cycle.
    public enum State: Sendable, Equatable {
        /// Sending normally; this many unhealthy failures have happened in a row.
        case closed(consecutiveFailures: Int)
        /// Refusing to send until this time (ms since the Unix epoch).
        case open(until: Int64)
        /// Letting a few probes through; this many are currently outstanding.
        case halfOpen(probesInFlight: Int)
    }

    /// Consecutive unhealthy failures that open the breaker; at least 1.
    public let failureThreshold: Int
    /// How long the breaker stays open before probing, in milliseconds.
    public let openDuration: Int64
    /// How many requests may be outstanding while half-open; at least 1.
    public let halfOpenMaxProbes: Int
    /// The current state.
    public private(set) var state: State

    /// Default ``failureThreshold``: 5 consecutive failures.
    public static let defaultFailureThreshold = 5
    /// Default ``openDuration``: 30 s.
    public static let defaultOpenDuration: Int64 = 30_000
    /// Default ``halfOpenMaxProbes``: a single probe.
    public static let defaultHalfOpenMaxProbes = 1

    /// A closed breaker with the default configuration.
    public static let standard = CircuitBreaker(
        unchecked: defaultFailureThreshold, openDuration: defaultOpenDuration,
        halfOpenMaxProbes: defaultHalfOpenMaxProbes)

    /// Creates a closed breaker.
    ///
    /// - Throws: ``GongkaiError`` (`.invalidField`, `field` naming the parameter)
    ///   when `failureThreshold` or `halfOpenMaxProbes` is below 1 or
    ///   `openDuration` is negative, because such a breaker would either never
    ///   let traffic through again or never trip.
    public init(
        failureThreshold: Int = CircuitBreaker.defaultFailureThreshold,
        openDuration: Int64 = CircuitBreaker.defaultOpenDuration,
        halfOpenMaxProbes: Int = CircuitBreaker.defaultHalfOpenMaxProbes
    ) throws(GongkaiError) {
        guard failureThreshold >= 1 else {
            throw GongkaiError(.invalidField, "failure threshold must be at least 1", field: "failureThreshold")
        }
        guard openDuration >= 0 else {
            throw GongkaiError(.invalidField, "open duration cannot be negative", field: "openDuration")
        }
        guard halfOpenMaxProbes >= 1 else {
            throw GongkaiError(.invalidField, "half-open probes must be at least 1", field: "halfOpenMaxProbes")
        }
        self.init(unchecked: failureThreshold, openDuration: openDuration, halfOpenMaxProbes: halfOpenMaxProbes)
    }

    private init(unchecked failureThreshold: Int, openDuration: Int64, halfOpenMaxProbes: Int) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
        self.halfOpenMaxProbes = halfOpenMaxProbes
        self.state = .closed(consecutiveFailures: 0)
    }

    /// Whether the breaker lets traffic through freely (neither open nor probing).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Whether the breaker is refusing traffic.
    ///
    /// Still true after the open period has elapsed until ``permit(now:)`` is
    /// called, because the move to half-open happens there; use
    /// ``retryAt(now:)`` to know when sending may resume.
    public var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    /// Asks to send one request now; a `true` answer must later be matched by
    /// ``recordSuccess(now:)``, ``recordFailure(now:)`` or ``releaseProbe()``.
    ///
    /// - Returns: `true` when closed; `false` while open; once the open period
    ///   has passed, `true` for up to ``halfOpenMaxProbes`` outstanding probes.
    public mutating func permit(now: Int64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let until):
            guard now >= until else {
                return false
            }
            state = .halfOpen(probesInFlight: 1)
            return true
        case .halfOpen(let probes):
            guard probes < halfOpenMaxProbes else {
                return false
            }
            state = .halfOpen(probesInFlight: probes + 1)
            return true
        }
    }

    /// Records that the platform answered; closes the breaker and clears the failure count.
    ///
    /// A late success while open (from a request sent before it tripped) also
    /// closes it: the platform has just shown it is answering. `now` is unused
    /// today but kept so every transition has the same shape if timing is ever recorded.
    public mutating func recordSuccess(now: Int64) {
        state = .closed(consecutiveFailures: 0)
    }

    /// Records a failure that shows the platform is unhealthy (timeout,
    /// connection error, 5xx); never call it for 4xx.
    ///
    /// Closed: counts, and opens until `now + openDuration` at the threshold.
    /// Half-open: the probe failed, so it opens again for a full period.
    /// Open: a straggler from before the trip; ignored so it cannot keep
    /// pushing the reopening time back.
    public mutating func recordFailure(now: Int64) {
        switch state {
        case .closed(let failures):
            let count = failures + 1
            state = count >= failureThreshold ? .open(until: reopenTime(now)) : .closed(consecutiveFailures: count)
        case .halfOpen:
            state = .open(until: reopenTime(now))
        case .open:
            break
        }
    }

    /// Gives back a permitted request that ended without telling anything about
    /// the platform (cancelled, abandoned), freeing its half-open probe slot.
    public mutating func releaseProbe() {
        if case .halfOpen(let probes) = state, probes > 0 {
            state = .halfOpen(probesInFlight: probes - 1)
        }
    }

    /// When open, the earliest time a probe will be let through (never before
    /// `now`); `nil` when closed or half-open.
    public func retryAt(now: Int64) -> Int64? {
        guard case .open(let until) = state else {
            return nil
        }
        return max(until, now)
    }

    // Saturates so a far-future clock or huge duration cannot trap.
    private func reopenTime(_ now: Int64) -> Int64 {
        let (sum, overflow) = now.addingReportingOverflow(openDuration)
        return overflow ? .max : sum
    }
}
