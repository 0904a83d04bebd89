import GongkaiCore
import Synchronization
import Testing

/// ``abandonOnCancel(_:)``: the caller gets the operation's answer, or its own
/// cancellation at once, even from an operation that never looks at cancellation.
@Suite("Abandoning a wait on cancellation")
struct AbandonOnCancelTests {
    /// A wait that ignores cancellation, as a library's stuck LISTEN did; released by hand.
    final class Stuck: Sendable {
        private let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let entered = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let count = Mutex(0)

        func wait() async {
            await withCheckedContinuation { continuation in
                let arrived = entered.withLock { list -> [CheckedContinuation<Void, Never>] in
                    defer { list.removeAll() }
                    return list
                }
                waiting.withLock { $0.append(continuation) }
                count.withLock { $0 += 1 }
                for waiter in arrived { waiter.resume() }
            }
        }

        /// Suspends until some task waits in ``wait()``.
        func untilSomeoneWaits() async {
            await withCheckedContinuation { continuation in
                let already = count.withLock { $0 > 0 }
                if already { continuation.resume() } else { entered.withLock { $0.append(continuation) } }
            }
        }

        func release() {
            for continuation in waiting.withLock({ list -> [CheckedContinuation<Void, Never>] in
                defer { list.removeAll() }
                return list
            }) {
                continuation.resume()
            }
        }
    }

    @Test func anAnswerOrAnErrorComesBackAsItIs() async throws {
        #expect(try await abandonOnCancel { 42 } == 42)
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await abandonOnCancel { throw Failure() } }
    }

    @Test func cancellingTheCallerReturnsAtOnceFromAnOperationThatIgnoresIt() async throws {
        let stuck = Stuck()
        let caller = Task { try await abandonOnCancel { await stuck.wait() } }
        await stuck.untilSomeoneWaits()
        caller.cancel()
        // Without abandoning, this await would last until `release`, which comes only after it.
        await #expect(throws: CancellationError.self) { try await caller.value }
        stuck.release()
    }

    @Test func aCallerCancelledBeforeItStartsNeverRunsTheOperation() async throws {
        let ran = Mutex(false)
        let caller = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await abandonOnCancel { ran.withLock { $0 = true } }
        }
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(!ran.withLock { $0 })
    }
}
