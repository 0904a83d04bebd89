import GRDB
import GongkaiCore

/// Reading and writing delivery rows by hand: the claim/ack path runs at
/// thousands of rows a second, where Codable row decoding would dominate.
extension DeliveryRecord {
    static let selectColumns = """
        id, item_id, channel_id, state, operation, wanted_version, delivered_version, may_be_live,
        remote_id, remote_url, attempt_count, failure_streak, next_attempt_at, last_error, hold_reason,
        lease_owner, lease_expires_at, updated_at
        """

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
