public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore

/// The comparison rules, as pure functions of the outbox row and what the
/// channel showed, so each rule is tested without a platform.
public enum ReconcileClassifier {
    /// What the outbox says the channel should show for a delivery: the
    /// version, or nil for nothing.
    public static func expectedVersion(_ record: DeliveryRecord, item: ItemRecord?) -> Int? {
        if item?.withdrawnAt != nil || record.operation == .withdraw { return nil }
        switch record.state {
        case .withdrawn, .skipped:
            return nil
        case .blocked:
            // Held (review pending, waiting for the portal): the last delivered version stays up.
            return record.deliveredVersion
        case .pending, .sending, .retrying, .dead, .delivered:
            return record.wantedVersion
        }
    }

    /// Classifies a delivery on a channel that lists what it shows.
    public static func classify(
        _ record: DeliveryRecord, item: ItemRecord?, currentHash: String?, shown: ChannelListingEntry?
    ) -> ReconcileRow {
        let expected = expectedVersion(record, item: item)
        var row = ReconcileRow(
            channelID: record.channelID, itemID: record.itemID, remoteID: shown?.remoteID ?? record.remoteID,
            status: .inSync, expectedVersion: expected, shownVersion: shown?.version,
            deliveryState: record.state.rawValue, detail: "")
        switch (expected, shown) {
        case (nil, nil):
            row.detail = record.state == .skipped ? "not routed here, not shown" : "not shown, as expected"
        case (nil, .some):
            row.status = .extra
            row.detail = item?.withdrawnAt != nil
                ? "withdrawn in the outbox but still shown on the channel"
                : "shown on the channel but not routed here (\(record.state.rawValue))"
        case (.some(let version), nil):
            row.status = .missing
            row.detail = record.state == .delivered
                ? "delivered v\(version) per our receipt, but the channel does not show it"
                : "not on the channel yet (\(record.state.rawValue)\(record.lastError.map { ": " + $0 } ?? ""))"
        case (.some(let version), .some(let entry)):
            if let shownVersion = entry.version, shownVersion != version {
                row.status = .differs
                row.detail = "the channel shows v\(shownVersion); the outbox has v\(version)"
            } else if let shownHash = entry.contentHash, let currentHash, version == item?.currentVersion,
                shownHash != currentHash
            {
                row.status = .differs
                row.detail = "the channel's content hash differs from v\(version)'s"
            } else if entry.version == nil && entry.contentHash == nil && record.deliveredVersion != version {
                row.status = .differs
                row.detail = "shown, but v\(version) was never confirmed (the channel does not report versions)"
            } else {
                row.detail = entry.version == nil && entry.contentHash == nil
                    ? "shown (presence only: the channel reports no version)" : "shows v\(version)"
            }
        }
        return row
    }

    /// Classifies a delivery on a channel that cannot list (robots, webhooks):
    /// our receipts can prove something is missing, never that it is shown.
    public static func classifyByReceipt(_ record: DeliveryRecord, item: ItemRecord?) -> ReconcileRow {
        let expected = expectedVersion(record, item: item)
        var row = ReconcileRow(
            channelID: record.channelID, itemID: record.itemID, remoteID: record.remoteID, status: .unchecked,
            expectedVersion: expected, deliveryState: record.state.rawValue, detail: "")
        switch expected {
        case nil where record.mayBeLive:
            row.status = .unchecked
            row.detail = "cannot list or withdraw here: it may still be shown; remove it by hand"
        case nil:
            row.status = .inSync
            row.detail = "not sent here, as expected (by receipts)"
        case .some(let version) where record.deliveredVersion == version:
            row.detail = "receipt says v\(version) delivered; this channel cannot list, so it is not verified"
        case .some(let version):
            row.status = .missing
            row.detail = "v\(version) not delivered yet (\(record.state.rawValue)\(record.lastError.map { ": " + $0 } ?? ""))"
        }
        return row
    }

    /// Something the channel shows that matches no delivery of this channel.
    public static func unknown(_ entry: ChannelListingEntry, channelID: String) -> ReconcileRow {
        ReconcileRow(
            channelID: channelID, itemID: entry.itemID, remoteID: entry.remoteID, status: .extra,
            shownVersion: entry.version,
            detail: "shown on the channel but unknown to the outbox"
                + (entry.title.map { ": " + $0 } ?? ""))
    }
}
