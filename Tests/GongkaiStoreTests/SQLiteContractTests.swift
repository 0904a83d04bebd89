import Foundation
import GongkaiStore
import GongkaiStoreContract
import Testing

/// The whole store contract on SQLite, in memory and on a file in WAL mode.
@Suite("OutboxStore contract on SQLite")
struct SQLiteContractTests {
    @Test(arguments: OutboxStoreContract.checks)
    func inMemory(_ check: OutboxStoreContract.Check) async throws {
        try await check.run(on: SQLiteOutboxStore.inMemory())
    }

    @Test(arguments: OutboxStoreContract.checks)
    func onAFile(_ check: OutboxStoreContract.Check) async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("gongkai-contract-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await check.run(on: SQLiteOutboxStore(path: path))
    }
}
