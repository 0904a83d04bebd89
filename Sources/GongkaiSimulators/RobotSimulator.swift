public import GongkaiCore
public import Logging
import NIOConcurrencyHelpers

/// A local stand-in for a WeCom, DingTalk or Feishu group robot.
///
/// It checks the key or token, DingTalk's and Feishu's signatures and their
/// one-hour timestamp window, the platform's size limit and its rate limit
/// (over a configurable window, so a test can use seconds), and answers with
/// the platform's real codes. It keeps every accepted message, so a test can
/// assert what reached the group, and fails on demand (``setFaults(_:)``).
///
/// Robots cannot be listed, edited or recalled, so there is nothing for
/// reconciliation to tamper with: the simulator only posts into its "group".
public final class RobotSimulator: HTTPServedSimulator {
    private let rules: RobotEndpoint
    let server: SimulatorHTTPServer

    /// - Parameters:
    ///   - token: The WeCom `key`, DingTalk `access_token` or Feishu hook token.
    ///   - signSecret: DingTalk's and Feishu's signing secret; ignored for WeCom.
    ///   - limits: Defaults to the platform's own (``RobotDialect/defaultLimits``).
    ///   - clock: Judges signed timestamps and rate windows.
    public init(
        dialect: RobotDialect, token: String, signSecret: String? = nil, limits: RobotLimits? = nil,
        clock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        rules = RobotEndpoint(
            dialect: dialect, token: token, signSecret: signSecret, limits: limits ?? dialect.defaultLimits,
            clock: clock)
        server = SimulatorHTTPServer(endpoint: rules, logger: logger)
    }

    public var dialect: RobotDialect { rules.dialect }

    // MARK: Lifecycle: start, stop and baseURL from ``LocalSimulator``

    /// The base URL to configure as the channel's `endpoint` (secrets are appended by the adapter).
    public var endpoint: String { server.baseURL + rules.dialect.basePath }

    // MARK: Settings

    /// Replaces the injected faults; restarts the script and the random sequence.
    public func setFaults(_ faults: RobotFaults) {
        rules.state.withLockedValue { state in
            state.faults = faults
            state.scriptPosition = 0
            state.random = SplitMix64(seed: faults.seed)
        }
    }

    /// Replaces the enforced limits (e.g. a shorter rate window).
    public func setLimits(_ limits: RobotLimits) {
        rules.state.withLockedValue { $0.limits = limits }
    }

    public var limits: RobotLimits { rules.state.withLockedValue { $0.limits } }

    // MARK: What was received

    /// Every accepted message, in arrival order.
    public func messages() -> [ReceivedRobotMessage] {
        rules.state.withLockedValue { $0.messages }
    }

    public var acceptedCount: Int { rules.state.withLockedValue { $0.messages.count } }

    /// Refused requests by reason (``RobotRejection`` raw values); zero counts left out.
    public var rejectedCounts: [String: Int] {
        rules.state.withLockedValue { state in
            Dictionary(uniqueKeysWithValues: state.rejected.map { ($0.key.rawValue, $0.value) })
        }
    }

    public func rejectedCount(_ reason: RobotRejection) -> Int {
        rules.state.withLockedValue { $0.rejected[reason] ?? 0 }
    }

    /// Requests other than POST (reachability probes); they post nothing.
    public var probeCount: Int { rules.state.withLockedValue { $0.probes } }

    /// Forgets messages, counts and the rate window; limits and faults stay.
    public func reset() {
        rules.state.withLockedValue { state in
            state.messages = []
            state.acceptedAt = []
            state.rejected = [:]
            state.probes = 0
        }
    }
}
