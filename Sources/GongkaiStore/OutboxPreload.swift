import Foundation
import GongkaiCore
import GRDB
import PostgresNIO

/// Fills an outbox with already-delivered history in one statement per
/// table, for `gongkai bench --preload`: measuring that claiming stays flat
/// as the outbox grows needs a million rows faster than submitting them.
/// The rows obey the schema but carry placeholder content; never use this on
/// an outbox in service.
public protocol OutboxPreloading: Sendable {
    /// Adds `items` items (ids `preload-000000001`…), each delivered once on every channel of `channelIDs`.
    func preloadDelivered(items: Int, channelIDs: [String], now: Int64) async throws
}

extension SQLiteOutboxStore: OutboxPreloading {
    public func preloadDelivered(items: Int, channelIDs: [String], now: Int64) async throws {
        let channels = channelIDs.map { "('\($0.replacingOccurrences(of: "'", with: "''"))')" }.joined(separator: ", ")
        try await writer.write { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ?)
                    INSERT INTO item (id, kind, category, title, current_version, content_hash, review, attribute,
                        created_at, updated_at)
                    SELECT printf('preload-%09d', x), 'notice', 'execution', 'preloaded', 1, printf('%064d', 0),
                        'approved', 'proactive', ?, ? FROM g
                    """, arguments: [items, now, now])
            try db.execute(
                sql: """
                    INSERT INTO item_version (item_id, version, content_hash, document, public_document, submitted_by, created_at)
                    SELECT id, 1, content_hash, X'7B7D', X'7B7D', 'bench', ? FROM item WHERE id >= 'preload-' AND id < 'preload.'
                    """, arguments: [now])
            try db.execute(
                sql: """
                    WITH c(channel) AS (VALUES \(channels))
                    INSERT INTO delivery (item_id, channel_id, state, operation, wanted_version, delivered_version,
                        may_be_live, attempt_count, failure_streak, trigger, updated_at)
                    SELECT i.id, c.channel, 'delivered', 'publish', 1, 1, 1, 1, 0, 'scheduled', ?
                    FROM item i CROSS JOIN c WHERE i.id >= 'preload-' AND i.id < 'preload.'
                    """, arguments: [now])
        }
    }
}

extension PostgresOutboxStore: OutboxPreloading {
    public func preloadDelivered(items: Int, channelIDs: [String], now: Int64) async throws {
        try await translated("preload the outbox") {
            try await leased { connection in
                _ = try await connection.checkedQuery("BEGIN", logger: logger)
                do {
                    _ = try await connection.checkedQuery(
                        """
                        INSERT INTO item (id, kind, category, title, current_version, content_hash, review, attribute,
                            created_at, updated_at)
                        SELECT 'preload-' || lpad(g::text, 9, '0'), 'notice', 'execution', 'preloaded', 1, repeat('0', 64),
                            'approved', 'proactive', \(now), \(now) FROM generate_series(1, \(items)) g
                        """, logger: logger)
                    _ = try await connection.checkedQuery(
                        """
                        INSERT INTO item_version (item_id, version, content_hash, document, public_document, submitted_by, created_at)
                        SELECT id, 1, content_hash, '\\x7b7d'::bytea, '\\x7b7d'::bytea, 'bench', \(now)
                        FROM item WHERE id LIKE 'preload-%'
                        """, logger: logger)
                    _ = try await connection.checkedQuery(
                        """
                        INSERT INTO delivery (item_id, channel_id, state, operation, wanted_version, delivered_version,
                            may_be_live, attempt_count, failure_streak, trigger, updated_at)
                        SELECT i.id, c.channel, 'delivered', 'publish', 1, 1, true, 1, 0, 'scheduled', \(now)
                        FROM item i CROSS JOIN unnest(\(channelIDs)::text[]) AS c(channel) WHERE i.id LIKE 'preload-%'
                        """, logger: logger)
                } catch {
                    _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                    throw error
                }
                _ = try await connection.checkedQuery("COMMIT", logger: logger)
                // Vacuumed and analysed now, as autovacuum would soon after a bulk load: otherwise it
                // runs during the measurement that follows, on the same two cores.
                _ = try await connection.checkedQuery("VACUUM (ANALYZE) item, item_version, delivery", logger: logger)
            }
        }
    }

    /// Drops the schema this store lives in, with everything in it: for the bench's own
    /// throwaway schemas only (their names start `gongkai_bench_`).
    public func dropBenchSchema() async throws {
        guard let schema, schema.hasPrefix("gongkai_bench_") else {
            throw GongkaiError(.configuration, "only a bench schema (gongkai_bench_…) may be dropped", field: "schema")
        }
        try await translated("drop the bench schema") {
            _ = try await rows(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
        }
    }
}
