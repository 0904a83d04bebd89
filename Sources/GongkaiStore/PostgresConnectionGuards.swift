import Foundation
import GongkaiCore
import Logging
import NIOCore
import PostgresNIO
import Synchronization

// Two waits in PostgresNIO 1.33 that can last for ever, and what the store does about them.
//
// 1. A query written to a connection that has just closed is dropped without an
//    answer (`PostgresConnection.query` writes its task with `promise: nil`), so its
//    caller waits for ever, holding the pool's lease: the daemon stops delivering and
//    on SIGTERM the pool's `run()` never returns. Every query of the store is raced
//    against its connection's close instead.
// 2. A lease waits for a connection as long as the pool keeps trying to make one
//    (postgres-nio issue 565, "connectTimeout appears to be ignored"). The store waits
//    at most its connect timeout, then fails the call as a retryable store error.

/// A query refused because its connection was already closed, or closed before answering.
struct ConnectionClosed: Error {}

/// No pooled connection came free within the store's connect timeout.
struct LeaseTimedOut: Error {
    var waited: Duration
}

extension PostgresClient {
    /// `withConnection`, waiting for the lease at most `timeout`; once `body` has a
    /// connection it runs to its end, however long that takes.
    ///
    /// The lease is waited for in a task of its own and left behind at the deadline,
    /// not awaited: cancelling a lease request was seen not to end it while the pool
    /// was stuck making a connection (a daemon's drain then hung, 2026-12-07). A lease
    /// that comes later finds the race lost and hands its connection straight back.
    func leased<T: Sendable>(
        within timeout: Duration, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        // Whoever moves it first wins: the lease (to `started`) or the timer (to `expired`),
        // so a body never starts once the caller has been told the lease timed out.
        let race = LeaseRace()
        let answer = FirstAnswer<T>()
        let lease = Task {
            try await self.withConnection { connection in
                guard race.win(.started) else { throw LeaseTimedOut(waited: timeout) }
                return try await body(connection)
            }
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            if race.win(.expired) {
                answer.give(.failure(LeaseTimedOut(waited: timeout)))
                lease.cancel()
            }
        }
        defer { timer.cancel() }
        return try await answer.wait { try await lease.value }
    }
}

extension PostgresConnection {
    /// `connect`, given up after `timeout` (its own connect timeout was seen not to end
    /// an attempt made while the server terminated connections). A connection that
    /// arrives after that is closed at once.
    static func connect(
        configuration: PostgresConnection.Configuration, id: Int, logger: Logger, within timeout: Duration
    ) async throws -> PostgresConnection {
        let race = LeaseRace()
        let answer = FirstAnswer<PostgresConnection>()
        let timer = Task {
            try await Task.sleep(for: timeout)
            if race.win(.expired) { answer.give(.failure(LeaseTimedOut(waited: timeout))) }
        }
        defer { timer.cancel() }
        return try await answer.wait {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
            guard race.win(.started) else {
                try? await connection.close()
                throw LeaseTimedOut(waited: timeout)
            }
            return connection
        }
    }
}

/// Who came first to a lease: the connection or the deadline.
private final class LeaseRace: Sendable {
    enum Winner: Int { case started = 1, expired = 2 }
    private let state = Atomic<Int>(0)

    /// True for the first caller only.
    func win(_ winner: Winner) -> Bool {
        state.compareExchange(expected: 0, desired: winner.rawValue, ordering: .acquiringAndReleasing).exchanged
    }
}

extension PostgresConnection {
    /// Runs `query`, answering `ConnectionClosed` if the connection is closed
    /// before it answers (see the note at the top of this file).
    ///
    /// `beforeSending` is for the tests: it runs after the watch is set and before
    /// the query is written, where a close is hardest to see coming.
    func checkedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line,
        beforeSending: (@Sendable () async -> Void)? = nil
    ) async throws -> PostgresRowSequence {
        try await answerUnlessClosed {
            await beforeSending?()
            return try await self.query(query, logger: logger, file: file, line: line)
        }
    }

    /// Runs a prepared statement (prepared on this connection the first time), with the
    /// same watch on the connection as ``checkedQuery(_:logger:file:line:)``.
    func checkedExecute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row> {
        try await answerUnlessClosed {
            UncheckedAnswer(value: try await self.execute(statement, logger: logger, file: file, line: line))
        }.value
    }

    /// `operation`'s answer, or `ConnectionClosed` as soon as the connection closes
    /// without one. The abandoned operation waits on in its own task: a dropped query
    /// never answers, and the closed connection is never handed out again.
    private func answerUnlessClosed<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        guard !isClosed else { throw ConnectionClosed() }
        let answer = FirstAnswer<T>()
        guard let watch = ClosingConnections.shared.watch(self, { answer.give(.failure(ConnectionClosed())) }) else {
            throw ConnectionClosed()
        }
        defer { ClosingConnections.shared.unwatch(self, watch) }
        return try await answer.wait(operation)
    }
}

/// A row sequence handed from the task that waited for it to its caller, which alone iterates it.
private struct UncheckedAnswer<Value>: @unchecked Sendable {
    var value: Value
}

/// The first of an operation's result and a failure given from outside, to one waiter.
private final class FirstAnswer<T: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<T, any Error>)
        /// Answered before anyone waited.
        case early(Result<T, any Error>)
        case done
    }

    private let state = Mutex(State.idle)

    func wait(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let early = state.withLock { state -> Result<T, any Error>? in
                if case .early(let result) = state {
                    state = .done
                    return result
                }
                state = .waiting(continuation)
                return nil
            }
            if let early {
                continuation.resume(with: early)
                return
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                self.give(result)
            }
        }
    }

    func give(_ result: Result<T, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
            switch state {
            case .waiting(let continuation):
                state = .done
                return continuation
            case .idle:
                state = .early(result)
                return nil
            case .early, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}

/// The waits on each open connection, all answered when it closes. One close
/// callback per connection, not one per query: a connection lives for millions of them.
private final class ClosingConnections: Sendable {
    static let shared = ClosingConnections()

    private struct Watched {
        var next = 0
        var waits: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex<[ObjectIdentifier: Watched]>([:])

    /// Registers `onClose`; nil when the connection has closed already.
    func watch(_ connection: PostgresConnection, _ onClose: @escaping @Sendable () -> Void) -> Int? {
        let key = ObjectIdentifier(connection)
        let (id, first) = state.withLock { state -> (Int, Bool) in
            var watched = state[key] ?? Watched()
            let first = state[key] == nil
            let id = watched.next
            watched.next += 1
            watched.waits[id] = onClose
            state[key] = watched
            return (id, first)
        }
        if first {
            connection.closeFuture.whenComplete { _ in
                let waits = self.state.withLock { $0.removeValue(forKey: key)?.waits.values.map { $0 } ?? [] }
                for wait in waits { wait() }
            }
        }
        // Closed before the callback was registered: the callback has run, or runs now.
        if connection.isClosed {
            unwatch(connection, id)
            return nil
        }
        return id
    }

    func unwatch(_ connection: PostgresConnection, _ id: Int) {
        state.withLock { state in
            _ = state[ObjectIdentifier(connection)]?.waits.removeValue(forKey: id)
        }
    }
}
