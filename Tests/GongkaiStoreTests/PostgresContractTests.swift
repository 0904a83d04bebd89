import Foundation
import GongkaiCore
import GongkaiStore
import GongkaiStoreContract
import GongkaiTestSupport
import Testing
import PostgresNIO

/// The whole store contract on PostgreSQL: a throwaway cluster on 127.0.0.1
/// (see `PostgresTestCluster`), a fresh database per check, opened through
/// `OutboxDatabase` with the password from the environment, as the daemon does.
/// Skipped with one line on standard error where PostgreSQL is not installed;
/// under `CI=true` it runs, and a missing PostgreSQL fails it.
@Suite(
    "OutboxStore contract on PostgreSQL",
    .enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
struct PostgresContractTests {
    @Test(arguments: OutboxStoreContract.checks)
    func contract(_ check: OutboxStoreContract.Check) async throws {
        try await PostgresStores.withFreshStore { store in
            try await check.run(on: store)
        }
    }
}

/// Opening PostgreSQL stores the way the product does.
enum PostgresStores {
    static func withFreshStore<T: Sendable>(_ body: @Sendable (any OutboxStore) async throws -> T) async throws -> T {
        let cluster = try await PostgresTestCluster.shared()
        let url = try await cluster.makeDatabase() + "?sslmode=disable"
        let database = try OutboxDatabase.open(url, environment: ["GONGKAI_DATABASE_PASSWORD": cluster.password])
        return try await database.withRunning(body)
    }
}

@Suite(
    "PostgreSQL schema version",
    .enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
struct PostgresSchemaVersionTests {
    @Test func aSchemaNewerThanThisBuildIsRefusedNamingBothVersions() async throws {
        try await PostgresStores.withFreshStore { store in
            let postgres = try #require(store as? PostgresOutboxStore)
            let known = PostgresOutboxStore.knownSchemaVersion
            #expect(try await postgres.schemaVersion() == known)
            // A later gongkai migrated this database.
            try await postgres.client.query(
                "INSERT INTO gongkai_schema (version, name) VALUES (\(known + 1), 'from-the-future')")
            do {
                _ = try await postgres.migrate()
                Issue.record("a newer schema was accepted")
            } catch let error as GongkaiError {
                #expect(error.code == .configuration)
                #expect(error.field == "database")
                #expect(error.message.contains("version \(known + 1)") && error.message.contains("version \(known)"))
            }
        }
    }
}
