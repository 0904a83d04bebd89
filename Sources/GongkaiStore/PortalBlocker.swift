public import GongkaiCore

/// The portal delivery that holds a linked channel's delivery (WeChat, Weibo, the
/// robots wait for the item's portal URL) once that portal delivery has given up.
/// A dead portal delivery frees nothing by itself, so the waiting rows would stay
/// `blocked` with no other sign; this names it, and the fix: resend or recover it.
public struct PortalBlocker: Sendable, Equatable, Codable {
    /// The portal's delivery of the item.
    public var deliveryID: Int64
    public var channelID: String
    public var state: DeliveryState
    public var lastError: String?

    public init(deliveryID: Int64, channelID: String, state: DeliveryState, lastError: String?) {
        self.deliveryID = deliveryID
        self.channelID = channelID
        self.state = state
        self.lastError = lastError
    }

    /// One line for terminals and the console.
    public var text: String {
        "waits for portal delivery \(deliveryID) (\(channelID)), which is \(state.rawValue)"
            + (lastError.map { ": \($0)" } ?? "") + "; resend or recover it to unblock"
    }

    /// Whether `delivery` waits for the portal URL (a dead portal delivery would hold it for good).
    public static func holds(_ delivery: DeliveryRecord) -> Bool {
        delivery.state == .blocked && delivery.holdReason == ChannelRoute.canonicalHoldReason
    }

    /// For each delivery of one item that waits for the portal URL, the canonical
    /// channel's delivery of that item when it is dead. `deliveries` must be all of
    /// the item's deliveries (a listing filtered by channel would miss the portal's).
    public static func deadPortals(among deliveries: [DeliveryRecord], routes: [ChannelRoute]) -> [Int64: PortalBlocker] {
        let canonical = Set(routes.filter(\.isCanonical).map(\.channelID))
        let dead = deliveries.filter { canonical.contains($0.channelID) && $0.state == .dead }
        guard let portal = dead.first else { return [:] }
        let blocker = PortalBlocker(
            deliveryID: portal.id, channelID: portal.channelID, state: portal.state, lastError: portal.lastError)
        var result: [Int64: PortalBlocker] = [:]
        for delivery in deliveries where holds(delivery) && delivery.itemID == portal.itemID {
            result[delivery.id] = blocker
        }
        return result
    }
}

extension OutboxStore {
    /// Per item, the canonical channel's delivery of it when that delivery is dead: one
    /// read of each portal channel's dead rows, never the whole outbox.
    public func deadPortalBlockers(routes: [ChannelRoute]) async throws -> [String: PortalBlocker] {
        var result: [String: PortalBlocker] = [:]
        for route in routes where route.isCanonical {
            for row in try await deliveries(DeliveryFilter(channelID: route.channelID, states: [.dead])) {
                result[row.itemID] = PortalBlocker(
                    deliveryID: row.id, channelID: row.channelID, state: row.state, lastError: row.lastError)
            }
        }
        return result
    }
}
