import Foundation
public import GongkaiCore
public import Logging
import NIOCore
public import PostgresNIO

/// The scale-out outbox: PostgreSQL through PostgresNIO, shared by several daemons.
///
/// The rules are ``OutboxRules``'; this type reads and writes rows. What it
/// does differently from SQLite is what sharing a database needs:
///
/// - A claim is one statement, `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
///   LOCKED LIMIT n) RETURNING …`, joined to the versions it must send, so two
///   daemons never take the same row and never wait for each other.
/// - Every rule that reads rows to rewrite them locks them first (`FOR UPDATE`,
///   and a transaction-scoped advisory lock per item for submits, where the
///   item row may not exist yet), so a submit and a worker's acknowledgement
///   of the same delivery serialize instead of one overwriting the other.
/// - Acknowledgements go in batches: the common success in one `UPDATE … FROM
///   jsonb_to_recordset(…)`, attempts in one `INSERT … SELECT`.
///
/// Durability matches SQLite's: submits and operator actions commit with
/// `synchronous_commit = on`; claims and acknowledgements with `off`, which
/// survives a crash of the process or of PostgreSQL's backend but may lose the
/// last commits on a crash of the server machine, and then only causes a
/// re-send that the idempotency key absorbs.
///
/// The ``PostgresClient`` must be running (it is a `Service`: the daemon runs
/// it in its `ServiceGroup`; ``OutboxDatabase`` runs it for one-shot commands).
public struct PostgresOutboxStore: OutboxStore {
    public let client: PostgresClient
    let logger: Logger
    /// The pool's settings for one direct connection, made only to say why the pool
    /// cannot connect (its own error says just that attempts keep failing).
    let diagnosis: PostgresConnection.Configuration?
    /// The schema the outbox lives in when it is not the default (the connections' `search_path`).
    public let schema: String?
    /// How long a call waits for a pooled connection before it fails as a store error
    /// (the connect timeout): the pool itself would wait as long as it keeps trying.
    let leaseTimeout: Duration

    public init(
        client: PostgresClient, logger: Logger = Logger(label: "gongkai.store.postgres"),
        diagnosis: PostgresConnection.Configuration? = nil, schema: String? = nil,
        leaseTimeout: Duration = .seconds(10)
    ) {
        self.client = client
        self.logger = logger
        self.diagnosis = diagnosis
        self.schema = schema
        self.leaseTimeout = leaseTimeout
    }

    /// `body` on a pooled connection, waiting at most ``leaseTimeout`` for one.
    func leased<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await client.leased(within: leaseTimeout, body)
    }

    /// One statement on a pooled connection under both guards, its rows collected: what
    /// `client.query` would do, without its waits that can last for ever.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await leased { [logger] connection in try await connection.checkedQuery(query, logger: logger).collect() }
    }

    // MARK: - Schema

    /// Applies the migrations this build knows (under an advisory lock, so daemons
    /// starting together migrate once) and returns the schema version.
    /// Refuses a database whose schema is newer than this build.
    @discardableResult
    public func migrate() async throws -> Int {
        try await checkConnection()
        return try await migrateOnce()
    }

    /// One direct connection, closed at once, to say why the database cannot be
    /// used: the pool only retries for a minute and then reports that attempts
    /// keep failing, without the cause (refused, unknown database, bad password).
    public func checkConnection() async throws {
        guard let diagnosis else { return }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: diagnosis, id: 0, logger: logger, within: leaseTimeout + .seconds(2))
        } catch let cause as LeaseTimedOut {
            throw GongkaiError(.store, "cannot connect to PostgreSQL: no answer within \(cause.waited)", field: "database")
        } catch let cause as PSQLError {
            throw GongkaiError(.store, "cannot connect to PostgreSQL: \(Self.describe(cause))", field: "database")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw GongkaiError(.store, "cannot connect to PostgreSQL: \(error)", field: "database")
        }
        try? await connection.close()
    }

    private func migrateOnce() async throws -> Int {
        try await translated("migrate the outbox database") {
            try await leased { connection in
                try await connection.checkedQuery("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: logger)
                do {
                    if let schema {
                        // Validated when the database was opened: letters, digits and _ only.
                        try await connection.checkedQuery(
                            PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
                    }
                    try await connection.checkedQuery(PostgresQuery(unsafeSQL: PostgresMigrations.createSchemaTable), logger: logger)
                    let current = try await Self.schemaVersion(connection, logger: logger)
                    try Self.refuseNewer(current)
                    for migration in PostgresMigrations.all where migration.version > current {
                        try await Self.transaction(connection, logger: logger) { connection in
                            for statement in migration.statements {
                                try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
                            }
                            try await connection.checkedQuery(
                                "INSERT INTO gongkai_schema (version, name) VALUES (\(migration.version), \(migration.name))",
                                logger: logger)
                        }
                    }
                } catch {
                    _ = try? await connection.checkedQuery("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                    throw error
                }
                try await connection.checkedQuery("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                return try await Self.schemaVersion(connection, logger: logger)
            }
        }
    }

    /// The schema version the database records (0 when it has none), without changing it.
    public func schemaVersion() async throws -> Int {
        try await translated("read the schema version") {
            try await leased { connection in
                let exists = try await connection.checkedQuery(
                    "SELECT to_regclass('gongkai_schema') IS NOT NULL", logger: logger
                ).collect().first?.decode(Bool.self) ?? false
                return exists ? try await Self.schemaVersion(connection, logger: logger) : 0
            }
        }
    }

    /// The newest schema version this build knows.
    public static var knownSchemaVersion: Int { PostgresMigrations.latest }

    private static func schemaVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.checkedQuery("SELECT COALESCE(MAX(version), 0) FROM gongkai_schema", logger: logger)
            .collect()
        return Int(try rows.first?.decode(Int32.self) ?? 0)
    }

    private static func refuseNewer(_ version: Int) throws {
        guard version <= PostgresMigrations.latest else {
            throw GongkaiError(
                .configuration,
                "the database schema is version \(version), newer than this gongkai knows (version \(PostgresMigrations.latest)): upgrade gongkai before using this database",
                field: "database")
        }
    }

    /// `pg_advisory_lock` key for migrations ("gongkai" in ASCII, as a number).
    private static let migrationLock: Int64 = 0x67_6F_6E_67_6B_61_69

    // MARK: - Submit, withdraw, approve

    public func submit(_ items: [PreparedItem], routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [SubmitOutcome]
    {
        try await write("submit items", durable: true) { connection in
            var outcomes: [SubmitOutcome] = []
            var due: Set<String> = []
            for prepared in items {
                let current = try await snapshot(connection, itemID: prepared.item.id)
                let (outcome, writes) = OutboxRules.submit(
                    prepared, current: current, routes: routes, actor: actor, now: now)
                try await apply(writes, connection)
                due.formUnion(Self.dueChannels(writes))
                outcomes.append(outcome)
            }
            try await announce(due, connection)
            return outcomes
        }
    }

    public func withdraw(itemID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64)
        async throws -> [DeliveryRecord]
    {
        try await write("withdraw an item", durable: true) { connection in
            guard let current = try await snapshot(connection, itemID: itemID) else {
                throw OutboxRules.unknownItem(itemID)
            }
            let writes = OutboxRules.withdraw(current, reason: reason, routes: routes, actor: actor, now: now)
            try await apply(writes, connection)
            try await announce(Self.dueChannels(writes), connection)
            return writes.changedDeliveries
        }
    }

    public func approve(itemID: String, routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [DeliveryRecord]
    {
        try await write("approve an item", durable: true) { connection in
            guard let current = try await snapshot(connection, itemID: itemID) else {
                throw OutboxRules.unknownItem(itemID)
            }
            let writes = OutboxRules.approve(current, routes: routes, actor: actor, now: now)
            try await apply(writes, connection)
            try await announce(Self.dueChannels(writes), connection)
            return writes.changedDeliveries
        }
    }

    public func releasePortalWait(
        itemID: String, channelID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> [DeliveryRecord] {
        try await write("publish without the portal link", durable: true) { connection in
            guard let current = try await snapshot(connection, itemID: itemID) else {
                throw OutboxRules.unknownItem(itemID)
            }
            let writes = OutboxRules.releasePortalWait(
                current, channelID: channelID, reason: reason, routes: routes, actor: actor, now: now)
            try await apply(writes, connection)
            try await announce(Self.dueChannels(writes), connection)
            return writes.changedDeliveries
        }
    }

    // MARK: - Claim and complete

    public func claim(
        channelID: String, audience: ChannelAudience, owner: String, limit: Int, leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        return try await translated("claim deliveries", channel: channelID) {
            try await leased { connection in
                try await claimRows(
                    connection, channelID: channelID, audience: audience, owner: owner, limit: limit,
                    leaseMillis: leaseMillis, now: now)
            }
        }
    }

    public func complete(_ outcomes: [SendOutcome], owner: String, now: Int64) async throws {
        guard !outcomes.isEmpty else { return }
        try await write("record send outcomes", durable: false) { connection in
            try await completeRows(connection, outcomes, owner: owner, now: now)
        }
    }

    public func completeAndClaim(
        _ outcomes: [SendOutcome], channelID: String, audience: ChannelAudience, owner: String, limit: Int,
        leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        guard !outcomes.isEmpty else {
            return try await claim(
                channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis, now: now)
        }
        return try await write("record send outcomes and claim", durable: false) { connection in
            try await completeRows(connection, outcomes, owner: owner, now: now)
            return try await claimRows(
                connection, channelID: channelID, audience: audience, owner: owner, limit: limit,
                leaseMillis: leaseMillis, now: now)
        }
    }

    /// One statement: the SET list is DeliveryRecord.claimed(by:leaseUntil:now:) in SQL
    /// (the contract suite holds both to the same result), and the join brings each
    /// row's version, so a claim is one round trip.
    private func claimRows(
        _ connection: PostgresConnection, channelID: String, audience: ChannelAudience, owner: String, limit: Int,
        leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let statement = ClaimStatement(
            owner: owner, leaseUntil: now + leaseMillis, now: now, channelID: channelID, limit: limit,
            publicDocument: audience == .public)
        var claimed: [ClaimedDelivery] = []
        claimed.reserveCapacity(limit)
        for try await delivery in try await connection.checkedExecute(statement, logger: logger) {
            claimed.append(delivery)
        }
        // RETURNING does not keep the subquery's order; the join sorted them again.
        return claimed
    }

    private func completeRows(_ connection: PostgresConnection, _ outcomes: [SendOutcome], owner: String, now: Int64)
        async throws
    {
        // Items first, then deliveries: the order submits lock in, so the two cannot deadlock.
        var items: [String: ItemSnapshot] = [:]
        for outcome in outcomes where OutboxRules.publishedCanonicalURL(outcome) != nil && items[outcome.itemID] == nil {
            items[outcome.itemID] = try await snapshot(connection, itemID: outcome.itemID)
        }
        // The common case in one statement: a publish of the wanted version succeeded and
        // nothing changed the row meanwhile (OutboxRules.fastDelivered says what it must set).
        var fast = FastDeliveredStatement(now: now, owner: owner)
        for outcome in outcomes {
            if let (remoteID, remoteURL) = OutboxRules.fastDelivered(outcome) {
                fast.append(id: outcome.deliveryID, version: outcome.version, remoteID: remoteID, remoteURL: remoteURL)
            }
        }
        var settledFast = Set<Int64>()
        if !fast.isEmpty {
            for try await id in try await connection.checkedExecute(fast, logger: logger) {
                settledFast.insert(id)
            }
        }
        var rows: [Int64: DeliveryRecord] = [:]
        let rest = outcomes.map(\.deliveryID).filter { !settledFast.contains($0) }
        if !rest.isEmpty {
            for record in try await deliveryRows(
                connection, where: "id = ANY($1) ORDER BY id FOR UPDATE", [.init(rest)])
            {
                rows[record.id] = record
            }
        }
        try await apply(
            OutboxRules.complete(outcomes, settledFast: settledFast, rows: rows, items: items, owner: owner, now: now),
            connection)
    }

    public func renewLeases(owner: String, deliveryIDs: [Int64], leaseMillis: Int64, now: Int64) async throws -> Int {
        guard !deliveryIDs.isEmpty else { return 0 }
        return try await translated("renew delivery leases") {
            // One statement by primary key; rare (a quarter of a lease apart), so committed durably.
            let query: PostgresQuery = """
                WITH renewed AS (
                    UPDATE delivery SET lease_expires_at = \(now + leaseMillis), next_attempt_at = \(now + leaseMillis)
                    WHERE state = 'sending' AND lease_owner = \(owner) AND id = ANY(\(deliveryIDs))
                    RETURNING id
                )
                SELECT count(*) FROM renewed
                """
            return Int(try await rows(query).first?.decode(Int64.self) ?? 0)
        }
    }

    public func release(owner: String, deliveryIDs: [Int64]?, now: Int64) async throws -> Int {
        try await write("release claimed deliveries", durable: false) { connection in
            let rows = try await deliveryRows(
                connection, where: "state = 'sending' AND lease_owner = $1 ORDER BY id FOR UPDATE", [.init(owner)])
            let writes = OutboxRules.release(rows, deliveryIDs: deliveryIDs, now: now)
            try await apply(writes, connection)
            return writes.changedDeliveries.count
        }
    }

    public func itemVersion(itemID: String, version: Int) async throws -> ItemVersionRecord? {
        try await translated("read an item version") {
            let query: PostgresQuery = """
                SELECT content_hash, document, public_document, submitted_by, created_at FROM item_version
                WHERE item_id = \(itemID) AND version = \(version)
                """
            guard let row = try await rows(query).first else { return nil }
            let (hash, document, publicDocument, submittedBy, createdAt) = try row.decode(
                (String, ByteBuffer, ByteBuffer, String, Int64).self)
            return ItemVersionRecord(
                itemID: itemID, version: version, contentHash: hash, document: Array(document.readableBytesView),
                publicDocument: Array(publicDocument.readableBytesView), submittedBy: submittedBy, createdAt: createdAt)
        }
    }

    public func nextDue(channelID: String) async throws -> Int64? {
        try await translated("read the next due time", channel: channelID) {
            let query: PostgresQuery = """
                SELECT MIN(next_attempt_at) FROM delivery
                WHERE channel_id = \(channelID) AND state IN ('pending','retrying','sending')
                """
            return try await rows(query).first?.decode(Int64?.self) ?? nil
        }
    }

    // MARK: - Reads

    public func item(id: String) async throws -> ItemRecord? {
        try await read("read an item") { connection in
            try await itemRows(connection, where: "id = $1", [.init(id)]).first
        }
    }

    public func items(relatedTo itemID: String, kind: String) async throws -> [ItemRecord] {
        try await read("read related items") { connection in
            // related_to is newline-separated: the id matches whole between newlines.
            try await itemRows(
                connection,
                where: "kind = $1 AND strpos(chr(10) || related_to || chr(10), chr(10) || $2 || chr(10)) > 0 ORDER BY id",
                [.init(kind), .init(itemID)])
        }
    }

    public func items(after afterID: String?, limit: Int) async throws -> [ItemRecord] {
        try await read("read items") { connection in
            try await itemRows(connection, where: "id > $1 ORDER BY id LIMIT $2", [.init(afterID ?? ""), .init(limit)])
        }
    }

    public func itemVersions(kinds: [String], after: (itemID: String, version: Int)?, limit: Int) async throws
        -> [(item: ItemRecord, version: ItemVersionRecord)]
    {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        return try await read("read item versions") { connection in
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(kinds)
            bindings.append(after?.itemID ?? "")
            bindings.append(after?.version ?? 0)
            bindings.append(limit)
            // A row comparison, so the (item_id, version) primary key serves the keyset and the order.
            let query = PostgresQuery(
                unsafeSQL: """
                    SELECT \(OutboxColumns.prefixed(OutboxColumns.item, "i")), \(OutboxColumns.versionAfterItem)
                    FROM item_version v JOIN item i ON i.id = v.item_id
                    WHERE i.kind = ANY($1) AND (v.item_id, v.version) > ($2, $3)
                    ORDER BY v.item_id, v.version LIMIT $4
                    """, binds: bindings)
            var result: [(item: ItemRecord, version: ItemVersionRecord)] = []
            for try await row in try await connection.checkedQuery(query, logger: logger) {
                let cells = row.makeRandomAccess()
                let item = try Self.itemRecord(cells, from: 0)
                let first = OutboxColumns.versionColumnsStart
                let document = try cells[first + 2].decode(ByteBuffer.self)
                let publicDocument = try cells[first + 3].decode(ByteBuffer.self)
                result.append(
                    (item,
                     ItemVersionRecord(
                        itemID: item.id, version: try cells[first].decode(Int.self),
                        contentHash: try cells[first + 1].decode(String.self),
                        document: Array(document.readableBytesView), publicDocument: Array(publicDocument.readableBytesView),
                        submittedBy: try cells[first + 4].decode(String.self), createdAt: try cells[first + 5].decode(Int64.self))))
            }
            return result
        }
    }

    public func deliveriesWithItems(channelID: String, afterItemID: String?, limit: Int) async throws
        -> [(delivery: DeliveryRecord, item: ItemRecord)]
    {
        try await read("read deliveries with their items", channel: channelID) { connection in
            let deliveryColumns = OutboxColumns.prefixed(OutboxColumns.delivery, "d")
            let itemColumns = OutboxColumns.prefixed(OutboxColumns.item, "i")
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(channelID)
            bindings.append(afterItemID ?? "")
            bindings.append(limit)
            let query = PostgresQuery(
                unsafeSQL: """
                    SELECT \(deliveryColumns), \(itemColumns)
                    FROM delivery d JOIN item i ON i.id = d.item_id
                    WHERE d.channel_id = $1 AND d.item_id > $2
                    ORDER BY d.item_id LIMIT $3
                    """, binds: bindings)
            var result: [(delivery: DeliveryRecord, item: ItemRecord)] = []
            for try await row in try await connection.checkedQuery(query, logger: logger) {
                let cells = row.makeRandomAccess()
                result.append((try Self.deliveryRecord(cells), try Self.itemRecord(cells, from: OutboxColumns.itemAfterDelivery)))
            }
            return result
        }
    }

    public func deliveries(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] {
        try await read("read deliveries") { connection in
            var clauses: [String] = []
            var arguments: [Argument] = []
            func bind(_ argument: Argument) -> String {
                arguments.append(argument)
                return "$\(arguments.count)"
            }
            if let itemID = filter.itemID { clauses.append("item_id = " + bind(.init(itemID))) }
            if let channelID = filter.channelID { clauses.append("channel_id = " + bind(.init(channelID))) }
            if let after = filter.afterItemID { clauses.append("item_id > " + bind(.init(after))) }
            if let states = filter.states, !states.isEmpty {
                clauses.append("state = ANY(" + bind(.init(states.map(\.rawValue))) + ")")
            }
            var sql = clauses.isEmpty ? "TRUE" : clauses.joined(separator: " AND ")
            sql += " ORDER BY item_id, channel_id"
            if let limit = filter.limit { sql += " LIMIT " + bind(.init(limit)) }
            return try await deliveryRows(connection, where: sql, arguments)
        }
    }

    public func attempts(itemID: String, channelID: String?) async throws -> [AttemptRecord] {
        try await read("read attempts") { connection in
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(itemID)
            var sql = """
                SELECT id, delivery_id, item_id, channel_id, version, operation, trigger, started_at, duration_ms,
                    http_status, outcome, error, worker
                FROM attempt WHERE delivery_id IN (SELECT id FROM delivery WHERE item_id = $1
                """
            if let channelID {
                bindings.append(channelID)
                sql += " AND channel_id = $2"
            }
            sql += ") ORDER BY id"
            var result: [AttemptRecord] = []
            for try await row in try await connection.checkedQuery(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
                let c = row.makeRandomAccess()
                result.append(
                    AttemptRecord(
                        id: try c[0].decode(Int64.self), deliveryID: try c[1].decode(Int64.self),
                        itemID: try c[2].decode(String.self), channelID: try c[3].decode(String.self),
                        version: try c[4].decode(Int.self), operation: try c[5].decode(String.self),
                        trigger: try c[6].decode(String.self), startedAt: try c[7].decode(Int64.self),
                        durationMillis: try c[8].decode(Int64.self), httpStatus: try c[9].decode(Int?.self),
                        outcome: try c[10].decode(String.self), error: try c[11].decode(String?.self),
                        worker: try c[12].decode(String.self)))
            }
            return result
        }
    }

    public func stateCounts() async throws -> [String: [DeliveryState: Int]] {
        try await read("count deliveries") { connection in
            var counts: [String: [DeliveryState: Int]] = [:]
            let rows = try await connection.checkedQuery(
                "SELECT channel_id, state, COUNT(*) FROM delivery GROUP BY channel_id, state", logger: logger)
            for try await (channel, state, count) in rows.decode((String, String, Int64).self) {
                guard let state = DeliveryState(rawValue: state) else { continue }
                counts[channel, default: [:]][state] = Int(count)
            }
            return counts
        }
    }

    // MARK: - Operator actions

    public func resend(
        itemID: String, channelID: String?, force: Bool, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> [DeliveryRecord] {
        try await write("resend an item", durable: true) { connection in
            guard let current = try await snapshot(connection, itemID: itemID) else {
                throw OutboxRules.unknownItem(itemID)
            }
            let writes = try OutboxRules.resend(
                current, channelID: channelID, force: force, routes: routes, actor: actor, now: now)
            try await apply(writes, connection)
            try await announce(Self.dueChannels(writes), connection)
            return writes.changedDeliveries
        }
    }

    public func recover(
        channelID: String, states: [DeliveryState], since: Int64?, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> Int {
        try await write("recover deliveries", durable: true) { connection in
            var arguments: [Argument] = [.init(channelID), .init(states.map(\.rawValue))]
            var sql = "channel_id = $1 AND state = ANY($2)"
            if let since {
                arguments.append(.init(since))
                sql += " AND updated_at >= $3"
            }
            let rows = try await deliveryRows(connection, where: sql + " ORDER BY id FOR UPDATE", arguments)
            let writes = OutboxRules.recover(
                rows, channelID: channelID, states: states, routes: routes, actor: actor, now: now)
            try await apply(writes, connection)
            try await announce(Self.dueChannels(writes), connection)
            return writes.changedDeliveries.count
        }
    }

    public func setPaused(channelID: String, paused: Bool, reason: String?, actor: String, now: Int64) async throws {
        let (pause, event) = OutboxRules.pause(
            channelID: channelID, paused: paused, reason: reason, actor: actor, now: now)
        try await write("pause or resume a channel", durable: true) { connection in
            try await connection.checkedQuery(
                """
                INSERT INTO channel_state (channel_id, paused, reason, changed_at, changed_by)
                VALUES (\(pause.channelID), \(pause.paused), \(pause.reason), \(pause.changedAt), \(pause.changedBy))
                ON CONFLICT (channel_id) DO UPDATE SET paused = excluded.paused, reason = excluded.reason,
                    changed_at = excluded.changed_at, changed_by = excluded.changed_by
                """, logger: logger)
            var writes = OutboxWrites()
            writes.audit.append(event)
            try await apply(writes, connection)
            if !paused { try await announce([channelID], connection) }
        }
    }

    // MARK: - Wake-ups (LISTEN/NOTIFY)

    /// The NOTIFY channel on which operator actions announce due work: the payload
    /// lists the outbox channels (comma-separated) that have something to send.
    public static let workChannel = "gongkai_work"

    /// Channels that a set of writes left with a delivery to make now.
    static func dueChannels(_ writes: OutboxWrites) -> Set<String> {
        Set((writes.newDeliveries + writes.changedDeliveries).filter { $0.state == .pending || $0.state == .retrying }
            .map(\.channelID))
    }

    /// `NOTIFY` inside the transaction: PostgreSQL delivers it on commit and drops it on rollback.
    private func announce(_ channels: Set<String>, _ connection: PostgresConnection) async throws {
        guard !channels.isEmpty else { return }
        let payload = channels.sorted().joined(separator: ",")
        _ = try await connection.checkedQuery("SELECT pg_notify(\(Self.workChannel), \(payload))", logger: logger)
    }

    /// Holds one connection listening for due work and calls `onWork` with the
    /// channels each notification names, until the task is cancelled (it then
    /// returns) or the connection is lost (it then throws, and the caller listens
    /// again). `onListening` runs once the `LISTEN` is in place.
    ///
    /// On a connection of its own, not the pool's, when the store knows how to
    /// open one: the pool's shutdown then never waits for a LISTEN to give its
    /// connection back, and cancelling closes the connection, which ends a LISTEN
    /// that cancellation alone might not.
    public func listenForWork(
        onListening: @escaping @Sendable () -> Void = {}, _ onWork: @escaping @Sendable (Set<String>) -> Void
    ) async throws {
        try await translated("listen for new work") {
            let listen: @Sendable (PostgresConnection) async throws -> Void = { connection in
                try await connection.listen(on: Self.workChannel) { notifications in
                    onListening()
                    for try await notification in notifications {
                        onWork(Set(notification.payload.split(separator: ",").map(String.init)))
                    }
                }
            }
            guard let diagnosis else {
                return try await leased { connection in try await listen(connection) }
            }
            let connection = try await PostgresConnection.connect(
                configuration: diagnosis, id: 1, logger: logger, within: leaseTimeout + .seconds(2))
            do {
                try await withTaskCancellationHandler {
                    try await listen(connection)
                } onCancel: {
                    connection.close().whenComplete { _ in }
                }
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        }
    }

    public func channelPauses() async throws -> [ChannelPause] {
        try await read("read channel pauses") { connection in
            var result: [ChannelPause] = []
            let rows = try await connection.checkedQuery(
                "SELECT channel_id, paused, reason, changed_at, changed_by FROM channel_state ORDER BY channel_id",
                logger: logger)
            for try await (channel, paused, reason, changedAt, changedBy) in rows.decode(
                (String, Bool, String?, Int64, String).self)
            {
                result.append(
                    ChannelPause(channelID: channel, paused: paused, reason: reason, changedAt: changedAt, changedBy: changedBy))
            }
            return result
        }
    }

    public func auditLog(itemID: String?, limit: Int) async throws -> [AuditEntry] {
        try await read("read the audit log") { connection in
            var bindings = PostgresBindings(capacity: 2)
            var sql = "SELECT id, at, actor, action, item_id, channel_id, detail FROM audit"
            if let itemID {
                bindings.append(itemID)
                sql += " WHERE item_id = $1"
            }
            bindings.append(limit)
            sql += " ORDER BY id DESC LIMIT $\(bindings.count)"
            var result: [AuditEntry] = []
            let rows = try await connection.checkedQuery(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            for try await (id, at, actor, action, item, channel, detail) in rows.decode(
                (Int64, Int64, String, String, String?, String?, String?).self)
            {
                result.append(
                    AuditEntry(id: id, at: at, actor: actor, action: action, itemID: item, channelID: channel, detail: detail))
            }
            return result
        }
    }

    // MARK: - Reading and writing rows

    /// The item's row and all its deliveries, locked until the transaction ends.
    /// The advisory lock covers an item that does not exist yet (two submits of one new id).
    private func snapshot(_ connection: PostgresConnection, itemID: String) async throws -> ItemSnapshot? {
        try await connection.checkedQuery("SELECT pg_advisory_xact_lock(hashtextextended(\(itemID), 0))", logger: logger)
        guard let item = try await itemRows(connection, where: "id = $1 FOR UPDATE", [.init(itemID)]).first else {
            return nil
        }
        let deliveries = try await deliveryRows(connection, where: "item_id = $1 ORDER BY id FOR UPDATE", [.init(itemID)])
        return ItemSnapshot(item: item, deliveries: deliveries)
    }

    /// Writes what a rule decided, in the order ``OutboxWrites`` gives.
    private func apply(_ writes: OutboxWrites, _ connection: PostgresConnection) async throws {
        for item in writes.items {
            try await connection.checkedQuery(
                """
                INSERT INTO item (\(unescaped: OutboxColumns.item))
                VALUES (\(item.id), \(item.kind), \(item.category), \(item.title), \(item.currentVersion),
                    \(item.contentHash), \(item.review), \(item.attribute), \(item.withdrawnAt), \(item.withdrawnReason),
                    \(item.createdAt), \(item.updatedAt), \(item.dueOn), \(item.canonicalURL),
                    \(item.relatedTo.isEmpty ? nil : item.relatedTo.joined(separator: "\n")), \(item.feedbackDueOn))
                \(unescaped: OutboxColumns.itemUpsertConflict)
                """, logger: logger)
        }
        if let version = writes.version {
            try await connection.checkedQuery(
                """
                INSERT INTO item_version (item_id, version, content_hash, document, public_document, submitted_by, created_at)
                VALUES (\(version.itemID), \(version.version), \(version.contentHash),
                    \(ByteBuffer(bytes: version.document)), \(ByteBuffer(bytes: version.publicDocument)),
                    \(version.submittedBy), \(version.createdAt))
                """, logger: logger)
        }
        if !writes.newDeliveries.isEmpty {
            try await connection.checkedQuery(
                """
                INSERT INTO delivery (item_id, channel_id, state, operation, wanted_version, delivered_version,
                    may_be_live, remote_id, remote_url, attempt_count, failure_streak, next_attempt_at, last_error,
                    hold_reason, trigger, lease_owner, lease_expires_at, updated_at)
                SELECT item_id, channel_id, state, operation, wanted_version, delivered_version, may_be_live,
                    remote_id, remote_url, attempt_count, failure_streak, next_attempt_at, last_error, hold_reason,
                    'scheduled', lease_owner, lease_expires_at, updated_at
                FROM jsonb_to_recordset(\(try Self.json(writes.newDeliveries))::jsonb) AS r(\(unescaped: Self.deliveryRecordset))
                """, logger: logger)
        }
        if !writes.changedDeliveries.isEmpty {
            try await connection.checkedQuery(
                """
                UPDATE delivery d SET state = r.state, operation = r.operation, wanted_version = r.wanted_version,
                    delivered_version = r.delivered_version, may_be_live = r.may_be_live, remote_id = r.remote_id,
                    remote_url = r.remote_url, attempt_count = r.attempt_count, failure_streak = r.failure_streak,
                    next_attempt_at = r.next_attempt_at, last_error = r.last_error, hold_reason = r.hold_reason,
                    lease_owner = r.lease_owner, lease_expires_at = r.lease_expires_at, updated_at = r.updated_at
                FROM jsonb_to_recordset(\(try Self.json(writes.changedDeliveries))::jsonb) AS r(\(unescaped: Self.deliveryRecordset))
                WHERE d.id = r.id
                """, logger: logger)
        }
        if !writes.triggers.isEmpty {
            let marks = writes.triggers.map { TriggerMark(id: $0.deliveryID, trigger: $0.trigger.rawValue) }
            try await connection.checkedQuery(
                """
                UPDATE delivery d SET trigger = m.trigger
                FROM jsonb_to_recordset(\(try Self.json(marks))::jsonb) AS m(id BIGINT, trigger TEXT)
                WHERE d.id = m.id
                """, logger: logger)
        }
        if !writes.attempts.isEmpty {
            for try await _ in try await connection.checkedExecute(AttemptInsertStatement(writes.attempts), logger: logger) {}
        }
        for event in writes.audit {
            try await connection.checkedQuery(
                """
                INSERT INTO audit (at, actor, action, item_id, channel_id, detail)
                VALUES (\(event.at), \(event.actor), \(event.action), \(event.itemID), \(event.channelID), \(event.detail))
                """, logger: logger)
        }
    }

    /// A bound value for the queries assembled from parts (filters, paging).
    struct Argument: Sendable {
        let append: @Sendable (inout PostgresBindings) -> Void
        init<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value) {
            append = { $0.append(value) }
        }
    }

    private func deliveryRows(_ connection: PostgresConnection, where clause: String, _ arguments: [Argument])
        async throws -> [DeliveryRecord]
    {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { argument.append(&bindings) }
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(OutboxColumns.delivery) FROM delivery WHERE \(clause)", binds: bindings)
        var result: [DeliveryRecord] = []
        for try await row in try await connection.checkedQuery(query, logger: logger) {
            result.append(try Self.deliveryRecord(row.makeRandomAccess()))
        }
        return result
    }

    private func itemRows(_ connection: PostgresConnection, where clause: String, _ arguments: [Argument])
        async throws -> [ItemRecord]
    {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { argument.append(&bindings) }
        let query = PostgresQuery(unsafeSQL: "SELECT \(OutboxColumns.item) FROM item WHERE \(clause)", binds: bindings)
        var result: [ItemRecord] = []
        for try await row in try await connection.checkedQuery(query, logger: logger) {
            result.append(try Self.itemRecord(row.makeRandomAccess(), from: 0))
        }
        return result
    }

    /// The column list `jsonb_to_recordset` reads a JSON-encoded ``DeliveryRecord`` with
    /// (JSONEncoder's snake-case keys are the column names).
    private static let deliveryRecordset = """
        id BIGINT, item_id TEXT, channel_id TEXT, state TEXT, operation TEXT, wanted_version BIGINT,
        delivered_version BIGINT, may_be_live BOOLEAN, remote_id TEXT, remote_url TEXT, attempt_count BIGINT,
        failure_streak BIGINT, next_attempt_at BIGINT, last_error TEXT, hold_reason TEXT, lease_owner TEXT,
        lease_expires_at BIGINT, updated_at BIGINT
        """

    static func deliveryRecord(_ c: PostgresRandomAccessRow) throws -> DeliveryRecord {
        let stateText = try c[3].decode(String.self)
        let operationText = try c[4].decode(String.self)
        guard let state = DeliveryState(rawValue: stateText), let operation = DeliveryOperation(rawValue: operationText)
        else {
            throw GongkaiError(
                .store, "delivery row has an unknown state or operation", item: try c[1].decode(String.self),
                channel: try c[2].decode(String.self))
        }
        return DeliveryRecord(
            id: try c[0].decode(Int64.self), itemID: try c[1].decode(String.self), channelID: try c[2].decode(String.self),
            state: state, operation: operation, wantedVersion: try c[5].decode(Int.self),
            deliveredVersion: try c[6].decode(Int?.self), mayBeLive: try c[7].decode(Bool.self),
            remoteID: try c[8].decode(String?.self), remoteURL: try c[9].decode(String?.self),
            attemptCount: try c[10].decode(Int.self), failureStreak: try c[11].decode(Int.self),
            nextAttemptAt: try c[12].decode(Int64?.self), lastError: try c[13].decode(String?.self),
            holdReason: try c[14].decode(String?.self), leaseOwner: try c[15].decode(String?.self),
            leaseExpiresAt: try c[16].decode(Int64?.self), updatedAt: try c[17].decode(Int64.self))
    }

    static func itemRecord(_ c: PostgresRandomAccessRow, from first: Int) throws -> ItemRecord {
        ItemRecord(
            id: try c[first].decode(String.self), kind: try c[first + 1].decode(String.self),
            category: try c[first + 2].decode(String.self), title: try c[first + 3].decode(String.self),
            currentVersion: try c[first + 4].decode(Int.self), contentHash: try c[first + 5].decode(String.self),
            review: try c[first + 6].decode(String.self), attribute: try c[first + 7].decode(String.self),
            withdrawnAt: try c[first + 8].decode(Int64?.self), withdrawnReason: try c[first + 9].decode(String?.self),
            createdAt: try c[first + 10].decode(Int64.self), updatedAt: try c[first + 11].decode(Int64.self),
            dueOn: try c[first + 12].decode(String?.self), canonicalURL: try c[first + 13].decode(String?.self),
            relatedTo: (try c[first + 14].decode(String?.self)).map { $0.split(separator: "\n").map(String.init) } ?? [],
            feedbackDueOn: try c[first + 15].decode(String?.self))
    }

    /// Rows as a JSON array for `jsonb_to_recordset`: one parameter however many rows,
    /// with JSON's null for SQL's NULL (PostgresNIO's arrays have no NULL elements).
    static func json(_ rows: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }

    private struct TriggerMark: Encodable {
        var id: Int64
        var trigger: String
    }

    // MARK: - Transactions and errors

    /// One transaction on a pooled connection. Bookkeeping (`durable: false`) commits
    /// without waiting for the WAL flush; see the type's note on durability.
    private func write<T: Sendable>(
        _ action: String, durable: Bool, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await translated(action) {
            try await leased { connection in
                try await Self.transaction(connection, logger: logger) { connection in
                    if !durable {
                        try await connection.checkedQuery("SET LOCAL synchronous_commit = off", logger: logger)
                    }
                    return try await body(connection)
                }
            }
        }
    }

    func read<T: Sendable>(
        _ action: String, channel: String? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await translated(action, channel: channel) {
            try await leased { connection in try await body(connection) }
        }
    }

    /// BEGIN … COMMIT, rolling back on any error and rethrowing the body's own error
    /// (PostgresNIO's `withTransaction` wraps it, which would hide a GongkaiError).
    private static func transaction<T: Sendable>(
        _ connection: PostgresConnection, logger: Logger,
        _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.checkedQuery("BEGIN", logger: logger)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.checkedQuery("COMMIT", logger: logger)
        return value
    }

    /// Runs `body`, turning a PostgreSQL failure into a GongkaiError that says what
    /// was being done and what the server said, without the query's bound values.
    func translated<T>(
        _ action: String, channel: String? = nil, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as GongkaiError {
            throw error
        } catch let error as PSQLError {
            throw GongkaiError(.store, "cannot \(action): \(Self.describe(error))", channel: channel)
        } catch let error as PostgresDecodingError {
            throw GongkaiError(
                .store, "cannot \(action): column \(error.columnName) has an unexpected type", channel: channel)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as LeaseTimedOut {
            throw GongkaiError(
                .store, "cannot \(action): no connection to PostgreSQL came free within \(error.waited)",
                channel: channel, field: "database")
        } catch is ConnectionClosed {
            throw GongkaiError(
                .store, "cannot \(action): the connection to PostgreSQL was closed by the server or the network",
                channel: channel, field: "database")
        } catch {
            if String(reflecting: type(of: error)).contains("ConnectionPoolError") {
                throw GongkaiError(.store, "cannot \(action): \(Self.noConnection)", channel: channel, field: "database")
            }
            throw GongkaiError(.store, "cannot \(action): \(error)", channel: channel)
        }
    }

    /// What a pool error says: it wraps no cause worth showing.
    static let noConnection = "no connection to PostgreSQL could be made"

    /// The server's message and SQLSTATE, or the client-side failure: never the query or its binds.
    static func describe(_ error: PSQLError) -> String {
        if let info = error.serverInfo, let message = info[.message] {
            return "PostgreSQL: \(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying {
            return "PostgreSQL connection: \(error.code): \(underlying)"
        }
        return "PostgreSQL connection: \(error.code)"
    }
}
