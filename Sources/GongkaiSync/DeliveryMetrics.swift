import CoreMetrics
import GongkaiCore
import GongkaiStore

/// The engine's instruments, through swift-metrics: whatever backend the
/// process bootstrapped (Prometheus in the daemon) or a factory a test passes in.
///
/// Each channel's instruments are made once when its worker starts, so a
/// send only touches atomics: no label lookup on the delivery path.
public enum DeliveryMetrics {
    /// Send outcomes by channel and outcome (a counter).
    public static let deliveries = "gongkai_deliveries_total"
    /// Seconds one platform request took, by channel (a histogram; a credit-feed batch is one request).
    public static let attemptDuration = "gongkai_attempt_duration_seconds"
    /// This daemon's circuit breaker per channel: 0 closed, 1 half-open, 2 open (a gauge).
    public static let breakerState = "gongkai_circuit_breaker_state"

    /// The `outcome` label of ``deliveries``: what one send came to.
    public enum Outcome: String, CaseIterable, Sendable {
        /// The platform shows it (or took it down, for a withdrawal).
        case delivered
        /// Accepted; the platform finishes it later (WeChat freepublish).
        case inProgress = "in_progress"
        /// Failed in a way worth retrying (timeout, connection, 5xx, 429).
        case retryable
        /// Refused for good (other 4xx, the platform's validation).
        case permanent
        /// Not attempted: the adapter's own quota had no room.
        case deferred

        init(_ result: SendOutcome.Result) {
            switch result {
            case .delivered: self = .delivered
            case .inProgress: self = .inProgress
            case .failed(let failure): self = failure.permanent ? .permanent : .retryable
            case .deferred: self = .deferred
            }
        }
    }

    /// The value of ``breakerState`` for a breaker; a peer daemon's open breaker
    /// counts as open, since this worker then waits just as if its own had opened.
    static func breakerCode(_ breaker: CircuitBreaker, peerOpen: Bool) -> Int64 {
        if breaker.isOpen || peerOpen { return 2 }
        return breaker.isClosed ? 0 : 1
    }
}

/// One channel's instruments.
struct ChannelInstruments: Sendable {
    let outcomes: [DeliveryMetrics.Outcome: Counter]
    let duration: Timer
    let breaker: Gauge

    init(channelID: String, factory: any MetricsFactory) {
        var outcomes: [DeliveryMetrics.Outcome: Counter] = [:]
        for outcome in DeliveryMetrics.Outcome.allCases {
            outcomes[outcome] = Counter(
                label: DeliveryMetrics.deliveries, dimensions: [("channel", channelID), ("outcome", outcome.rawValue)],
                factory: factory)
        }
        self.outcomes = outcomes
        duration = Timer(label: DeliveryMetrics.attemptDuration, dimensions: [("channel", channelID)], factory: factory)
        breaker = Gauge(label: DeliveryMetrics.breakerState, dimensions: [("channel", channelID)], factory: factory)
        breaker.record(0)
    }

    func count(_ outcome: DeliveryMetrics.Outcome) {
        outcomes[outcome]?.increment()
    }
}
