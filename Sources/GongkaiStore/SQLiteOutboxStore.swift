import CSQLiteTuning
import Foundation
import GRDB
public import GongkaiCore

/// The embedded outbox: SQLite through GRDB, one file, WAL.
///
/// Durability: a submit (new versions and their deliveries) commits with
/// `synchronous = FULL`, so an acknowledged submit survives power loss.
/// Delivery bookkeeping (claims, attempts, acks) commits with `NORMAL`: in WAL
/// mode that survives a crash of the process but may lose the last commits on
/// power loss, which only causes a re-send that the idempotency key absorbs.
public struct SQLiteOutboxStore: OutboxStore {
    let writer: any DatabaseWriter
    /// Where the database lives (`:memory:` for in-memory stores).
    public let location: String

    /// Whether SQLite runs in multi-thread mode without memory statistics
    /// (see `gongkai_sqlite_configure`). Evaluated once, before the process's
    /// first connection; false only if something opened SQLite earlier, which
    /// costs speed, not correctness.
    public static let sqliteTuned: Bool = gongkai_sqlite_configure() == 0

    /// Opens (creating if needed) the outbox at `path`, and migrates it.
    public init(path: String) throws {
        _ = Self.sqliteTuned
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // A larger page cache keeps the hot delivery pages out of read(2) calls on the
            // claim/ack path. (Memory-mapped I/O was tried: it made RSS track the file size.)
            try db.execute(sql: "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw GongkaiError(.store, "cannot open the outbox database at \(path): \(error)")
        }
        try self.init(writer: pool, location: path)
    }

    /// An in-memory outbox, for tests.
    public static func inMemory() throws -> SQLiteOutboxStore {
        _ = sqliteTuned
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        return try SQLiteOutboxStore(writer: DatabaseQueue(configuration: configuration), location: ":memory:")
    }

    private init(writer: any DatabaseWriter, location: String) throws {
        self.writer = writer
        self.location = location
        do {
            let migrator = SQLiteMigrations.migrator
            let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
            let known = Set(migrator.migrations)
            if let unknown = applied.first(where: { !known.contains($0) }) {
                throw GongkaiError(
                    .configuration,
                    "the outbox at \(location) has schema \(unknown), newer than this gongkai knows (\(migrator.migrations.last ?? "none")): upgrade gongkai before using it",
                    field: "database")
            }
            try migrator.migrate(writer)
            // GRDB sets synchronous = NORMAL for WAL after prepareDatabase; state it and read it back.
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        } catch let error as GongkaiError {
            throw error
        } catch {
            throw GongkaiError(.store, "cannot migrate the outbox database at \(location): \(error)")
        }
    }

    /// The number of schema migrations applied (all that this build knows, once opened).
    public var schemaVersion: Int { SQLiteMigrations.migrator.migrations.count }

    /// The journal mode and the `synchronous` level of bookkeeping and of submits, read back from SQLite.
    public func durability() throws -> (journalMode: String, bookkeeping: Int, submit: Int) {
        try writer.writeWithoutTransaction { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
            let normal = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            try db.execute(sql: "PRAGMA synchronous = FULL")
            let full = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            return (mode, normal, full)
        }
    }

    // MARK: - Submit, withdraw, approve (the rules are OutboxRules'; this reads and writes rows)

    public func submit(_ items: [PreparedItem], routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [SubmitOutcome]
    {
        try await durableWrite { db in
            try items.map { prepared in
                let current = try snapshot(db, itemID: prepared.item.id)
                let (outcome, writes) = OutboxRules.submit(prepared, current: current, routes: routes, actor: actor, now: now)
                try apply(writes, db)
                return outcome
            }
        }
    }

    public func withdraw(itemID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64)
        async throws -> [DeliveryRecord]
    {
        try await durableWrite { db in
            guard let current = try snapshot(db, itemID: itemID) else { throw OutboxRules.unknownItem(itemID) }
            let writes = OutboxRules.withdraw(current, reason: reason, routes: routes, actor: actor, now: now)
            try apply(writes, db)
            return writes.changedDeliveries
        }
    }

    public func approve(itemID: String, routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [DeliveryRecord]
    {
        try await durableWrite { db in
            guard let current = try snapshot(db, itemID: itemID) else { throw OutboxRules.unknownItem(itemID) }
            let writes = OutboxRules.approve(current, routes: routes, actor: actor, now: now)
            try apply(writes, db)
            return writes.changedDeliveries
        }
    }

    public func releasePortalWait(
        itemID: String, channelID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> [DeliveryRecord] {
        try await durableWrite { db in
            guard let current = try snapshot(db, itemID: itemID) else { throw OutboxRules.unknownItem(itemID) }
            let writes = OutboxRules.releasePortalWait(
                current, channelID: channelID, reason: reason, routes: routes, actor: actor, now: now)
            try apply(writes, db)
            return writes.changedDeliveries
        }
    }

    // MARK: - Claim and complete

    public func claim(
        channelID: String, audience: ChannelAudience, owner: String, limit: Int, leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        try await writer.write { db in
            try claimRows(
                db, channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis,
                now: now)
        }
    }

    public func complete(_ outcomes: [SendOutcome], owner: String, now: Int64) async throws {
        guard !outcomes.isEmpty else { return }
        try await writer.write { db in
            try completeRows(db, outcomes, owner: owner, now: now)
        }
    }

    public func completeAndClaim(
        _ outcomes: [SendOutcome], channelID: String, audience: ChannelAudience, owner: String, limit: Int,
        leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        try await writer.write { db in
            if !outcomes.isEmpty { try completeRows(db, outcomes, owner: owner, now: now) }
            return try claimRows(
                db, channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis,
                now: now)
        }
    }

    private func claimRows(
        _ db: Database, channelID: String, audience: ChannelAudience, owner: String, limit: Int, leaseMillis: Int64,
        now: Int64
    ) throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        // The rows this claim takes over from a worker that stopped, as they were: RETURNING shows
        // only the new values. Same transaction, same subquery as the claim, so the same rows; a
        // row is logged only if the claim then returns it too.
        let expired = try SQLiteStep(
            db,
            sql: """
                SELECT \(OutboxColumns.delivery), trigger FROM delivery
                WHERE state = 'sending' AND id IN (
                    SELECT id FROM delivery
                    WHERE channel_id = ? AND state IN ('pending','retrying','sending') AND next_attempt_at <= ?
                    ORDER BY next_attempt_at LIMIT ?)
                """)
        expired.bind(1, channelID)
        expired.bind(2, now)
        expired.bind(3, limit)
        var abandoned: [Int64: AttemptEntry] = [:]
        while try expired.step() {
            let record = try DeliveryRecord(expired)
            if let entry = OutboxRules.abandoned(record, trigger: AttemptTrigger(rawValue: expired.string(18)) ?? .scheduled) {
                abandoned[record.id] = entry
            }
        }
        expired.reset()
        // One statement for the batch; the SET list is DeliveryRecord.claimed(by:leaseUntil:now:)
        // in SQL (the contract suite holds both to the same result).
        let claim = try SQLiteStep(
            db,
            sql: """
                UPDATE delivery SET state = 'sending', lease_owner = ?, lease_expires_at = ?, next_attempt_at = ?,
                    attempt_count = attempt_count + 1, updated_at = ?
                WHERE id IN (
                    SELECT id FROM delivery
                    WHERE channel_id = ? AND state IN ('pending','retrying','sending') AND next_attempt_at <= ?
                    ORDER BY next_attempt_at LIMIT ?)
                RETURNING \(OutboxColumns.delivery), trigger
                """)
        let leaseUntil = now + leaseMillis
        claim.bind(1, owner)
        claim.bind(2, leaseUntil)
        claim.bind(3, leaseUntil)
        claim.bind(4, now)
        claim.bind(5, channelID)
        claim.bind(6, now)
        claim.bind(7, limit)
        var records: [(DeliveryRecord, AttemptTrigger)] = []
        records.reserveCapacity(limit)
        while try claim.step() {
            records.append((try DeliveryRecord(claim), AttemptTrigger(rawValue: claim.string(18)) ?? .scheduled))
        }
        claim.reset()
        guard !records.isEmpty else { return [] }
        if !abandoned.isEmpty {
            var writes = OutboxWrites()
            writes.attempts = records.compactMap { abandoned[$0.0.id] }
            try apply(writes, db)
        }
        let documentColumn = audience == .public ? "public_document" : "document"
        let version = try SQLiteStep(
            db,
            sql: """
                SELECT v.content_hash, v.\(documentColumn), i.withdrawn_reason, i.canonical_url
                FROM item_version v JOIN item i ON i.id = v.item_id
                WHERE v.item_id = ? AND v.version = ?
                """)
        var claimed: [ClaimedDelivery] = []
        claimed.reserveCapacity(records.count)
        for (record, trigger) in records {
            version.bind(1, record.itemID)
            version.bind(2, record.wantedVersion)
            guard try version.step() else {
                throw GongkaiError(
                    .store, "version \(record.wantedVersion) is missing", item: record.itemID, channel: channelID)
            }
            claimed.append(
                ClaimedDelivery(
                    record: record, operation: record.operation, version: record.wantedVersion,
                    contentHash: version.string(0), document: version.bytes(1), withdrawReason: version.optionalString(2),
                    canonicalURL: version.optionalString(3), trigger: trigger))
            version.reset()
        }
        return claimed
    }

    private func completeRows(_ db: Database, _ outcomes: [SendOutcome], owner: String, now: Int64) throws {
        // The common case in one statement: a publish of the wanted version succeeded and
        // nothing changed the row meanwhile (OutboxRules.fastDelivered says what it must set).
        let delivered = try SQLiteStep(
            db,
            sql: """
                UPDATE delivery SET state = 'delivered', delivered_version = wanted_version, may_be_live = 1,
                    remote_id = COALESCE(?, remote_id), remote_url = COALESCE(?, remote_url), failure_streak = 0,
                    last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL,
                    updated_at = ?
                WHERE id = ? AND state = 'sending' AND lease_owner = ? AND operation = 'publish'
                    AND wanted_version = ? AND hold_reason IS NULL
                """)
        var settledFast = Set<Int64>()
        var rows: [Int64: DeliveryRecord] = [:]
        var items: [String: ItemSnapshot] = [:]
        for outcome in outcomes {
            if OutboxRules.publishedCanonicalURL(outcome) != nil, items[outcome.itemID] == nil {
                items[outcome.itemID] = try snapshot(db, itemID: outcome.itemID)
            }
            if let (remoteID, remoteURL) = OutboxRules.fastDelivered(outcome) {
                delivered.bind(1, remoteID)
                delivered.bind(2, remoteURL)
                delivered.bind(3, now)
                delivered.bind(4, outcome.deliveryID)
                delivered.bind(5, owner)
                delivered.bind(6, outcome.version)
                try delivered.run()
                if delivered.changes == 1 {
                    settledFast.insert(outcome.deliveryID)
                    continue
                }
            }
            if let row = try deliveryRows(db, where: "id = ?", [outcome.deliveryID]).first { rows[row.id] = row }
        }
        try apply(
            OutboxRules.complete(outcomes, settledFast: settledFast, rows: rows, items: items, owner: owner, now: now), db)
    }

    public func renewLeases(owner: String, deliveryIDs: [Int64], leaseMillis: Int64, now: Int64) async throws -> Int {
        guard !deliveryIDs.isEmpty else { return 0 }
        return try await writer.write { db in
            var renewed = 0
            // By primary key, in chunks under SQLite's bound-parameter limit.
            for start in stride(from: 0, to: deliveryIDs.count, by: 500) {
                let chunk = deliveryIDs[start..<min(start + 500, deliveryIDs.count)]
                var arguments: StatementArguments = [now + leaseMillis, now + leaseMillis, owner]
                arguments += StatementArguments(Array(chunk))
                try db.execute(
                    sql: """
                        UPDATE delivery SET lease_expires_at = ?, next_attempt_at = ?
                        WHERE state = 'sending' AND lease_owner = ?
                            AND id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))
                        """, arguments: arguments)
                renewed += db.changesCount
            }
            return renewed
        }
    }

    public func release(owner: String, deliveryIDs: [Int64]?, now: Int64) async throws -> Int {
        try await writer.write { db in
            let rows = try deliveryRows(db, where: "state = 'sending' AND lease_owner = ?", [owner])
            let writes = OutboxRules.release(rows, deliveryIDs: deliveryIDs, now: now)
            try apply(writes, db)
            return writes.changedDeliveries.count
        }
    }

    public func itemVersion(itemID: String, version: Int) async throws -> ItemVersionRecord? {
        try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT content_hash, document, public_document, submitted_by, created_at FROM item_version
                    WHERE item_id = ? AND version = ?
                    """, arguments: [itemID, version]
            ).map {
                ItemVersionRecord(
                    itemID: itemID, version: version, contentHash: $0[0], document: [UInt8]($0[1] as Data),
                    publicDocument: [UInt8]($0[2] as Data), submittedBy: $0[3], createdAt: $0[4])
            }
        }
    }

    public func nextDue(channelID: String) async throws -> Int64? {
        try await writer.read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT MIN(next_attempt_at) FROM delivery
                    WHERE channel_id = ? AND state IN ('pending','retrying','sending')
                    """, arguments: [channelID])
        }
    }

    // MARK: - Reads

    public func item(id: String) async throws -> ItemRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT \(OutboxColumns.item) FROM item WHERE id = ?", arguments: [id]).map(Self.itemRecord)
        }
    }

    public func items(relatedTo itemID: String, kind: String) async throws -> [ItemRecord] {
        try await writer.read { db in
            // related_to is newline-separated: the id matches whole between newlines.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(OutboxColumns.item) FROM item
                    WHERE kind = ? AND instr(char(10) || related_to || char(10), char(10) || ? || char(10)) > 0
                    ORDER BY id
                    """,
                arguments: [kind, itemID]
            ).map(Self.itemRecord)
        }
    }

    public func items(after afterID: String?, limit: Int) async throws -> [ItemRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(OutboxColumns.item) FROM item WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [afterID ?? "", limit]
            ).map(Self.itemRecord)
        }
    }

    public func itemVersions(kinds: [String], after: (itemID: String, version: Int)?, limit: Int) async throws
        -> [(item: ItemRecord, version: ItemVersionRecord)]
    {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        return try await writer.read { db in
            var arguments = StatementArguments(kinds)
            arguments += [after?.itemID ?? "", after?.itemID ?? "", after?.version ?? 0, limit]
            // The (item_id, version) primary key serves the order and the keyset; the kind
            // filter scans the item table, as items(after:limit:) does for the same report.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(OutboxColumns.prefixed(OutboxColumns.item, "i")), \(OutboxColumns.versionAfterItem)
                    FROM item_version v JOIN item i ON i.id = v.item_id
                    WHERE i.kind IN (\(Array(repeating: "?", count: kinds.count).joined(separator: ",")))
                        AND (v.item_id > ? OR (v.item_id = ? AND v.version > ?))
                    ORDER BY v.item_id, v.version LIMIT ?
                    """, arguments: arguments)
            return rows.map { row in
                let item = Self.itemRecord(row, from: 0)
                let first = OutboxColumns.versionColumnsStart
                let version = ItemVersionRecord(
                    itemID: item.id, version: row[first], contentHash: row[first + 1],
                    document: [UInt8](row[first + 2] as Data), publicDocument: [UInt8](row[first + 3] as Data),
                    submittedBy: row[first + 4], createdAt: row[first + 5])
                return (item, version)
            }
        }
    }

    public func deliveriesWithItems(channelID: String, afterItemID: String?, limit: Int) async throws
        -> [(delivery: DeliveryRecord, item: ItemRecord)]
    {
        try await writer.read { db in
            let deliveryColumns = OutboxColumns.prefixed(OutboxColumns.delivery, "d")
            let itemColumns = OutboxColumns.prefixed(OutboxColumns.item, "i")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(deliveryColumns), \(itemColumns)
                    FROM delivery d JOIN item i ON i.id = d.item_id
                    WHERE d.channel_id = ? AND d.item_id > ?
                    ORDER BY d.item_id LIMIT ?
                    """, arguments: [channelID, afterItemID ?? "", limit])
            return try rows.map { row in
                let delivery = try DeliveryRecord(row: row)
                return (delivery, Self.itemRecord(row, from: OutboxColumns.itemAfterDelivery))
            }
        }
    }

    /// Related ids as stored: newline-separated (ids never contain one), nil for none.
    private static func relatedText(_ related: [String]) -> String? {
        related.isEmpty ? nil : related.joined(separator: "\n")
    }

    /// The item columns (``itemColumns``) of `row`, starting at column `first`.
    static func itemRecord(_ row: Row, from first: Int) -> ItemRecord {
        ItemRecord(
            id: row[first], kind: row[first + 1], category: row[first + 2], title: row[first + 3],
            currentVersion: row[first + 4], contentHash: row[first + 5], review: row[first + 6],
            attribute: row[first + 7], withdrawnAt: row[first + 8], withdrawnReason: row[first + 9],
            createdAt: row[first + 10], updatedAt: row[first + 11], dueOn: row[first + 12],
            canonicalURL: row[first + 13],
            relatedTo: (row[first + 14] as String?).map { $0.split(separator: "\n").map(String.init) } ?? [],
            feedbackDueOn: row[first + 15])
    }

    private static func itemRecord(_ row: Row) -> ItemRecord { itemRecord(row, from: 0) }

    public func deliveries(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] {
        try await writer.read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let itemID = filter.itemID {
                clauses.append("item_id = ?")
                arguments.append(itemID)
            }
            if let channelID = filter.channelID {
                clauses.append("channel_id = ?")
                arguments.append(channelID)
            }
            if let after = filter.afterItemID {
                clauses.append("item_id > ?")
                arguments.append(after)
            }
            if let states = filter.states, !states.isEmpty {
                clauses.append("state IN (" + states.map { _ in "?" }.joined(separator: ",") + ")")
                arguments.append(contentsOf: states.map(\.rawValue))
            }
            var sql = clauses.isEmpty ? "1" : clauses.joined(separator: " AND ")
            sql += " ORDER BY item_id, channel_id"
            if let limit = filter.limit {
                sql += " LIMIT ?"
                arguments.append(limit)
            }
            return try deliveryRows(db, where: sql, StatementArguments(arguments))
        }
    }

    public func attempts(itemID: String, channelID: String?) async throws -> [AttemptRecord] {
        try await writer.read { db in
            var sql = """
                SELECT id, delivery_id, item_id, channel_id, version, operation, trigger, started_at, duration_ms,
                    http_status, outcome, error, worker
                FROM attempt WHERE delivery_id IN (SELECT id FROM delivery WHERE item_id = ?
                """
            var arguments: StatementArguments = [itemID]
            if let channelID {
                sql += " AND channel_id = ?"
                arguments += [channelID]
            }
            sql += ") ORDER BY id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AttemptRecord(
                    id: row[0], deliveryID: row[1], itemID: row[2], channelID: row[3], version: row[4],
                    operation: row[5], trigger: row[6], startedAt: row[7], durationMillis: row[8],
                    httpStatus: row[9], outcome: row[10], error: row[11], worker: row[12])
            }
        }
    }

    public func stateCounts() async throws -> [String: [DeliveryState: Int]] {
        try await writer.read { db in
            var counts: [String: [DeliveryState: Int]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT channel_id, state, COUNT(*) FROM delivery GROUP BY channel_id, state")
            {
                guard let state = DeliveryState(rawValue: row[1]) else { continue }
                counts[row[0], default: [:]][state] = row[2]
            }
            return counts
        }
    }

    // MARK: - Operator actions

    public func resend(
        itemID: String, channelID: String?, force: Bool, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> [DeliveryRecord] {
        try await writer.write { db in
            guard let current = try snapshot(db, itemID: itemID) else { throw OutboxRules.unknownItem(itemID) }
            let writes = try OutboxRules.resend(
                current, channelID: channelID, force: force, routes: routes, actor: actor, now: now)
            try apply(writes, db)
            return writes.changedDeliveries
        }
    }

    public func recover(
        channelID: String, states: [DeliveryState], since: Int64?, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> Int {
        try await writer.write { db in
            var sql = "channel_id = ? AND state IN (" + states.map { _ in "?" }.joined(separator: ",") + ")"
            var arguments: [any DatabaseValueConvertible] = [channelID]
            arguments.append(contentsOf: states.map(\.rawValue))
            if let since {
                sql += " AND updated_at >= ?"
                arguments.append(since)
            }
            let rows = try deliveryRows(db, where: sql, StatementArguments(arguments))
            let writes = OutboxRules.recover(
                rows, channelID: channelID, states: states, routes: routes, actor: actor, now: now)
            try apply(writes, db)
            return writes.changedDeliveries.count
        }
    }

    public func setPaused(channelID: String, paused: Bool, reason: String?, actor: String, now: Int64) async throws {
        let (pause, event) = OutboxRules.pause(channelID: channelID, paused: paused, reason: reason, actor: actor, now: now)
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO channel_state (channel_id, paused, reason, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (channel_id) DO UPDATE SET paused = excluded.paused, reason = excluded.reason,
                        changed_at = excluded.changed_at, changed_by = excluded.changed_by
                    """, arguments: [pause.channelID, pause.paused, pause.reason, pause.changedAt, pause.changedBy])
            var writes = OutboxWrites()
            writes.audit.append(event)
            try apply(writes, db)
        }
    }

    public func channelPauses() async throws -> [ChannelPause] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT channel_id, paused, reason, changed_at, changed_by FROM channel_state ORDER BY channel_id"
            ).map { row in
                ChannelPause(channelID: row[0], paused: row[1], reason: row[2], changedAt: row[3], changedBy: row[4])
            }
        }
    }

    public func auditLog(itemID: String?, limit: Int) async throws -> [AuditEntry] {
        try await writer.read { db in
            var sql = "SELECT id, at, actor, action, item_id, channel_id, detail FROM audit"
            var arguments: StatementArguments = []
            if let itemID {
                sql += " WHERE item_id = ?"
                arguments += [itemID]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AuditEntry(
                    id: row[0], at: row[1], actor: row[2], action: row[3], itemID: row[4], channelID: row[5],
                    detail: row[6])
            }
        }
    }

    // MARK: - Helpers

    /// A write that commits with `synchronous = FULL`, for what a caller is told is stored.
    private func durableWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    private func deliveryRows(_ db: Database, where clause: String, _ arguments: StatementArguments) throws
        -> [DeliveryRecord]
    {
        let statement = try db.cachedStatement(
            sql: "SELECT \(OutboxColumns.delivery) FROM delivery WHERE \(clause)")
        return try Row.fetchAll(statement, arguments: arguments).map(DeliveryRecord.init(row:))
    }

    /// The item's row and all its deliveries, as the rules read them.
    private func snapshot(_ db: Database, itemID: String) throws -> ItemSnapshot? {
        guard
            let item = try Row.fetchOne(
                db, sql: "SELECT \(OutboxColumns.item) FROM item WHERE id = ?", arguments: [itemID]
            ).map(Self.itemRecord)
        else { return nil }
        return ItemSnapshot(item: item, deliveries: try deliveryRows(db, where: "item_id = ? ORDER BY id", [itemID]))
    }

    /// Writes what a rule decided, in the order ``OutboxWrites`` gives.
    private func apply(_ writes: OutboxWrites, _ db: Database) throws {
        if !writes.items.isEmpty {
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO item (\(OutboxColumns.item)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    \(OutboxColumns.itemUpsertConflict)
                    """)
            for item in writes.items {
                try upsert.execute(arguments: [
                    item.id, item.kind, item.category, item.title, item.currentVersion, item.contentHash, item.review,
                    item.attribute, item.withdrawnAt, item.withdrawnReason, item.createdAt, item.updatedAt, item.dueOn,
                    item.canonicalURL, Self.relatedText(item.relatedTo), item.feedbackDueOn,
                ])
            }
        }
        if let version = writes.version {
            try db.execute(
                sql: """
                    INSERT INTO item_version (item_id, version, content_hash, document, public_document, submitted_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    version.itemID, version.version, version.contentHash, Data(version.document),
                    Data(version.publicDocument), version.submittedBy, version.createdAt,
                ])
        }
        for record in writes.newDeliveries { _ = try record.inserted(db) }
        for record in writes.changedDeliveries { try record.update(db) }
        if !writes.triggers.isEmpty {
            let mark = try db.cachedStatement(sql: "UPDATE delivery SET trigger = ? WHERE id = ?")
            for (id, trigger) in writes.triggers { try mark.execute(arguments: [trigger.rawValue, id]) }
        }
        if !writes.attempts.isEmpty {
            let attempt = try SQLiteStep(
                db,
                sql: """
                    INSERT INTO attempt (delivery_id, item_id, channel_id, version, operation, trigger, started_at,
                        duration_ms, http_status, outcome, error, worker)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in writes.attempts {
                attempt.bind(1, entry.deliveryID)
                attempt.bind(2, entry.itemID)
                attempt.bind(3, entry.channelID)
                attempt.bind(4, entry.version)
                attempt.bind(5, entry.operation.rawValue)
                attempt.bind(6, entry.trigger.rawValue)
                attempt.bind(7, entry.startedAt)
                attempt.bind(8, entry.durationMillis)
                attempt.bind(9, entry.httpStatus)
                attempt.bind(10, entry.outcome)
                attempt.bind(11, entry.error)
                attempt.bind(12, entry.worker)
                try attempt.run()
            }
        }
        if !writes.audit.isEmpty {
            let audit = try db.cachedStatement(
                sql: "INSERT INTO audit (at, actor, action, item_id, channel_id, detail) VALUES (?, ?, ?, ?, ?, ?)")
            for event in writes.audit {
                try audit.execute(arguments: [
                    event.at, event.actor, event.action, event.itemID, event.channelID, event.detail,
                ])
            }
        }
    }
}
