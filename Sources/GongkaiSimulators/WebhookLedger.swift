import NIOConcurrencyHelpers

/// The simulator's record of what it accepted and rejected.
///
/// Deliveries are spread over shards by item id so that two event loops
/// recording different items rarely meet on one lock; duplicate detection is
/// sharded by webhook id, since that is what it keys on. Only the totals and
/// the waiters share one lock, held for a few instructions and never across
/// an await.
final class WebhookLedger: Sendable {
    private struct CountKey: Hashable {
        var itemID: String
        var version: Int
        var type: ReceivedWebhook.EventType
    }

    private struct Shard: Sendable {
        /// Paired with a monotonic ordinal so ``received()`` can merge shards in arrival order.
        var received: [(ordinal: UInt64, webhook: ReceivedWebhook)] = []
        var shown: [String: ShownState] = [:]
        var counts: [CountKey: Int] = [:]
        var seenWebhookIDs: Set<String> = []
        var duplicates = 0
    }

    private enum WaiterSlot: Sendable {
        /// The id is handed out but the continuation is not stored yet.
        case reserved
        case waiting(target: Int, continuation: CheckedContinuation<Bool, Never>)
        /// Cancellation arrived before the continuation was stored.
        case cancelled
    }

    private struct Totals: Sendable {
        var accepted = 0
        var rejected = [Int](repeating: 0, count: WebhookRejection.allCases.count)
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: WaiterSlot] = [:]
    }

    private static let shardCount = 16

    private let shards: [NIOLockedValueBox<Shard>]
    private let totals = NIOLockedValueBox(Totals())

    init() {
        shards = (0..<Self.shardCount).map { _ in NIOLockedValueBox(Shard()) }
    }

    private func shard(for key: String) -> NIOLockedValueBox<Shard> {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(Self.shardCount))]
    }

    // MARK: Recording

    func record(_ webhook: ReceivedWebhook, ordinal: UInt64) {
        shard(for: webhook.webhookID).withLockedValue { shard in
            if !shard.seenWebhookIDs.insert(webhook.webhookID).inserted {
                shard.duplicates += 1
            }
        }
        shard(for: webhook.itemID).withLockedValue { shard in
            shard.received.append((ordinal, webhook))
            shard.counts[CountKey(itemID: webhook.itemID, version: webhook.version, type: webhook.type), default: 0] += 1
            switch webhook.type {
            case .published:
                shard.shown[webhook.itemID] = .published(version: webhook.version, contentHash: webhook.contentHash)
            case .withdrawn:
                shard.shown[webhook.itemID] = .withdrawn(version: webhook.version, reason: webhook.reason)
            }
        }
        // Counted last so that a woken waiter already sees the record.
        let ready = totals.withLockedValue { totals -> [CheckedContinuation<Bool, Never>] in
            totals.accepted += 1
            guard !totals.waiters.isEmpty else { return [] }
            return Self.takeReached(&totals)
        }
        for continuation in ready {
            continuation.resume(returning: true)
        }
    }

    func reject(_ reason: WebhookRejection) {
        totals.withLockedValue { $0.rejected[reason.index] += 1 }
    }

    func reset() {
        for shard in shards {
            shard.withLockedValue { $0 = Shard() }
        }
        totals.withLockedValue { totals in
            totals.accepted = 0
            totals.rejected = [Int](repeating: 0, count: WebhookRejection.allCases.count)
        }
    }

    // MARK: Queries

    var acceptedCount: Int { totals.withLockedValue { $0.accepted } }

    var rejectedCounts: [String: Int] {
        let counts = totals.withLockedValue { $0.rejected }
        var result: [String: Int] = [:]
        for reason in WebhookRejection.allCases where counts[reason.index] > 0 {
            result[reason.rawValue] = counts[reason.index]
        }
        return result
    }

    var duplicateCount: Int {
        shards.reduce(0) { sum, shard in sum + shard.withLockedValue { $0.duplicates } }
    }

    func received() -> [ReceivedWebhook] {
        var all: [(ordinal: UInt64, webhook: ReceivedWebhook)] = []
        for shard in shards {
            all.append(contentsOf: shard.withLockedValue { $0.received })
        }
        all.sort { $0.ordinal < $1.ordinal }
        return all.map(\.webhook)
    }

    func shown(itemID: String) -> ShownState? {
        shard(for: itemID).withLockedValue { $0.shown[itemID] }
    }

    func count(itemID: String, version: Int, type: ReceivedWebhook.EventType) -> Int {
        shard(for: itemID).withLockedValue {
            $0.counts[CountKey(itemID: itemID, version: version, type: type)] ?? 0
        }
    }

    // MARK: Waiting

    /// Suspends until `target` deliveries were accepted or `timeout` passes.
    func waitUntil(acceptedCount target: Int, timeout: Duration) async -> Bool {
        if acceptedCount >= target { return true }
        let reached = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForAccepted(target) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            // Cancelling the waiter resumes its continuation, which ends the group.
            group.cancelAll()
            return first
        }
        return reached || acceptedCount >= target
    }

    private func waitForAccepted(_ target: Int) async -> Bool {
        let id = totals.withLockedValue { totals in
            totals.nextWaiterID += 1
            totals.waiters[totals.nextWaiterID] = .reserved
            return totals.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = totals.withLockedValue { totals -> Bool? in
                    if case .cancelled = totals.waiters[id] {
                        totals.waiters[id] = nil
                        return false
                    }
                    if totals.accepted >= target {
                        totals.waiters[id] = nil
                        return true
                    }
                    totals.waiters[id] = .waiting(target: target, continuation: continuation)
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                }
            }
        } onCancel: {
            let continuation = totals.withLockedValue { totals -> CheckedContinuation<Bool, Never>? in
                switch totals.waiters[id] {
                case .reserved:
                    totals.waiters[id] = .cancelled
                    return nil
                case .waiting(_, let continuation):
                    totals.waiters[id] = nil
                    return continuation
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume(returning: false)
        }
    }

    private static func takeReached(_ totals: inout Totals) -> [CheckedContinuation<Bool, Never>] {
        var ready: [CheckedContinuation<Bool, Never>] = []
        for (id, slot) in totals.waiters {
            if case .waiting(let target, let continuation) = slot, totals.accepted >= target {
                ready.append(continuation)
                totals.waiters[id] = nil
            }
        }
        return ready
    }
}
