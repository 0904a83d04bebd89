public import GongkaiCore

/// The outbox's rules, written once for every backend.
///
/// Each rule reads a snapshot the backend loaded inside its transaction and
/// returns the rows to write (``OutboxWrites``); the backend writes them in
/// the same transaction. Nothing here does I/O, so SQLite and PostgreSQL
/// differ only in how they read and write rows, and in their fast paths
/// (batch claim, batch acknowledgement), which the contract suite holds to
/// the same results as these rules.
public enum OutboxRules {
    // MARK: - Submit, withdraw, approve

    /// One item of a submission. `current` is the item as stored, if it is known.
    public static func submit(
        _ prepared: PreparedItem, current: ItemSnapshot?, routes: [ChannelRoute], actor: String, now: Int64
    ) -> (SubmitOutcome, OutboxWrites) {
        let item = prepared.item
        var writes = OutboxWrites()
        var version = 1
        var change = SubmitOutcome.Change.created
        var record: ItemRecord
        if let current {
            let stored = current.item
            if stored.contentHash == prepared.contentHash && stored.withdrawnAt == nil {
                if stored.review == DisclosureItem.Review.pending.rawValue && item.review == .approved {
                    var approved = current
                    approved.item.review = DisclosureItem.Review.approved.rawValue
                    approved.item.updatedAt = now
                    writes.item = approved.item
                    writes.changedDeliveries = approveDeliveries(approved, routes: routes, now: now)
                    writes.audit.append(
                        AuditEvent(at: now, actor: actor, action: "approve", itemID: item.id, detail: "re-submitted as approved"))
                    return (
                        SubmitOutcome(itemID: item.id, version: stored.currentVersion, change: .approved, contentHash: stored.contentHash),
                        writes
                    )
                }
                return (
                    SubmitOutcome(itemID: item.id, version: stored.currentVersion, change: .unchanged, contentHash: stored.contentHash),
                    writes
                )
            }
            version = stored.currentVersion + 1
            change = .updated
            record = stored
            record.kind = item.kind.rawValue
            record.category = item.category.rawValue
            record.title = item.title
            record.currentVersion = version
            record.contentHash = prepared.contentHash
            record.review = item.review.rawValue
            record.attribute = item.attribute.rawValue
            record.withdrawnAt = nil
            record.withdrawnReason = nil
            record.updatedAt = now
            record.dueOn = prepared.dueIfChanged?.description
            record.relatedTo = item.relatedTo ?? []
            record.feedbackDueOn = prepared.feedbackDue?.description
        } else {
            record = ItemRecord(
                id: item.id, kind: item.kind.rawValue, category: item.category.rawValue, title: item.title,
                currentVersion: 1, contentHash: prepared.contentHash, review: item.review.rawValue,
                attribute: item.attribute.rawValue, withdrawnAt: nil, withdrawnReason: nil, createdAt: now,
                updatedAt: now, dueOn: prepared.dueIfNew?.description, canonicalURL: nil,
                relatedTo: item.relatedTo ?? [], feedbackDueOn: prepared.feedbackDue?.description)
        }
        writes.item = record
        writes.version = VersionEntry(
            itemID: item.id, version: version, contentHash: prepared.contentHash, document: prepared.document,
            publicDocument: prepared.publicDocument, submittedBy: actor, createdAt: now)
        let existing = Dictionary(
            (current?.deliveries ?? []).map { ($0.channelID, $0) }, uniquingKeysWith: { first, _ in first })
        let waitsForPortal = needsCanonicalWait(item, canonicalURL: record.canonicalURL, routes: routes)
        for route in routes {
            var decision = route.rule.decide(item, audience: route.audience)
            if route.waitsForCanonical, waitsForPortal, decision == .deliver {
                decision = .hold(ChannelRoute.canonicalHoldReason)
            }
            if var delivery = existing[route.channelID] {
                delivery.route(version: version, decision: decision, canWithdraw: route.canWithdraw, now: now)
                writes.changedDeliveries.append(delivery)
            } else {
                var delivery = DeliveryRecord(
                    itemID: item.id, channelID: route.channelID, state: .pending, wantedVersion: version,
                    nextAttemptAt: now, updatedAt: now)
                delivery.route(version: version, decision: decision, canWithdraw: route.canWithdraw, now: now)
                writes.newDeliveries.append(delivery)
            }
        }
        writes.audit.append(
            AuditEvent(
                at: now, actor: actor, action: change == .created ? "submit" : "submit-version", itemID: item.id,
                detail: "version \(version)"))
        return (SubmitOutcome(itemID: item.id, version: version, change: change, contentHash: prepared.contentHash), writes)
    }

    /// Whether channels that link to the portal must wait: a portal channel will
    /// carry the item and has not given it a URL yet. When no portal takes the
    /// item, there is nothing to wait for and those channels go without a link.
    static func needsCanonicalWait(_ item: DisclosureItem, canonicalURL: String?, routes: [ChannelRoute]) -> Bool {
        guard routes.contains(where: \.waitsForCanonical), let portal = routes.first(where: \.isCanonical) else {
            return false
        }
        if case .skip = portal.rule.decide(item, audience: portal.audience) { return false }
        return canonicalURL == nil
    }

    /// Marks the item withdrawn and queues a withdrawal wherever it may be shown.
    public static func withdraw(
        _ snapshot: ItemSnapshot, reason: String, routes: [ChannelRoute], actor: String, now: Int64
    ) -> OutboxWrites {
        var writes = OutboxWrites()
        var item = snapshot.item
        if item.withdrawnAt == nil {
            item.withdrawnAt = now
            item.withdrawnReason = reason
        }
        item.updatedAt = now
        writes.item = item
        let canWithdraw = withdrawable(routes)
        for var record in snapshot.deliveries {
            // Never routed here: nothing to take down. Already being withdrawn: nothing new to do.
            guard record.state != .skipped, record.operation != .withdraw || record.state == .dead else { continue }
            record.requestWithdrawal(reason: reason, canWithdraw: canWithdraw[record.channelID] ?? false, now: now)
            writes.changedDeliveries.append(record)
        }
        writes.audit.append(AuditEvent(at: now, actor: actor, action: "withdraw", itemID: item.id, detail: reason))
        return writes
    }

    /// Review approved (先审后发): held deliveries become due.
    public static func approve(_ snapshot: ItemSnapshot, routes: [ChannelRoute], actor: String, now: Int64)
        -> OutboxWrites
    {
        var writes = OutboxWrites()
        var approved = snapshot
        approved.item.review = DisclosureItem.Review.approved.rawValue
        approved.item.updatedAt = now
        writes.item = approved.item
        writes.changedDeliveries = approveDeliveries(approved, routes: routes, now: now)
        writes.audit.append(AuditEvent(at: now, actor: actor, action: "approve", itemID: snapshot.item.id))
        return writes
    }

    /// See ``OutboxStore/releasePortalWait(itemID:channelID:reason:routes:actor:now:)``.
    public static func releasePortalWait(
        _ snapshot: ItemSnapshot, channelID: String, reason: String, routes: [ChannelRoute], actor: String, now: Int64
    ) -> OutboxWrites {
        var writes = OutboxWrites()
        let canWithdraw = withdrawable(routes)[channelID] ?? false
        for var record in snapshot.deliveries
        where record.channelID == channelID && record.state == .blocked
            && record.holdReason == ChannelRoute.canonicalHoldReason
        {
            record.approved(canWithdraw: canWithdraw, now: now)
            writes.changedDeliveries.append(record)
        }
        if !writes.changedDeliveries.isEmpty {
            writes.audit.append(
                AuditEvent(
                    at: now, actor: actor, action: "publish-without-portal", itemID: snapshot.item.id,
                    channelID: channelID, detail: reason))
        }
        return writes
    }

    private static func approveDeliveries(_ snapshot: ItemSnapshot, routes: [ChannelRoute], now: Int64)
        -> [DeliveryRecord]
    {
        let canWithdraw = withdrawable(routes)
        let waiting = Set(routes.filter(\.waitsForCanonical).map(\.channelID))
        var portalPending = false
        if !waiting.isEmpty, let portal = routes.first(where: \.isCanonical) {
            let portalState = snapshot.deliveries.first { $0.channelID == portal.channelID }?.state
            portalPending = snapshot.item.canonicalURL == nil && portalState != nil && portalState != .skipped
        }
        var changed: [DeliveryRecord] = []
        for var record in snapshot.deliveries where record.holdReason != nil {
            let canWithdrawHere = canWithdraw[record.channelID] ?? false
            if record.holdReason == ChannelRoute.canonicalHoldReason { continue }
            record.approved(canWithdraw: canWithdrawHere, now: now)
            if portalPending && waiting.contains(record.channelID) && record.state != .delivered {
                // Approved, but it links to the portal article, which does not exist yet.
                record.route(
                    version: record.wantedVersion, decision: .hold(ChannelRoute.canonicalHoldReason),
                    canWithdraw: canWithdrawHere, now: now)
            }
            changed.append(record)
        }
        return changed
    }

    // MARK: - Sending

    /// Whether a backend may settle `outcome` with its one-statement fast path:
    /// a scheduled publish that succeeded. The statement must apply only where
    /// the row is still `sending` under `owner`, publishing the same wanted
    /// version with no hold, and then set exactly what ``DeliveryRecord/succeeded``
    /// followed by settling would: `delivered`, the delivered version, may be
    /// live, the remote id and URL where given, no streak, error or lease.
    public static func fastDelivered(_ outcome: SendOutcome) -> (remoteID: String?, remoteURL: String?)? {
        guard outcome.operation == .publish, outcome.trigger == .scheduled,
            case .delivered(let remoteID, let remoteURL) = outcome.result
        else { return nil }
        return (remoteID, remoteURL)
    }

    /// The portal URL an outcome makes canonical, if any.
    public static func publishedCanonicalURL(_ outcome: SendOutcome) -> String? {
        guard outcome.setsCanonicalURL, outcome.operation == .publish, case .delivered(_, let url?) = outcome.result
        else { return nil }
        return url
    }

    /// Records a batch of send outcomes.
    ///
    /// - Parameters:
    ///   - settledFast: deliveries the backend already settled with its fast path
    ///     (see ``fastDelivered(_:)``); they only get their attempt logged.
    ///   - rows: the current rows of the other outcomes' deliveries; an outcome
    ///     whose row is gone is dropped.
    ///   - items: for outcomes that publish a canonical URL
    ///     (``publishedCanonicalURL(_:)``), their item's snapshot.
    public static func complete(
        _ outcomes: [SendOutcome], settledFast: Set<Int64>, rows: [Int64: DeliveryRecord],
        items: [String: ItemSnapshot], owner: String, now: Int64
    ) -> OutboxWrites {
        var writes = OutboxWrites()
        var rows = rows
        var changed: [Int64: DeliveryRecord] = [:]
        var order: [Int64] = []
        func change(_ record: DeliveryRecord) {
            if changed.updateValue(record, forKey: record.id) == nil { order.append(record.id) }
            if rows[record.id] != nil { rows[record.id] = record }
        }
        for outcome in outcomes {
            if let url = publishedCanonicalURL(outcome), let snapshot = items[outcome.itemID] {
                var current = snapshot
                // Deliveries already changed in this batch are seen as changed.
                current.deliveries = current.deliveries.map { changed[$0.id] ?? $0 }
                if let item = canonicalPublished(current, url: url, now: now, into: change) {
                    writes.items.append(item)
                }
            }
            if settledFast.contains(outcome.deliveryID) {
                if let entry = attempt(outcome, deliveryID: outcome.deliveryID, worker: owner) {
                    writes.attempts.append(entry)
                }
                continue
            }
            guard var record = rows[outcome.deliveryID] else { continue }
            if let entry = attempt(outcome, deliveryID: record.id, worker: owner) { writes.attempts.append(entry) }
            // A lease that expired and was taken over belongs to someone else now: log, don't settle.
            guard record.state == .sending, record.leaseOwner == owner else { continue }
            switch outcome.result {
            case .delivered(let remoteID, let remoteURL):
                record.succeeded(
                    outcome.operation, version: outcome.version, remoteID: remoteID, remoteURL: remoteURL,
                    canWithdraw: outcome.canWithdraw, now: now)
            case .inProgress(let remoteID, let checkAfter):
                record.inProgress(
                    outcome.operation, version: outcome.version, remoteID: remoteID, checkAfter: checkAfter,
                    canWithdraw: outcome.canWithdraw, now: now)
            case .failed(let failure):
                record.failed(
                    outcome.operation, version: outcome.version, failure: failure, schedule: outcome.schedule,
                    randomUnit: outcome.randomUnit, canWithdraw: outcome.canWithdraw, now: now)
            case .deferred(let retryAfter, let reason):
                record.deferred(
                    outcome.operation, version: outcome.version, retryAfter: retryAfter, reason: reason,
                    schedule: outcome.schedule, canWithdraw: outcome.canWithdraw, now: now)
                // Not an attempt: an operator's resend is still owed its `manual` attempt.
                change(record)
                continue
            }
            change(record)
            if outcome.trigger == .manual { writes.triggers.append((record.id, .scheduled)) }
        }
        writes.changedDeliveries = order.compactMap { changed[$0] }
        return writes
    }

    /// The portal published the item: its URL is now canonical, and the
    /// deliveries that link to it may go. Returns the item to write when its URL changed.
    private static func canonicalPublished(
        _ snapshot: ItemSnapshot, url: String, now: Int64, into change: (DeliveryRecord) -> Void
    ) -> ItemRecord? {
        for var record in snapshot.deliveries where record.holdReason == ChannelRoute.canonicalHoldReason {
            record.approved(canWithdraw: false, now: now)
            change(record)
        }
        guard snapshot.item.canonicalURL != url else { return nil }
        var item = snapshot.item
        item.canonicalURL = url
        return item
    }

    /// The attempt-log line for one outcome; `nil` for a deferral, which made no
    /// request (the log records what was asked of a platform).
    public static func attempt(_ outcome: SendOutcome, deliveryID: Int64, worker: String) -> AttemptEntry? {
        let outcomeText: String
        let errorText: String?
        switch outcome.result {
        case .deferred:
            return nil
        case .delivered:
            outcomeText = "ok"
            errorText = nil
        case .inProgress(let remoteID, _):
            outcomeText = "in-progress"
            errorText = "accepted, still processing (\(remoteID.prefix(200)))"
        case .failed(let failure):
            outcomeText = failure.permanent ? "permanent" : "retryable"
            errorText = String(failure.message.prefix(300))
        }
        return AttemptEntry(
            deliveryID: deliveryID, itemID: outcome.itemID, channelID: outcome.channelID, version: outcome.version,
            operation: outcome.operation, trigger: outcome.trigger, startedAt: outcome.startedAt,
            durationMillis: outcome.durationMillis, httpStatus: outcome.httpStatus, outcome: outcomeText,
            error: errorText, worker: worker)
    }

    /// The attempt-log outcome of a send cut off by its worker's end (crash, kill, lost host).
    public static let abandonedOutcome = "abandoned"
    /// The attempt-log error of an abandoned send.
    public static let abandonedError = "the worker stopped before the result was known"

    /// The attempt-log line for a delivery whose lease expired while it was being sent, written
    /// in the transaction that reclaims it, so the log shows every send that may have reached the
    /// platform. `record` is the row as it was before the claim: still `sending`, under the lease
    /// of the worker that stopped, which is the line's worker. The send started at the row's last
    /// change (its claim) and its result was owed until the lease ran out: that span is the
    /// duration. `nil` for a row that was not being sent. Backends with a one-statement claim
    /// write the same line in SQL (the contract suite holds them to it).
    public static func abandoned(_ record: DeliveryRecord, trigger: AttemptTrigger) -> AttemptEntry? {
        guard record.state == .sending, let owner = record.leaseOwner else { return nil }
        return AttemptEntry(
            deliveryID: record.id, itemID: record.itemID, channelID: record.channelID, version: record.wantedVersion,
            operation: record.operation, trigger: trigger, startedAt: record.updatedAt,
            durationMillis: max(0, (record.leaseExpiresAt ?? record.updatedAt) - record.updatedAt), httpStatus: nil,
            outcome: abandonedOutcome, error: abandonedError, worker: owner)
    }

    /// Gives back `owner`'s unsent claimed deliveries (`rows` are its `sending` rows;
    /// only `deliveryIDs` of them when given).
    public static func release(_ rows: [DeliveryRecord], deliveryIDs: [Int64]?, now: Int64) -> OutboxWrites {
        var writes = OutboxWrites()
        let wanted = deliveryIDs.map(Set.init)
        for var record in rows where wanted?.contains(record.id) ?? true {
            record.released(now: now)
            writes.changedDeliveries.append(record)
        }
        return writes
    }

    // MARK: - Operator actions

    /// Operator: send the item again on one channel (or all of them).
    public static func resend(
        _ snapshot: ItemSnapshot, channelID: String?, force: Bool, routes: [ChannelRoute], actor: String, now: Int64
    ) throws -> OutboxWrites {
        var rows = snapshot.deliveries
        if let channelID {
            rows = rows.filter { $0.channelID == channelID }
            guard !rows.isEmpty else {
                throw GongkaiError(
                    .unknownChannel, "the item has no delivery on this channel", item: snapshot.item.id,
                    channel: channelID, field: "channel")
            }
        }
        var writes = resendRows(rows, force: force, routes: routes, now: now)
        writes.audit.append(
            AuditEvent(
                at: now, actor: actor, action: force ? "resend-force" : "resend", itemID: snapshot.item.id,
                channelID: channelID, detail: "\(writes.changedDeliveries.count) deliveries queued"))
        return writes
    }

    /// Operator: bulk resend of a channel's deliveries in `states` (`rows` are those deliveries).
    public static func recover(
        _ rows: [DeliveryRecord], channelID: String, states: [DeliveryState], routes: [ChannelRoute], actor: String,
        now: Int64
    ) -> OutboxWrites {
        var writes = resendRows(rows, force: false, routes: routes, now: now)
        writes.audit.append(
            AuditEvent(
                at: now, actor: actor, action: "recover", channelID: channelID,
                detail: "states \(states.map(\.rawValue).joined(separator: ",")); \(writes.changedDeliveries.count) deliveries queued"))
        return writes
    }

    private static func resendRows(_ rows: [DeliveryRecord], force: Bool, routes: [ChannelRoute], now: Int64)
        -> OutboxWrites
    {
        let canWithdraw = withdrawable(routes)
        var writes = OutboxWrites()
        for var record in rows
        where record.resend(force: force, canWithdraw: canWithdraw[record.channelID] ?? false, now: now) {
            writes.changedDeliveries.append(record)
            writes.triggers.append((record.id, .manual))
        }
        return writes
    }

    /// Operator: pause or resume a channel.
    public static func pause(channelID: String, paused: Bool, reason: String?, actor: String, now: Int64)
        -> (ChannelPause, AuditEvent)
    {
        (
            ChannelPause(channelID: channelID, paused: paused, reason: reason, changedAt: now, changedBy: actor),
            AuditEvent(at: now, actor: actor, action: paused ? "pause" : "resume", channelID: channelID, detail: reason)
        )
    }

    /// The error for an operation on an item the outbox does not hold.
    public static func unknownItem(_ itemID: String) -> GongkaiError {
        GongkaiError(.unknownItem, "no item with this id in the outbox", item: itemID, field: "id")
    }

    private static func withdrawable(_ routes: [ChannelRoute]) -> [String: Bool] {
        Dictionary(routes.map { ($0.channelID, $0.canWithdraw) }, uniquingKeysWith: { first, _ in first })
    }
}

/// An item's row with all of its deliveries: what each per-item rule reads.
public struct ItemSnapshot: Sendable, Equatable {
    public var item: ItemRecord
    public var deliveries: [DeliveryRecord]
    public init(item: ItemRecord, deliveries: [DeliveryRecord]) {
        self.item = item
        self.deliveries = deliveries
    }
}

/// What a rule asks the backend to write, in one transaction, in this order:
/// items (insert or replace every column), the new version, new deliveries,
/// changed deliveries (every mutable column), trigger marks, attempts, audit.
public struct OutboxWrites: Sendable {
    public var items: [ItemRecord] = []
    public var version: VersionEntry?
    /// Rows to insert; their `id` is not used.
    public var newDeliveries: [DeliveryRecord] = []
    public var changedDeliveries: [DeliveryRecord] = []
    /// `manual` marks an operator's resend; the next attempt's outcome resets it to `scheduled`.
    public var triggers: [(deliveryID: Int64, trigger: AttemptTrigger)] = []
    public var attempts: [AttemptEntry] = []
    public var audit: [AuditEvent] = []

    public init() {}

    /// A single item to write (submit, withdraw, approve write at most one).
    public var item: ItemRecord? {
        get { items.first }
        set { items = newValue.map { [$0] } ?? [] }
    }
}

/// A new immutable version of an item.
public struct VersionEntry: Sendable, Equatable {
    public var itemID: String
    public var version: Int
    public var contentHash: String
    public var document: [UInt8]
    public var publicDocument: [UInt8]
    public var submittedBy: String
    public var createdAt: Int64
}

/// A line to append to the attempt log.
public struct AttemptEntry: Sendable, Equatable {
    public var deliveryID: Int64
    public var itemID: String
    public var channelID: String
    public var version: Int
    public var operation: DeliveryOperation
    public var trigger: AttemptTrigger
    public var startedAt: Int64
    public var durationMillis: Int64
    public var httpStatus: Int?
    /// `ok`, `retryable`, `permanent`, `in-progress` or `abandoned` (``OutboxRules/abandoned(_:trigger:)``).
    public var outcome: String
    public var error: String?
    public var worker: String
}

/// A line to append to the audit log.
public struct AuditEvent: Sendable, Equatable {
    public var at: Int64
    public var actor: String
    public var action: String
    public var itemID: String?
    public var channelID: String?
    public var detail: String?
    public init(
        at: Int64, actor: String, action: String, itemID: String? = nil, channelID: String? = nil, detail: String? = nil
    ) {
        self.at = at
        self.actor = actor
        self.action = action
        self.itemID = itemID
        self.channelID = channelID
        self.detail = detail
    }
}
