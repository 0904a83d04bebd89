import GongkaiCore
import PostgresNIO

// The two statements every delivery passes through, prepared once per connection:
// PostgreSQL then parses and plans them once instead of on every claim and
// acknowledgement. Their SQL is fixed text; everything that varies is a bind.
// A statement is prepared against the connection's `search_path`, which the pool
// sets at connect time and never changes, so a bench schema's store cannot run
// another schema's plan.

/// Claims up to `limit` due deliveries of one channel with `FOR UPDATE SKIP LOCKED`, in one
/// round trip: the SET list is `DeliveryRecord.claimed(by:leaseUntil:now:)` in SQL (the
/// contract suite holds both to the same result), and the join brings each row's version.
/// A row still `sending` under an expired lease gets its `abandoned` attempt-log line in the
/// same statement: `OutboxRules.abandoned(_:trigger:)` in SQL, from the row as it was.
struct ClaimStatement: PostgresPreparedStatement {
    static let name = "gongkai_claim_v2"
    static let sql = """
        WITH picked AS (
            SELECT id AS picked_id, state AS was_state, lease_owner AS was_owner,
                lease_expires_at AS was_expiry, updated_at AS was_updated
            FROM delivery
            WHERE channel_id = $4 AND state IN ('pending','retrying','sending') AND next_attempt_at <= $3
            ORDER BY next_attempt_at LIMIT $5
            FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE delivery SET state = 'sending', lease_owner = $1, lease_expires_at = $2,
                next_attempt_at = $2, attempt_count = attempt_count + 1, updated_at = $3
            FROM picked WHERE id = picked_id
            RETURNING \(OutboxColumns.prefixed(OutboxColumns.delivery, "delivery")), delivery.trigger
        ), abandoned AS (
            INSERT INTO attempt (delivery_id, item_id, channel_id, version, operation, trigger, started_at,
                duration_ms, http_status, outcome, error, worker)
            SELECT c.id, c.item_id, c.channel_id, c.wanted_version, c.operation, c.trigger, p.was_updated,
                GREATEST(0, COALESCE(p.was_expiry, p.was_updated) - p.was_updated), NULL, $7, $8, p.was_owner
            FROM claimed c JOIN picked p ON p.picked_id = c.id
            WHERE p.was_state = 'sending' AND p.was_owner IS NOT NULL
            ORDER BY c.id
        )
        SELECT claimed.*, v.content_hash, CASE WHEN $6 THEN v.public_document ELSE v.document END,
            i.withdrawn_reason, i.canonical_url
        FROM claimed
        JOIN item_version v ON v.item_id = claimed.item_id AND v.version = claimed.wanted_version
        JOIN item i ON i.id = claimed.item_id
        ORDER BY claimed.next_attempt_at, claimed.id
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .text, .int8, .bool, .text, .text]

    typealias Row = ClaimedDelivery

    var owner: String
    var leaseUntil: Int64
    var now: Int64
    var channelID: String
    var limit: Int
    /// The public rendering of the document (a channel whose audience is the public) or the full one.
    var publicDocument: Bool

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(owner)
        bindings.append(leaseUntil)
        bindings.append(now)
        bindings.append(channelID)
        bindings.append(Int64(limit))
        bindings.append(publicDocument)
        bindings.append(OutboxRules.abandonedOutcome)
        bindings.append(OutboxRules.abandonedError)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> ClaimedDelivery {
        let cells = row.makeRandomAccess()
        let record = try PostgresOutboxStore.deliveryRecord(cells)
        let document = try cells[20].decode(ByteBuffer.self)
        return ClaimedDelivery(
            record: record, operation: record.operation, version: record.wantedVersion,
            contentHash: try cells[19].decode(String.self), document: Array(document.readableBytesView),
            withdrawReason: try cells[21].decode(String?.self), canonicalURL: try cells[22].decode(String?.self),
            trigger: AttemptTrigger(rawValue: try cells[18].decode(String.self)) ?? .scheduled)
    }
}

/// The common acknowledgement in one statement: a publish of the wanted version succeeded
/// and nothing changed the row meanwhile (`OutboxRules.fastDelivered` says what it must
/// set). Returns the ids it settled; the caller takes the rest through `OutboxRules`.
///
/// The rows travel as parallel arrays rather than one JSON document: encoding JSON
/// (JSONEncoder with snake-case keys) and parsing it again in the server cost more per
/// delivery than the update itself. PostgresNIO's arrays have no NULL elements, so a
/// missing remote id or URL is marked in a boolean array beside it.
struct FastDeliveredStatement: PostgresPreparedStatement {
    static let name = "gongkai_fast_delivered_v2"
    static let sql = """
        UPDATE delivery d SET state = 'delivered', delivered_version = d.wanted_version, may_be_live = TRUE,
            remote_id = CASE WHEN f.has_remote_id THEN f.remote_id ELSE d.remote_id END,
            remote_url = CASE WHEN f.has_remote_url THEN f.remote_url ELSE d.remote_url END,
            failure_streak = 0, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
            next_attempt_at = NULL, updated_at = $7
        FROM unnest($1::bigint[], $2::bigint[], $3::bool[], $4::text[], $5::bool[], $6::text[])
            AS f(id, version, has_remote_id, remote_id, has_remote_url, remote_url)
        WHERE d.id = f.id AND d.state = 'sending' AND d.lease_owner = $8 AND d.operation = 'publish'
            AND d.wanted_version = f.version AND d.hold_reason IS NULL
        RETURNING d.id
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .int8Array, .int8Array, .boolArray, .textArray, .boolArray, .textArray, .int8, .text,
    ]

    typealias Row = Int64

    var ids: [Int64] = []
    var versions: [Int64] = []
    var hasRemoteIDs: [Bool] = []
    var remoteIDs: [String] = []
    var hasRemoteURLs: [Bool] = []
    var remoteURLs: [String] = []
    var now: Int64
    var owner: String

    init(now: Int64, owner: String) {
        self.now = now
        self.owner = owner
    }

    var isEmpty: Bool { ids.isEmpty }

    mutating func append(id: Int64, version: Int, remoteID: String?, remoteURL: String?) {
        ids.append(id)
        versions.append(Int64(version))
        hasRemoteIDs.append(remoteID != nil)
        remoteIDs.append(remoteID ?? "")
        hasRemoteURLs.append(remoteURL != nil)
        remoteURLs.append(remoteURL ?? "")
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(ids)
        bindings.append(versions)
        bindings.append(hasRemoteIDs)
        bindings.append(remoteIDs)
        bindings.append(hasRemoteURLs)
        bindings.append(remoteURLs)
        bindings.append(now)
        bindings.append(owner)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}

/// The attempt log's rows of one acknowledgement batch in one prepared statement, as
/// parallel arrays for the same reason as ``FastDeliveredStatement``; the two nullable
/// columns carry a boolean array each saying whether the value is there.
struct AttemptInsertStatement: PostgresPreparedStatement {
    static let name = "gongkai_attempt_insert_v1"
    static let sql = """
        INSERT INTO attempt (delivery_id, item_id, channel_id, version, operation, trigger, started_at,
            duration_ms, http_status, outcome, error, worker)
        SELECT delivery_id, item_id, channel_id, version, operation, trigger, started_at, duration_ms,
            CASE WHEN has_http_status THEN http_status END, outcome, CASE WHEN has_error THEN error END, worker
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[],
            $8::bigint[], $9::bool[], $10::bigint[], $11::text[], $12::bool[], $13::text[], $14::text[])
            AS a(delivery_id, item_id, channel_id, version, operation, trigger, started_at, duration_ms,
                has_http_status, http_status, outcome, has_error, error, worker)
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .int8Array, .textArray, .textArray, .int8Array, .textArray, .textArray, .int8Array,
        .int8Array, .boolArray, .int8Array, .textArray, .boolArray, .textArray, .textArray,
    ]

    typealias Row = Int64

    var deliveryIDs: [Int64] = []
    var itemIDs: [String] = []
    var channelIDs: [String] = []
    var versions: [Int64] = []
    var operations: [String] = []
    var triggers: [String] = []
    var startedAt: [Int64] = []
    var durations: [Int64] = []
    var hasHTTPStatus: [Bool] = []
    var httpStatuses: [Int64] = []
    var outcomes: [String] = []
    var hasError: [Bool] = []
    var errors: [String] = []
    var workers: [String] = []

    init(_ entries: [AttemptEntry]) {
        for entry in entries {
            deliveryIDs.append(entry.deliveryID)
            itemIDs.append(entry.itemID)
            channelIDs.append(entry.channelID)
            versions.append(Int64(entry.version))
            operations.append(entry.operation.rawValue)
            triggers.append(entry.trigger.rawValue)
            startedAt.append(entry.startedAt)
            durations.append(entry.durationMillis)
            hasHTTPStatus.append(entry.httpStatus != nil)
            httpStatuses.append(Int64(entry.httpStatus ?? 0))
            outcomes.append(entry.outcome)
            hasError.append(entry.error != nil)
            errors.append(entry.error ?? "")
            workers.append(entry.worker)
        }
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(deliveryIDs)
        bindings.append(itemIDs)
        bindings.append(channelIDs)
        bindings.append(versions)
        bindings.append(operations)
        bindings.append(triggers)
        bindings.append(startedAt)
        bindings.append(durations)
        bindings.append(hasHTTPStatus)
        bindings.append(httpStatuses)
        bindings.append(outcomes)
        bindings.append(hasError)
        bindings.append(errors)
        bindings.append(workers)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}
