public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore
import NIOCore

/// Runs `gongkai reconcile`: for each channel, compares the outbox (the source
/// of truth) with what the channel shows, through its listing where it can
/// list and through our receipts where it cannot; optionally enqueues the repairs.
///
/// The outbox side is read in pages in item id order. The listing of one
/// channel is held as a compact map while that channel is checked (the
/// platforms list in their own order, so a merge by key is not possible).
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
                var listing: ListingIndex?
                if adapter.capabilities.contains(.list) {
                    listing = try await ListingIndex.load(adapter, pageTimeout: pageTimeout) { count in
                        progress?("\(definition.id): \(count) listed")
                    }
                }
                var after: String?
                var seen = 0
                while true {
                    let page = try await store.deliveriesWithItems(
                        channelID: definition.id, afterItemID: after, limit: pageSize)
                    guard let last = page.last else { break }
                    after = last.delivery.itemID
                    for (record, item) in page {
                        let relatedShownOn = try await DeliveryDeadline.relatedShownOn(record, item: item, store: store)
                        if listing != nil {
                            // Mutated in place through the optional: a copy would cost the whole map per row.
                            let entry = listing?.take(itemID: record.itemID, remoteID: record.remoteID) ?? nil
                            add(
                                ReconcileClassifier.classify(record, item: item, currentHash: item.contentHash, shown: entry),
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
                for entry in listing?.remaining ?? [] {
                    add(ReconcileClassifier.unknown(entry, channelID: definition.id))
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

/// One channel's listing, indexed by item id and by remote id; entries are
/// taken out as deliveries match them, and what is left is unknown here.
struct ListingIndex: Sendable {
    private var entries: [ChannelListingEntry?] = []
    private var byItem: [String: Int] = [:]
    private var byRemote: [String: Int] = [:]

    static func load(
        _ adapter: any ChannelAdapter, pageTimeout: Int64, progress: (Int) -> Void
    ) async throws(DeliveryError) -> ListingIndex {
        var index = ListingIndex()
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await adapter.list(cursor: cursor, deadline: .now() + .milliseconds(pageTimeout))
            for entry in page.entries { index.insert(entry) }
            cursor = page.nextCursor
            pages += 1
            if pages % 50 == 0 { progress(index.entries.count) }
        } while cursor != nil
        return index
    }

    mutating func insert(_ entry: ChannelListingEntry) {
        let position = entries.count
        entries.append(entry)
        if let itemID = entry.itemID { byItem[itemID] = position }
        byRemote[entry.remoteID] = position
    }

    /// The entry for a delivery, removed from the index.
    mutating func take(itemID: String, remoteID: String?) -> ChannelListingEntry? {
        let position = byItem[itemID] ?? remoteID.flatMap { byRemote[$0] }
        guard let position, let entry = entries[position] else { return nil }
        entries[position] = nil
        if let itemID = entry.itemID { byItem[itemID] = nil }
        byRemote[entry.remoteID] = nil
        return entry
    }

    var remaining: [ChannelListingEntry] { entries.compactMap { $0 } }
}
