import GongkaiCore
import NIOConcurrencyHelpers

/// Decides per request which ``ScriptedFault`` the simulator plays.
///
/// One lock guards the faults, the script position and the random state,
/// because a script must be consumed strictly in order across connections.
final class FaultInjector: Sendable {
    private struct State: Sendable {
        var faults: WebhookFaults
        var scriptPosition = 0
        var random: SplitMix64
        var active: Bool

        init(_ faults: WebhookFaults) {
            self.faults = faults
            self.random = SplitMix64(seed: faults.seed)
            self.active = faults.isActive
        }
    }

    private static let serverErrorStatuses = [500, 502, 503]

    private let state = NIOLockedValueBox(State(.none))

    var faults: WebhookFaults {
        get { state.withLockedValue { $0.faults } }
        set { state.withLockedValue { $0 = State(newValue) } }
    }

    /// The outcome for the next request that passed validation.
    func next(itemID: String) -> ScriptedFault {
        state.withLockedValue { state in
            guard state.active else { return .accept }
            let faults = state.faults
            if state.scriptPosition < faults.script.count {
                defer { state.scriptPosition += 1 }
                return faults.script[state.scriptPosition]
            }
            if faults.gone { return .gone }
            if faults.permanentItemIDs.contains(itemID) {
                return .permanent
            }
            var draw = state.random.nextUnit()
            if draw < faults.serverErrorRate {
                let status = Self.serverErrorStatuses[Int(state.random.next() % UInt64(Self.serverErrorStatuses.count))]
                return .serverError(status: status)
            }
            draw -= faults.serverErrorRate
            if draw < faults.throttleRate { return .throttle(retryAfterSeconds: faults.retryAfterSeconds) }
            draw -= faults.throttleRate
            if draw < faults.permanentRate { return .permanent }
            draw -= faults.permanentRate
            if draw < faults.dropRate { return .drop }
            draw -= faults.dropRate
            if draw < faults.slowRate { return .slow(faults.slowDelay) }
            return .accept
        }
    }
}
