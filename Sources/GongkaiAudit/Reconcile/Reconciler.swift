public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore
public import Foundation

/// Runs `gongkai reconcile`: for each channel, compares the outbox (the source
/// of truth) with what the channel shows, through its listing where it can
/// list and through our receipts where it cannot; optionally enqueues the repairs.
///
/// The outbox side is read in pages in item id order. The listing of one
/// channel is spilled to a temporary file while that channel is checked (the
/// platforms list in their own order, so a merge by key is not possible), and
/// each outbox page looks its entries up there in one query: memory holds a
/// page of either, whatever the channel's size.
public struct Reconciler: Sendable {
    public var store: any OutboxStore
    public var channels: [(definition: ChannelDefinition, adapter: any ChannelAdapter)]
    public var clock: any WallClock
    /// Rows per outbox page.
    public var pageSize: Int = 1_000
    /// Keep in-sync rows in the report (otherwise they are only counted).
    public var keepInSyncRows = false
    /// Deadline per listing page.
    public var pageTimeout: Int64 = 30_000
    /// For the deadline column; without a calendar rows carry no deadline.
    public var calendar: WorkCalendar?
    public var deadlines = DeadlinePolicy.standard
    /// Where a channel's listing is spilled while it is compared (deleted
    /// after the channel, also when the run fails); the size is about that of
    /// the listing's entries. Defaults to `TMPDIR`, which should be a disk, not a tmpfs.
    public var spillDirectory = FileManager.default.temporaryDirectory
    /// Gets the number of listing entries held in memory at each step (tests
    /// show it stays within a page).
    public var onListingHeld: (@Sendable (Int) -> Void)?

    public init(
        store: any OutboxStore, channels: [(definition: ChannelDefinition, adapter: any ChannelAdapter)],
        clock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.channels = channels
        self.clock = clock
    }

    /// Checks every channel. `progress` gets a line now and then for long runs.
    public func run(repair: Bool = false, actor: String = "reconcile", progress: (@Sendable (String) -> Void)? = nil)
        async throws -> ReconcileReport
    {
        let startedAt = clock.now()
        var summaries: [ReconcileReport.ChannelSummary] = []
        var rows: [ReconcileRow] = []
        let routes = channels.map(\.definition.route)
        let deadPortals = try await store.deadPortalBlockers(routes: routes)
        for (definition, adapter) in channels {
            var summary = ReconcileReport.ChannelSummary(
                channelID: definition.id, kind: definition.kind.rawValue,
                method: adapter.capabilities.contains(.list) ? "listing" : "receipts")
            var channelRows: [ReconcileRow] = []
            func add(
                _ row: ReconcileRow, record: DeliveryRecord? = nil, item: ItemRecord? = nil, relatedShownOn: CalendarDate? = nil
            ) {
                var row = row
                if let record, PortalBlocker.holds(record), let blocker = deadPortals[record.itemID] {
                    // Nothing will free it: listed as missing, naming what holds it.
                    if row.status == .inSync { row.status = .missing }
                    row.detail = "held: " + blocker.text
                    row.blockedBy = blocker
                }
                if let record, let item {
                    let deadline = DeliveryDeadline.evaluate(
                        record, item: item, calendar: calendar, policy: deadlines, now: startedAt,
                        relatedShownOn: relatedShownOn)
                    row.due = deadline.due?.description
                    if deadline.due != nil { row.deadline = deadline.status }
                    row.feedback = deadline.feedback
                    switch deadline.status {
                    case .late: summary.late += 1
                    case .atRisk: summary.atRisk += 1
                    case .onTime, .open, .unknown: break
                    }
                }
                summary.counts[row.status.rawValue, default: 0] += 1
                // An undelivered row is `+` and listed; one delivered late is in sync and only counted.
                if (row.status != .inSync && !row.isRoutineUnverified) || keepInSyncRows { channelRows.append(row) }
            }
            do {
                let listing = adapter.capabilities.contains(.list) ? try ListingSpill(directory: spillDirectory) : nil
                defer { listing?.remove() }
                try await listing?.load(adapter, pageTimeout: pageTimeout, held: onListingHeld) { count in
                    progress?("\(definition.id): \(count) listed")
                }
                var after: String?
                var seen = 0
                while true {
                    try Task.checkCancellation()
                    let page = try await store.deliveriesWithItems(
                        channelID: definition.id, afterItemID: after, limit: pageSize)
                    guard let last = page.last else { break }
                    after = last.delivery.itemID
                    let shown = try await listing?.take(page.map { ($0.delivery.itemID, $0.delivery.remoteID) })
                    if let shown { onListingHeld?(shown.count(where: { $0 != nil })) }
                    for (index, (record, item)) in page.enumerated() {
                        let relatedShownOn = try await DeliveryDeadline.relatedShownOn(record, item: item, store: store)
                        if let shown {
                            add(
                                ReconcileClassifier.classify(record, item: item, currentHash: item.contentHash, shown: shown[index]),
                                record: record, item: item, relatedShownOn: relatedShownOn)
                        } else {
                            add(
                                ReconcileClassifier.classifyByReceipt(record, item: item), record: record, item: item,
                                relatedShownOn: relatedShownOn)
                        }
                    }
                    seen += page.count
                    if seen % (pageSize * 10) == 0 { progress?("\(definition.id): \(seen) deliveries compared") }
                    if page.count < pageSize { break }
                }
                if let listing {
                    // What no delivery matched, in listing order.
                    var position: Int?
                    while true {
                        let rest = try await listing.remaining(after: position, limit: pageSize)
                        onListingHeld?(rest.count)
                        for (_, entry) in rest { add(ReconcileClassifier.unknown(entry, channelID: definition.id)) }
                        guard rest.count == pageSize, let last = rest.last else { break }
                        position = last.position
                    }
                }
            } catch let error as DeliveryError {
                summary.method = "failed"
                summary.failure = error.failure.message
                channelRows = [
                    ReconcileRow(
                        channelID: definition.id, itemID: nil, status: .unchecked,
                        detail: "the channel could not be checked: \(error.failure.message)")
                ]
                summary.counts = [ReconcileClass.unchecked.rawValue: 1]
            }
            if repair {
                for index in channelRows.indices where channelRows[index].status.isDifference {
                    channelRows[index].repair = try await self.repair(channelRows[index], routes: routes, actor: actor)
                }
            }
            summaries.append(summary)
            rows.append(contentsOf: channelRows)
        }
        return ReconcileReport(
            startedAt: startedAt, finishedAt: clock.now(), channels: summaries, rows: rows, repaired: repair)
    }

    /// Enqueues exactly what fixes one difference, through the operator's resend
    /// (which writes the audit log); returns what was done or why nothing could be.
    private func repair(_ row: ReconcileRow, routes: [ChannelRoute], actor: String) async throws -> String {
        guard let itemID = row.itemID else {
            return "needs manual action: not in the outbox; remove it on the platform by hand"
        }
        let now = clock.now()
        if let blocker = row.blockedBy {
            // Resending the held row would only hold it again: the portal's delivery is what needs to go.
            let changed = try await store.resend(
                itemID: itemID, channelID: blocker.channelID, force: false, routes: routes, actor: actor, now: now)
            return changed.isEmpty
                ? "nothing enqueued: the portal delivery \(blocker.deliveryID) could not be resent (see status)"
                : "enqueued: the portal's resend (delivery \(blocker.deliveryID)); this one follows once it is published"
        }
        switch row.status {
        case .missing, .differs:
            let changed = try await store.resend(
                itemID: itemID, channelID: row.channelID, force: true, routes: routes, actor: actor, now: now)
            return changed.isEmpty
                ? "nothing enqueued: the delivery is \(row.deliveryState ?? "unknown") (see status)"
                : "enqueued: resend v\(changed[0].wantedVersion)"
        case .extra:
            guard row.deliveryState != nil else {
                return "needs manual action: the outbox has no delivery of this item here"
            }
            let changed = try await store.resend(
                itemID: itemID, channelID: row.channelID, force: true, routes: routes, actor: actor, now: now)
            return changed.first?.operation == .withdraw
                ? "enqueued: withdrawal"
                : "needs manual action: not routed here and never withdrawn by gongkai; remove it by hand"
        case .inSync, .unchecked:
            return ""
        }
    }
}
