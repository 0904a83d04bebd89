import Foundation
import GongkaiCore
import GongkaiStore
import GongkaiStoreContract
import GongkaiTestSupport
import Testing

/// `gongkai store copy` from SQLite into a fresh PostgreSQL database: every
/// table arrives exactly (leases cleared), the target reads the same through
/// the store's own API, new rows do not collide with copied ids, and a
/// second copy into the now non-empty target is refused and changes nothing.
@Suite(
    "store copy SQLite → PostgreSQL",
    .enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
struct StoreCopyTests {
    typealias F = StoreFixtures

    /// An outbox with every kind of row: versions, a delivered, a failed, a dead and a
    /// mid-send delivery, attempts, audit entries and a paused channel.
    static func populatedSQLite() async throws -> SQLiteOutboxStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("copy-\(UUID().uuidString).sqlite").path
        let store = try SQLiteOutboxStore(path: path)
        let t0 = F.t0
        _ = try await store.submit(
            ["a", "b", "c", "Z-upper", "中文-id"].map { PreparedItem(F.item($0, idNumber: "110101199003077777")) },
            routes: F.routes, actor: "tester", now: t0)
        _ = try await store.submit(
            [PreparedItem(F.item("a", title: "更正后的标题"))], routes: F.routes, actor: "tester", now: t0 + 1)
        let claimed = try await store.claim(
            channelID: "hub", audience: .public, owner: "w1", limit: 10, leaseMillis: 60_000, now: t0 + 2)
        #expect(claimed.count == 5)
        // a: delivered; b: failed once; c: left mid-send (its lease must be cleared by the copy).
        let byItem = Dictionary(uniqueKeysWithValues: claimed.map { ($0.record.itemID, $0) })
        try await store.complete(
            [F.success(byItem["a"]!, at: t0 + 3), F.failure(byItem["b"]!, at: t0 + 3)], owner: "w1", now: t0 + 3)
        _ = try await store.release(owner: "w1", deliveryIDs: [byItem["Z-upper"]!.record.id, byItem["中文-id"]!.record.id], now: t0 + 4)
        try await store.setPaused(channelID: "robot", paused: true, reason: "maintenance", actor: "ops", now: t0 + 5)
        _ = try await store.withdraw(itemID: "a", reason: "撤销", routes: F.routes, actor: "ops", now: t0 + 6)
        return store
    }

    @Test func copiesEveryTableExactlyAndRefusesASecondCopy() async throws {
        let source = try await Self.populatedSQLite()
        try await PostgresStores.withFreshStore { target in
            let postgres = try #require(target as? PostgresOutboxStore)
            let now = F.t0 + 100
            let report = try await OutboxCopy.copy(from: source, to: postgres, allowNonEmpty: false, now: now)
            #expect(report.verified)
            #expect(report.leasesCleared == 1)
            let rows = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.table, $0) })
            #expect(rows[.item]?.targetRows == 5)
            #expect(rows[.itemVersion]?.targetRows == 6)
            #expect(rows[.delivery]?.targetRows == 10)
            #expect(rows[.channelState]?.targetRows == 1)
            #expect((rows[.attempt]?.targetRows ?? 0) >= 2)
            #expect((rows[.audit]?.targetRows ?? 0) >= 4)

            // An independent fingerprint of the target agrees with the report, table by table.
            let fingerprint = try await OutboxCopy.fingerprint(postgres)
            for table in report.tables {
                #expect(fingerprint[table.table]?.hash == table.sourceHash, "\(table.table)")
            }
            // The target answers the store's reads as the source does (but for the cleared lease).
            let sourceItems = try await source.items(after: nil, limit: 100)
            #expect(try await postgres.items(after: nil, limit: 100) == sourceItems)
            #expect(try await postgres.auditLog(itemID: nil, limit: 100) == source.auditLog(itemID: nil, limit: 100))
            #expect(try await postgres.attempts(itemID: "b", channelID: nil) == source.attempts(itemID: "b", channelID: nil))
            #expect(try await postgres.channelPauses() == source.channelPauses())
            let copied = try await postgres.deliveries(DeliveryFilter())
            let original = try await source.deliveries(DeliveryFilter())
            #expect(copied.count == original.count)
            let wasSending = try #require(original.first { $0.state == .sending })
            let cleared = try #require(copied.first { $0.id == wasSending.id })
            #expect(cleared.state == .pending && cleared.leaseOwner == nil && cleared.nextAttemptAt == now)
            #expect(copied.filter { $0.id != wasSending.id } == original.filter { $0.id != wasSending.id })

            // New rows take ids past the copied ones.
            let maxID = copied.map(\.id).max() ?? 0
            _ = try await postgres.submit([PreparedItem(F.item("new"))], routes: F.routes, actor: "t", now: now + 1)
            let fresh = try await postgres.deliveries(DeliveryFilter(itemID: "new"))
            #expect(fresh.count == 2 && fresh.allSatisfy { $0.id > maxID })

            // A second copy is refused by name, and the target keeps exactly what it had.
            let before = try await OutboxCopy.fingerprint(postgres)
            await #expect {
                _ = try await OutboxCopy.copy(from: source, to: postgres, allowNonEmpty: false, now: now)
            } throws: { error in
                (error as? GongkaiError)?.code == .conflict && (error as? GongkaiError)?.field == "to"
            }
            // Told to add anyway, the colliding keys fail the whole copy: still nothing changes.
            await #expect(throws: GongkaiError.self) {
                _ = try await OutboxCopy.copy(from: source, to: postgres, allowNonEmpty: true, now: now)
            }
            let after = try await OutboxCopy.fingerprint(postgres)
            for table in OutboxTable.allCases { #expect(after[table]?.hash == before[table]?.hash, "\(table)") }
        }
    }
}
