import Foundation
@testable import GongkaiStore
import GongkaiTestSupport
import Logging
import PostgresNIO
import Synchronization
import Testing
import GongkaiCore

/// A statement sent on a connection the server has closed must fail, not wait
/// for ever: PostgresNIO 1.33 drops such a query, and a daemon whose worker
/// awaited it stopped delivering after a `pg_terminate_backend`.
@Suite(
    "PostgreSQL connection loss",
    .enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
struct PostgresConnectionLossTests {
    @Test(.timeLimit(.minutes(1))) func aStatementOnAConnectionTheServerClosedFailsAtOnce() async throws {
        let logger = Logger(label: "test")
        try await Self.withPool { cluster, name, client in
            try await client.withConnection { connection in
                _ = try await connection.checkedQuery("BEGIN", logger: logger)
                #expect(try await cluster.terminateConnections(database: name) == 1)
                try await connection.closeFuture.get()
                await #expect(throws: ConnectionClosed.self) {
                    _ = try await connection.checkedQuery("SELECT 1", logger: logger)
                }
            }
            // The pool replaces the lost connection.
            let rows = try await client.query("SELECT 41 + 1").collect()
            #expect(try rows.first?.decode(Int.self) == 42)
        }
    }

    /// What the watch is for: PostgresNIO drops a query written once its connection has
    /// closed, and its caller waits for ever; through `checkedQuery` the same query fails.
    @Test(.timeLimit(.minutes(1))) func aQueryWrittenAfterTheCloseFailsInsteadOfWaiting() async throws {
        let logger = Logger(label: "test")
        try await Self.withPool { cluster, name, client in
            let raw = try await client.withConnection { connection in
                // PostgresNIO alone, once the connection has closed and its handlers are gone.
                try await connection.close()
                try await Task.sleep(for: .milliseconds(50))
                let raw = await Self.within(.seconds(3)) {
                    do {
                        _ = try await connection.query("SELECT 1", logger: logger)
                        return "answered"
                    } catch {
                        return "failed"
                    }
                }
                return raw
            }
            // Not asserted: that is PostgresNIO's to change. Seen: no answer (1.33.2).
            print("query written after the close, PostgresNIO alone: \(raw ?? "no answer in 3 s")")
            let watched = try await client.withConnection { connection in
                await Self.within(.seconds(10)) {
                    do {
                        _ = try await connection.checkedQuery(
                            "SELECT 1", logger: logger,
                            beforeSending: {
                                try? await connection.close()
                                try? await Task.sleep(for: .milliseconds(50))
                            })
                        return "answered"
                    } catch is ConnectionClosed {
                        return "closed"
                    } catch {
                        return "failed: \(error)"
                    }
                }
            }
            #expect(watched == "closed")
        }
    }

    /// A lease the pool cannot give fails after the store's connect timeout, naming
    /// the database, rather than waiting as long as the pool does.
    @Test(.timeLimit(.minutes(1))) func aLeaseThatNeverComesFailsAfterTheConnectTimeout() async throws {
        let (held, holder) = AsyncStream.makeStream(of: Void.self)
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        try await Self.withPool(maximumConnections: 1) { _, _, client in
            let store = PostgresOutboxStore(client: client)
            // Only the refused call waits this little: under load a new connection alone can take longer.
            let impatient = PostgresOutboxStore(client: client, leaseTimeout: .milliseconds(300))
            try await store.migrate()
            // The pool's only connection, held until the refused call has been seen.
            let holding = Task {
                try await client.withConnection { _ in
                    holder.yield()
                    for await _ in release { break }
                }
            }
            for await _ in held { break }
            let started = ContinuousClock.now
            do {
                _ = try await impatient.deliveries(DeliveryFilter(limit: 1))
                Issue.record("a read succeeded with the pool's only connection held")
            } catch let error as GongkaiError {
                #expect(error.code == .store)
                #expect(error.field == "database")
                #expect(error.message.contains("no connection to PostgreSQL came free"), "\(error.message)")
            }
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(300) && waited < .seconds(10), "\(waited)")
            releaser.yield()
            try await holding.value
            // Once the connection is back, the same store works.
            #expect(try await store.deliveries(DeliveryFilter(limit: 1)).isEmpty)
        }
    }

    /// A new database on the shared cluster and a running pool for it, for `body`.
    private static func withPool(
        maximumConnections: Int? = nil,
        _ body: @Sendable (PostgresTestCluster, String, PostgresClient) async throws -> Void
    ) async throws {
        let cluster = try await PostgresTestCluster.shared()
        let url = try await cluster.makeDatabase()
        let name = String(url.split(separator: "/").last!)
        var configuration = cluster.configuration(database: name)
        if let maximumConnections { configuration.options.maximumConnections = maximumConnections }
        let client = PostgresClient(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(cluster, name, client)
        }
    }

    /// `body`'s value, or nil if it has not answered within `limit` (then it is left waiting).
    private static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        let first = FirstOf<T?>()
        return await withCheckedContinuation { continuation in
            first.set(continuation)
            Task { first.give(await body()) }
            Task {
                try? await Task.sleep(for: limit)
                first.give(nil)
            }
        }
    }
}

/// Resumes its continuation once, with whichever value comes first (set before either is given).
private final class FirstOf<T: Sendable>: Sendable {
    private let state = Mutex<CheckedContinuation<T, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<T, Never>) {
        state.withLock { $0 = continuation }
    }

    func give(_ value: T) {
        state.withLock { state -> CheckedContinuation<T, Never>? in
            defer { state = nil }
            return state
        }?.resume(returning: value)
    }
}
