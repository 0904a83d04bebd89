import GongkaiCore
import GongkaiStore
import Testing

/// `OutboxRules.complete` on a deferral, without a backend: what both stores are asked to write.
@Suite("Outbox rules: a deferral")
struct OutboxRulesDeferralTests {
    static let now: Int64 = 1_790_000_000_000

    static func sending(id: Int64, owner: String = "w", failureStreak: Int = 0) -> DeliveryRecord {
        var record = DeliveryRecord(
            id: id, itemID: "item-\(id)", channelID: "robot", state: .pending, wantedVersion: 1,
            failureStreak: failureStreak, nextAttemptAt: now - 10, updatedAt: now - 10)
        record.claimed(by: owner, leaseUntil: now + 30_000, now: now - 5)
        return record
    }

    static func deferral(_ record: DeliveryRecord, trigger: AttemptTrigger = .scheduled) -> SendOutcome {
        SendOutcome(
            deliveryID: record.id, itemID: record.itemID, channelID: record.channelID, operation: .publish,
            version: 1, result: .deferred(retryAfter: 42_000, reason: "the WeCom robot's send window is full"),
            httpStatus: nil, startedAt: now - 1, durationMillis: 0, trigger: trigger,
            schedule: try! RetrySchedule(delays: [1_000], jitter: 0), randomUnit: 0.5, canWithdraw: false)
    }

    @Test func writesTheRowBackAsItWasAndNoAttempt() {
        let fresh = Self.sending(id: 1)
        let failedBefore = Self.sending(id: 2, failureStreak: 1)
        let writes = OutboxRules.complete(
            [Self.deferral(fresh), Self.deferral(failedBefore, trigger: .manual)], settledFast: [],
            rows: [1: fresh, 2: failedBefore], items: [:], owner: "w", now: Self.now)

        #expect(writes.attempts.isEmpty)
        // An operator's resend keeps `manual` until a real attempt is made.
        #expect(writes.triggers.isEmpty)
        let rows = Dictionary(uniqueKeysWithValues: writes.changedDeliveries.map { ($0.id, $0) })
        #expect(rows[1]?.state == .pending)
        #expect(rows[2]?.state == .retrying)
        #expect(rows.values.allSatisfy { $0.nextAttemptAt == Self.now + 42_000 && $0.leaseOwner == nil })
        #expect(rows[1]?.attemptCount == 0)
        #expect(rows[2]?.attemptCount == 0)
        #expect(rows[2]?.failureStreak == 1)
        #expect(rows[1]?.lastError?.hasPrefix(DeliveryRecord.deferredPrefix) == true)
        #expect(OutboxRules.fastDelivered(Self.deferral(fresh)) == nil)
    }

    @Test func aRowTakenOverByAnotherWorkerIsLeftAlone() {
        let taken = Self.sending(id: 3, owner: "other")
        let writes = OutboxRules.complete(
            [Self.deferral(taken)], settledFast: [], rows: [3: taken], items: [:], owner: "w", now: Self.now)
        #expect(writes.attempts.isEmpty)
        #expect(writes.changedDeliveries.isEmpty)
    }
}
