import Synchronization

/// A broadcast signal with a generation count: waiters resume on the next
/// `fire()`, and a wait that starts after a missed fire returns at once.
final class Pulse: Sendable {
    private struct State {
        var generation = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    var generation: Int { state.withLock { $0.generation } }

    func fire() {
        let waiters = state.withLock { state in
            state.generation += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the generation passes `seen`.
    func wait(after seen: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let registered = state.withLock { state -> Bool in
                guard state.generation == seen else { return false }
                state.nextID += 1
                state.waiters[state.nextID] = continuation
                return true
            }
            if !registered { continuation.resume() }
        }
    }
}
