import GongkaiCore

/// The fault state of one simulator: the faults set, the script position and
/// the random sequence. Kept inside the simulator's locked state, because a
/// script must be consumed strictly in order across connections.
struct PublishingFaultDraw: Sendable {
    private(set) var faults: PublishingFaults
    private var scriptPosition = 0
    private var random: SplitMix64

    init(_ faults: PublishingFaults = .none) {
        self.faults = faults
        self.random = SplitMix64(seed: faults.seed)
    }

    /// The outcome for the next authenticated request.
    mutating func next() -> PublishingScriptedFault {
        if scriptPosition < faults.script.count {
            defer { scriptPosition += 1 }
            return faults.script[scriptPosition]
        }
        let total = faults.serverErrorRate + faults.throttleRate + faults.dropRate + faults.slowRate
        guard total > 0 else { return .accept }
        var draw = random.nextUnit()
        if draw < faults.serverErrorRate {
            return .serverError(status: [500, 502, 503][Int(random.next() % 3)])
        }
        draw -= faults.serverErrorRate
        if draw < faults.throttleRate { return .throttle(retryAfterSeconds: faults.retryAfterSeconds) }
        draw -= faults.throttleRate
        if draw < faults.dropRate { return .drop }
        draw -= faults.dropRate
        if draw < faults.slowRate { return .slow(faults.slowDelay) }
        return .accept
    }
}
