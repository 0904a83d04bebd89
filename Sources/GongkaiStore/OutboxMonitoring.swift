public import GongkaiCore
import GRDB
import PostgresNIO

/// The read that deadline monitoring needs and ``OutboxStore`` does not offer
/// in one pass: every delivery still owed to a channel, with its item.
///
/// Rows are folded as they stream from the database, never collected: the
/// caller keeps a tally, so memory stays flat however many rows are open.
/// Both backends scan the delivery table once (there is no index on `state`;
/// see the note on `delivery_due` in the migrations), so callers run it in the
/// background, not per request.
public protocol OutboxMonitoring: Sendable {
    /// Folds `update` over each unfinished delivery (``DeliveryState/unfinished``) and its item, in no particular order.
    func reduceUnfinishedDeliveries<Tally: Sendable>(
        into initial: Tally, _ update: @escaping @Sendable (inout Tally, DeliveryRecord, ItemRecord) -> Void
    ) async throws -> Tally
}

extension DeliveryState {
    /// States in which a delivery still owes the channel something, so its
    /// legal deadline can still be missed: queued, in flight, failed for
    /// good (an operator must act) or held back.
    public static let unfinished: [DeliveryState] = [.pending, .sending, .retrying, .dead, .blocked]
}

extension OutboxStore {
    /// ``OutboxMonitoring/reduceUnfinishedDeliveries(into:_:)`` through the
    /// backend's single scan when it has one, else through the protocol's reads
    /// (one item read per delivery: for test doubles, not for large outboxes).
    public func reduceUnfinishedDeliveries<Tally: Sendable>(
        into initial: Tally, _ update: @escaping @Sendable (inout Tally, DeliveryRecord, ItemRecord) -> Void
    ) async throws -> Tally {
        if let monitoring = self as? any OutboxMonitoring {
            return try await monitoring.reduceUnfinishedDeliveries(into: initial, update)
        }
        var tally = initial
        var items: [String: ItemRecord] = [:]
        for delivery in try await deliveries(DeliveryFilter(states: DeliveryState.unfinished)) {
            if items[delivery.itemID] == nil { items[delivery.itemID] = try await item(id: delivery.itemID) }
            if let item = items[delivery.itemID] { update(&tally, delivery, item) }
        }
        return tally
    }
}

extension OutboxColumns {
    /// Deliveries in an unfinished state joined to their items, delivery columns first.
    static let unfinishedWithItems = """
        SELECT \(prefixed(delivery, "d")), \(prefixed(item, "i"))
        FROM delivery d JOIN item i ON i.id = d.item_id
        WHERE d.state IN (\(DeliveryState.unfinished.map { "'\($0.rawValue)'" }.joined(separator: ",")))
        """
}

extension SQLiteOutboxStore: OutboxMonitoring {
    public func reduceUnfinishedDeliveries<Tally: Sendable>(
        into initial: Tally, _ update: @escaping @Sendable (inout Tally, DeliveryRecord, ItemRecord) -> Void
    ) async throws -> Tally {
        try await writer.read { db in
            var tally = initial
            let rows = try Row.fetchCursor(db, sql: OutboxColumns.unfinishedWithItems)
            while let row = try rows.next() {
                update(&tally, try DeliveryRecord(row: row), Self.itemRecord(row, from: OutboxColumns.itemAfterDelivery))
            }
            return tally
        }
    }
}

extension PostgresOutboxStore: OutboxMonitoring {
    public func reduceUnfinishedDeliveries<Tally: Sendable>(
        into initial: Tally, _ update: @escaping @Sendable (inout Tally, DeliveryRecord, ItemRecord) -> Void
    ) async throws -> Tally {
        try await read("read unfinished deliveries") { connection in
            var tally = initial
            let rows = try await connection.checkedQuery(
                PostgresQuery(unsafeSQL: OutboxColumns.unfinishedWithItems), logger: logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                update(&tally, try Self.deliveryRecord(cells), try Self.itemRecord(cells, from: OutboxColumns.itemAfterDelivery))
            }
            return tally
        }
    }
}
