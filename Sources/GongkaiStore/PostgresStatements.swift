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
struct FastDeliveredStatement: PostgresPreparedStatement {
    static let name = "gongkai_fast_delivered_v1"
    static let sql = """
        UPDATE delivery d SET state = 'delivered', delivered_version = d.wanted_version, may_be_live = TRUE,
            remote_id = COALESCE(f.remote_id, d.remote_id), remote_url = COALESCE(f.remote_url, d.remote_url),
            failure_streak = 0, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
            next_attempt_at = NULL, updated_at = $2
        FROM jsonb_to_recordset($1::jsonb) AS f(id BIGINT, version BIGINT, remote_id TEXT, remote_url TEXT)
        WHERE d.id = f.id AND d.state = 'sending' AND d.lease_owner = $3 AND d.operation = 'publish'
            AND d.wanted_version = f.version AND d.hold_reason IS NULL
        RETURNING d.id
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .text]

    typealias Row = Int64

    /// The settled rows as a JSON array of `PostgresOutboxStore.FastDelivered`.
    var rows: String
    var now: Int64
    var owner: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(rows)
        bindings.append(now)
        bindings.append(owner)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}
