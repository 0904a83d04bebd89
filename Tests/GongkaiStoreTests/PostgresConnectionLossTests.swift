import Foundation
@testable import GongkaiStore
import GongkaiTestSupport
import Logging
import PostgresNIO
import Testing

/// A statement sent on a connection the server has closed must fail, not wait
/// for ever: PostgresNIO 1.33 drops such a query, and a daemon whose worker
/// awaited it stopped delivering after a `pg_terminate_backend`.
@Suite(
    "PostgreSQL connection loss",
    .enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
struct PostgresConnectionLossTests {
    @Test(.timeLimit(.minutes(1))) func aStatementOnAConnectionTheServerClosedFailsAtOnce() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let url = try await cluster.makeDatabase()
        let name = String(url.split(separator: "/").last!)
        let client = PostgresClient(configuration: cluster.configuration(database: name))
        let logger = Logger(label: "test")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
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
}
