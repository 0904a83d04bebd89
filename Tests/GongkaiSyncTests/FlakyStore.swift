import Foundation
import GongkaiCore
import GongkaiStore
import Synchronization

/// An outbox whose claims fail the first `failures` times, as a locked or full
/// database would; everything else goes to the real store. Records when each
/// refused claim happened, so a test can see how the engine backs off.
/// `twoStep` makes the combined step the protocol's two-transaction version,
/// as a backend without its own would have.
final class FlakyStore: OutboxStore {
    let base: any OutboxStore
    let twoStep: Bool
    private let remaining: Mutex<Int>
    private let refusedAt = Mutex<[ContinuousClock.Instant]>([])

    init(base: any OutboxStore, failures: Int, twoStep: Bool = false) {
        self.base = base
        self.twoStep = twoStep
        remaining = Mutex(failures)
    }

    var refusals: [ContinuousClock.Instant] { refusedAt.withLock { $0 } }

    private func maybeFail() throws {
        let fail = remaining.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        guard fail else { return }
        refusedAt.withLock { $0.append(.now) }
        throw GongkaiError(.store, "database is locked (injected)")
    }

    func claim(channelID: String, audience: ChannelAudience, owner: String, limit: Int, leaseMillis: Int64, now: Int64)
        async throws -> [ClaimedDelivery]
    {
        try maybeFail()
        return try await base.claim(
            channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis, now: now)
    }

    func completeAndClaim(
        _ outcomes: [SendOutcome], channelID: String, audience: ChannelAudience, owner: String, limit: Int,
        leaseMillis: Int64, now: Int64
    ) async throws -> [ClaimedDelivery] {
        if twoStep {
            return try await completeThenClaim(
                outcomes, channelID: channelID, audience: audience, owner: owner, limit: limit,
                leaseMillis: leaseMillis, now: now)
        }
        try maybeFail()
        return try await base.completeAndClaim(
            outcomes, channelID: channelID, audience: audience, owner: owner, limit: limit, leaseMillis: leaseMillis,
            now: now)
    }

    // Everything below forwards unchanged.

    func submit(_ items: [PreparedItem], routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [SubmitOutcome]
    { try await base.submit(items, routes: routes, actor: actor, now: now) }
    func withdraw(itemID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64) async throws
        -> [DeliveryRecord]
    { try await base.withdraw(itemID: itemID, reason: reason, routes: routes, actor: actor, now: now) }
    func approve(itemID: String, routes: [ChannelRoute], actor: String, now: Int64) async throws -> [DeliveryRecord] {
        try await base.approve(itemID: itemID, routes: routes, actor: actor, now: now)
    }
    func releasePortalWait(
        itemID: String, channelID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> [DeliveryRecord] {
        try await base.releasePortalWait(
            itemID: itemID, channelID: channelID, reason: reason, routes: routes, actor: actor, now: now)
    }
    func complete(_ outcomes: [SendOutcome], owner: String, now: Int64) async throws {
        try await base.complete(outcomes, owner: owner, now: now)
    }
    func release(owner: String, deliveryIDs: [Int64]?, now: Int64) async throws -> Int {
        try await base.release(owner: owner, deliveryIDs: deliveryIDs, now: now)
    }
    func renewLeases(owner: String, deliveryIDs: [Int64], leaseMillis: Int64, now: Int64) async throws -> Int {
        try await base.renewLeases(owner: owner, deliveryIDs: deliveryIDs, leaseMillis: leaseMillis, now: now)
    }
    func nextDue(channelID: String) async throws -> Int64? { try await base.nextDue(channelID: channelID) }
    func item(id: String) async throws -> ItemRecord? { try await base.item(id: id) }
    func itemVersion(itemID: String, version: Int) async throws -> ItemVersionRecord? {
        try await base.itemVersion(itemID: itemID, version: version)
    }
    func items(relatedTo itemID: String, kind: String) async throws -> [ItemRecord] {
        try await base.items(relatedTo: itemID, kind: kind)
    }
    func items(after afterID: String?, limit: Int) async throws -> [ItemRecord] {
        try await base.items(after: afterID, limit: limit)
    }
    func itemVersions(kinds: [String], after: (itemID: String, version: Int)?, limit: Int) async throws
        -> [(item: ItemRecord, version: ItemVersionRecord)]
    { try await base.itemVersions(kinds: kinds, after: after, limit: limit) }
    func deliveries(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] { try await base.deliveries(filter) }
    func deliveriesWithItems(channelID: String, afterItemID: String?, limit: Int) async throws
        -> [(delivery: DeliveryRecord, item: ItemRecord)]
    { try await base.deliveriesWithItems(channelID: channelID, afterItemID: afterItemID, limit: limit) }
    func attempts(itemID: String, channelID: String?) async throws -> [AttemptRecord] {
        try await base.attempts(itemID: itemID, channelID: channelID)
    }
    func stateCounts() async throws -> [String: [DeliveryState: Int]] { try await base.stateCounts() }
    func resend(itemID: String, channelID: String?, force: Bool, routes: [ChannelRoute], actor: String, now: Int64)
        async throws -> [DeliveryRecord]
    { try await base.resend(itemID: itemID, channelID: channelID, force: force, routes: routes, actor: actor, now: now) }
    func recover(
        channelID: String, states: [DeliveryState], since: Int64?, routes: [ChannelRoute], actor: String, now: Int64
    ) async throws -> Int {
        try await base.recover(channelID: channelID, states: states, since: since, routes: routes, actor: actor, now: now)
    }
    func setPaused(channelID: String, paused: Bool, reason: String?, actor: String, now: Int64) async throws {
        try await base.setPaused(channelID: channelID, paused: paused, reason: reason, actor: actor, now: now)
    }
    func channelPauses() async throws -> [ChannelPause] { try await base.channelPauses() }
    func auditLog(itemID: String?, limit: Int) async throws -> [AuditEntry] {
        try await base.auditLog(itemID: itemID, limit: limit)
    }
}
