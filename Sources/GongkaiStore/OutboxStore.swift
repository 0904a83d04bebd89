public import GongkaiCore

/// The outbox: the only place delivery state lives.
///
/// Every method is one transaction that keeps the outbox's invariants; an
/// implementation (SQLite, PostgreSQL) passes the shared contract suite.
/// Times are Unix milliseconds passed in by the caller, so tests inject them.
public protocol OutboxStore: Sendable {
    /// Stores new versions and creates or updates their deliveries in one transaction.
    /// Identical content (same hash) is a no-op; changed content supersedes queued older versions.
    func submit(_ items: [PreparedItem], routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [SubmitOutcome]
    /// Marks the item withdrawn and queues a withdrawal wherever it may be shown.
    func withdraw(itemID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64)
        async throws -> [DeliveryRecord]
    /// Review approved (先审后发): held deliveries become due.
    func approve(itemID: String, routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [DeliveryRecord]
    /// `channelID`'s delivery of the item stops waiting for the portal URL (the item's
    /// deadline is close and the portal has not published it): it is due now, and goes
    /// out with the channel's fallback link or none. Audited with `reason`. Returns the
    /// rows it changed: none when that delivery was not waiting for the portal.
    func releasePortalWait(itemID: String, channelID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64)
        async throws -> [DeliveryRecord]
    /// Takes up to `limit` due deliveries of a channel under a lease held by `owner`.
    func claim(channelID: String, audience: ChannelAudience, owner: String, limit: Int, leaseMillis: Int64, now: Int64)
        async throws -> [ClaimedDelivery]
    /// Records attempts and the resulting states for claimed deliveries, in one transaction.
    /// A deferral (``SendOutcome/Result/deferred(retryAfter:reason:)``) records no attempt
    /// and gives the claim's attempt back.
    func complete(_ outcomes: [SendOutcome], owner: String, now: Int64) async throws
    /// ``complete(_:owner:now:)`` then ``claim(channelID:audience:owner:limit:leaseMillis:now:)``:
    /// the delivery loop's usual step, in one transaction where the backend can.
    /// Throws only if `outcomes` were not recorded, so a caller may keep and retry them.
    func completeAndClaim(
        _ outcomes: [SendOutcome], channelID: String, audience: ChannelAudience, owner: String, limit: Int,
        leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery]
    /// Moves the lease of each of `deliveryIDs` that `owner` still holds (`sending`, its
    /// lease owner) to `now + leaseMillis`, so a live worker keeps what it holds however long
    /// a send takes. Rows another worker took over, or already settled, are left alone.
    /// Returns how many leases it renewed.
    @discardableResult
    func renewLeases(owner: String, deliveryIDs: [Int64], leaseMillis: Int64, now: Int64) async throws -> Int
    /// Gives back unsent claimed deliveries (all of `owner`'s when `deliveryIDs` is nil).
    @discardableResult
    func release(owner: String, deliveryIDs: [Int64]?, now: Int64) async throws -> Int
    /// When the channel's next delivery falls due, if any is scheduled.
    func nextDue(channelID: String) async throws -> Int64?

    func item(id: String) async throws -> ItemRecord?
    /// One stored version of an item (its documents), or nil when there is none.
    func itemVersion(itemID: String, version: Int) async throws -> ItemVersionRecord?
    /// Items in id order after `afterID`, at most `limit`: keyset paging for reports.
    func items(after afterID: String?, limit: Int) async throws -> [ItemRecord]
    /// Every stored version of the items whose kind is one of `kinds`, each with its
    /// item, in (item id, version) order after `after`, at most `limit`: keyset paging
    /// through whole histories. The annual report reads validity changes from it (a
    /// version whose `validity` differs from the one before is a dated change).
    func itemVersions(kinds: [String], after: (itemID: String, version: Int)?, limit: Int) async throws
        -> [(item: ItemRecord, version: ItemVersionRecord)]
    /// The items of `kind` whose related ids name `itemID`, in id order: a
    /// consultation's feedback. Reads the item table, not the versions.
    func items(relatedTo itemID: String, kind: String) async throws -> [ItemRecord]
    func deliveries(_ filter: DeliveryFilter) async throws -> [DeliveryRecord]
    /// One channel's deliveries with their items, in item id order after
    /// `afterItemID`: the page reconciliation walks, in one read.
    func deliveriesWithItems(channelID: String, afterItemID: String?, limit: Int) async throws
        -> [(delivery: DeliveryRecord, item: ItemRecord)]
    func attempts(itemID: String, channelID: String?) async throws -> [AttemptRecord]
    /// Delivery counts by channel and state.
    func stateCounts() async throws -> [String: [DeliveryState: Int]]

    /// Operator: send the item again on one or all channels; returns the rows that changed.
    func resend(itemID: String, channelID: String?, force: Bool, routes: [ChannelRoute], actor: String, now: Int64)
        async throws -> [DeliveryRecord]
    /// Operator: bulk resend of a channel's deliveries in `states` (changed since `since`); returns how many.
    func recover(channelID: String, states: [DeliveryState], since: Int64?, routes: [ChannelRoute], actor: String, now: Int64)
        async throws -> Int
    func setPaused(channelID: String, paused: Bool, reason: String?, actor: String, now: Int64) async throws
    func channelPauses() async throws -> [ChannelPause]
    func auditLog(itemID: String?, limit: Int) async throws -> [AuditEntry]
}

extension OutboxStore {
    /// Every item in id order, read a page at a time (``items(after:limit:)``), so that a
    /// report over the whole outbox holds one page, not the outbox.
    public func forEachItem(pageSize: Int = 1_000, _ body: (ItemRecord) async throws -> Void) async throws {
        var after: String?
        while true {
            let page = try await items(after: after, limit: pageSize)
            guard let last = page.last else { return }
            after = last.id
            for item in page { try await body(item) }
            if page.count < pageSize { return }
        }
    }

    /// Two transactions; a backend that can do both in one overrides this.
    public func completeAndClaim(
        _ outcomes: [SendOutcome], channelID: String, audience: ChannelAudience, owner: String, limit: Int,
        leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        try await completeThenClaim(
            outcomes, channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis,
            now: now)
    }

    /// ``completeAndClaim(_:channelID:audience:owner:limit:leaseMillis:now:)`` as two transactions.
    public func completeThenClaim(
        _ outcomes: [SendOutcome], channelID: String, audience: ChannelAudience, owner: String, limit: Int,
        leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        guard !outcomes.isEmpty else {
            return try await claim(
                channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis, now: now)
        }
        try await complete(outcomes, owner: owner, now: now)
        // The outcomes are stored: a failing claim must not make the caller record them twice.
        // It claims nothing now and meets the same error on its next claim.
        return (try? await claim(
            channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis, now: now))
            ?? []
    }
}
