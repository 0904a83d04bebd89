import GRDB
import GongkaiCore

/// Reading and writing delivery rows by hand: the claim/ack path runs at
/// thousands of rows a second, where Codable row decoding would dominate.
extension DeliveryRecord {
    init(row: Row) throws {
        guard let state = DeliveryState(rawValue: row[3]), let operation = DeliveryOperation(rawValue: row[4]) else {
            throw GongkaiError(.store, "delivery row has an unknown state or operation", item: row[1], channel: row[2])
        }
        self.init(
            id: row[0], itemID: row[1], channelID: row[2], state: state, operation: operation,
            wantedVersion: row[5], deliveredVersion: row[6], mayBeLive: row[7], remoteID: row[8],
            remoteURL: row[9], attemptCount: row[10], failureStreak: row[11], nextAttemptAt: row[12],
            lastError: row[13], holdReason: row[14], leaseOwner: row[15], leaseExpiresAt: row[16],
            updatedAt: row[17])
    }

    /// The same columns, read from a statement stepped through the C API (the claim path).
    init(_ step: borrowing SQLiteStep) throws {
        guard let state = DeliveryState(rawValue: step.string(3)),
            let operation = DeliveryOperation(rawValue: step.string(4))
        else {
            throw GongkaiError(
                .store, "delivery row has an unknown state or operation", item: step.string(1), channel: step.string(2))
        }
        self.init(
            id: step.int64(0), itemID: step.string(1), channelID: step.string(2), state: state, operation: operation,
            wantedVersion: step.int(5), deliveredVersion: step.optionalInt(6), mayBeLive: step.int64(7) != 0,
            remoteID: step.optionalString(8), remoteURL: step.optionalString(9), attemptCount: step.int(10),
            failureStreak: step.int(11), nextAttemptAt: step.optionalInt64(12), lastError: step.optionalString(13),
            holdReason: step.optionalString(14), leaseOwner: step.optionalString(15),
            leaseExpiresAt: step.optionalInt64(16), updatedAt: step.int64(17))
    }

    /// Writes every mutable column back; the row's identity (item, channel) never changes.
    func update(_ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                UPDATE delivery SET state = ?, operation = ?, wanted_version = ?, delivered_version = ?,
                    may_be_live = ?, remote_id = ?, remote_url = ?, attempt_count = ?, failure_streak = ?,
                    next_attempt_at = ?, last_error = ?, hold_reason = ?, lease_owner = ?, lease_expires_at = ?,
                    updated_at = ?
                WHERE id = ?
                """)
        try statement.execute(arguments: [
            state.rawValue, operation.rawValue, wantedVersion, deliveredVersion, mayBeLive, remoteID,
            remoteURL, attemptCount, failureStreak, nextAttemptAt, lastError, holdReason, leaseOwner,
            leaseExpiresAt, updatedAt, id,
        ])
    }

    /// Inserts a new row and returns it with its id.
    func inserted(_ db: Database) throws -> DeliveryRecord {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO delivery (item_id, channel_id, state, operation, wanted_version, delivered_version,
                    may_be_live, remote_id, remote_url, attempt_count, failure_streak, next_attempt_at, last_error,
                    hold_reason, trigger, lease_owner, lease_expires_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?)
                """)
        try statement.execute(arguments: [
            itemID, channelID, state.rawValue, operation.rawValue, wantedVersion, deliveredVersion, mayBeLive,
            remoteID, remoteURL, attemptCount, failureStreak, nextAttemptAt, lastError, holdReason, leaseOwner,
            leaseExpiresAt, updatedAt,
        ])
        var copy = self
        copy.id = db.lastInsertedRowID
        return copy
    }
}
