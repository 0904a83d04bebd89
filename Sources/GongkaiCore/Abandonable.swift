import Synchronization

/// Runs `operation` in a task of its own and returns with it, or throws
/// `CancellationError` as soon as the calling task is cancelled, even if
/// `operation` never returns then (it is cancelled too, and left to end when it can).
///
/// For waits that a library does not always end on cancellation: a daemon's
/// shutdown must not hang on them. A `LISTEN` on a PostgreSQL connection that
/// the server cut was seen not to return (a daemon stuck after SIGTERM with
/// every thread idle, 2026-12-06), the same shape as postgres-nio's report
/// "Closing PostgreSQL connection deadlocks listen(_:)".
public func abandonOnCancel<T: Sendable>(
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let waiter = AbandonableWaiter<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            waiter.start(continuation, operation)
        }
    } onCancel: {
        waiter.cancel()
    }
}

/// Who answers the caller first: the operation's result or the caller's cancellation.
private final class AbandonableWaiter<T: Sendable>: Sendable {
    private enum State {
        case idle
        /// The task is nil until it has been made (it may finish before that).
        case waiting(CheckedContinuation<T, any Error>, Task<Void, Never>?)
        case cancelled
        case done
    }

    private let state = Mutex(State.idle)

    func start(_ continuation: CheckedContinuation<T, any Error>, _ operation: @escaping @Sendable () async throws -> T) {
        let cancelledAlready = state.withLock { state -> Bool in
            guard case .idle = state else { return true }
            state = .waiting(continuation, nil)
            return false
        }
        if cancelledAlready {
            continuation.resume(throwing: CancellationError())
            return
        }
        let task = Task {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            self.finish(result)
        }
        let answered = state.withLock { state -> Bool in
            guard case .waiting(let continuation, .none) = state else { return true }
            state = .waiting(continuation, task)
            return false
        }
        // Cancelled while the task was being made: it must not run on unasked.
        if answered { task.cancel() }
    }

    func cancel() {
        let waiting = state.withLock { state -> (CheckedContinuation<T, any Error>, Task<Void, Never>?)? in
            switch state {
            case .waiting(let continuation, let task):
                state = .done
                return (continuation, task)
            case .idle:
                state = .cancelled
                return nil
            case .cancelled, .done:
                return nil
            }
        }
        guard let (continuation, task) = waiting else { return }
        task?.cancel()
        continuation.resume(throwing: CancellationError())
    }

    private func finish(_ result: Result<T, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard case .waiting(let continuation, _) = state else { return nil }
            state = .done
            return continuation
        }
        continuation?.resume(with: result)
    }
}
