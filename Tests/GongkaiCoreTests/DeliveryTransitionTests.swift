import GongkaiCore
import Testing

/// The delivery state machine as a pure value: no store, no clock but the one passed in.
@Suite("Delivery state machine")
struct DeliveryTransitionTests {
    let schedule = try! RetrySchedule(delays: [1_000, 10_000], jitter: 0, minimumThrottleDelay: 5_000)

    func fresh(_ now: Int64 = 0) -> DeliveryRecord {
        DeliveryRecord(itemID: "a", channelID: "hub", state: .pending, wantedVersion: 1, nextAttemptAt: now, updatedAt: now)
    }

    func sent(_ record: inout DeliveryRecord, at now: Int64) {
        record.claimed(by: "w", leaseUntil: now + 60_000, now: now)
    }

    @Test func routingDecidesTheFirstState() {
        var skipped = fresh()
        skipped.route(version: 1, decision: .skip("withheld"), canWithdraw: true, now: 1)
        #expect(skipped.state == .skipped)
        #expect(skipped.nextAttemptAt == nil)
        var held = fresh()
        held.route(version: 1, decision: .hold("review pending"), canWithdraw: true, now: 1)
        #expect(held.state == .blocked)
        held.approved(canWithdraw: true, now: 2)
        #expect(held.state == .pending)
        #expect(held.nextAttemptAt == 2)
    }

    @Test func anAcceptedAsynchronousPublishIsCheckedLaterUnlessSuperseded() {
        var record = fresh()
        sent(&record, at: 10)
        record.inProgress(.publish, version: 1, remoteID: "publish:v1:9", checkAfter: 30_000, canWithdraw: true, now: 20)
        #expect(record.state == .pending)
        #expect(record.nextAttemptAt == 30_020)
        #expect(record.remoteID == "publish:v1:9")
        #expect(record.mayBeLive)
        #expect(record.failureStreak == 0)

        // A withdrawal requested while the publish was in flight goes at once, with the handle.
        var withdrawn = fresh()
        sent(&withdrawn, at: 10)
        withdrawn.requestWithdrawal(reason: "废止", canWithdraw: true, now: 15)
        withdrawn.inProgress(.publish, version: 1, remoteID: "publish:v1:9", checkAfter: 30_000, canWithdraw: true, now: 20)
        #expect(withdrawn.operation == .withdraw)
        #expect(withdrawn.state == .pending)
        #expect(withdrawn.nextAttemptAt == 20)
        #expect(withdrawn.remoteID == "publish:v1:9")
    }

    @Test func claimLeasesAndSuccessDelivers() {
        var record = fresh()
        sent(&record, at: 10)
        #expect(record.state == .sending)
        #expect(record.nextAttemptAt == 60_010)
        #expect(record.attemptCount == 1)
        record.succeeded(.publish, version: 1, remoteID: "r1", remoteURL: "https://x/1", canWithdraw: true, now: 20)
        #expect(record.state == .delivered)
        #expect(record.deliveredVersion == 1)
        #expect(record.mayBeLive)
        #expect(record.leaseOwner == nil)
        #expect(record.nextAttemptAt == nil)
    }

    @Test func retryableFailuresFollowTheScheduleThenDie() {
        var record = fresh()
        sent(&record, at: 0)
        record.failed(.publish, version: 1, failure: SendFailure(permanent: false, message: "HTTP 503"), schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 100)
        #expect(record.state == .retrying)
        #expect(record.nextAttemptAt == 1_100)
        sent(&record, at: 1_100)
        record.failed(.publish, version: 1, failure: SendFailure(permanent: false, message: "HTTP 503"), schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 1_200)
        #expect(record.nextAttemptAt == 11_200)
        sent(&record, at: 11_200)
        record.failed(.publish, version: 1, failure: SendFailure(permanent: false, message: "HTTP 503"), schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 11_300)
        #expect(record.state == .dead)
        #expect(record.lastError == "retries exhausted after 3 attempts: HTTP 503")
        // The failed publish may have landed (e.g. a lost answer), so a withdrawal must go out.
        #expect(record.mayBeLive)
    }

    @Test func throttlingHonoursRetryAfterAndTheFloor() {
        var record = fresh()
        sent(&record, at: 0)
        record.failed(.publish, version: 1, failure: SendFailure(permanent: false, throttled: true, retryAfter: 30_000, message: "429"), schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 0)
        #expect(record.nextAttemptAt == 30_000)
        var floored = fresh()
        sent(&floored, at: 0)
        floored.failed(.publish, version: 1, failure: SendFailure(permanent: false, throttled: true, message: "timeout"), schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 0)
        #expect(floored.nextAttemptAt == 5_000)
    }

    @Test func permanentFailureIsDeadAtOnceAndNotLive() {
        var record = fresh()
        sent(&record, at: 0)
        record.failed(.publish, version: 1, failure: SendFailure(permanent: true, message: "HTTP 422"), schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 5)
        #expect(record.state == .dead)
        #expect(record.failureStreak == 1)
        #expect(!record.mayBeLive)
        record.requestWithdrawal(reason: "撤回", canWithdraw: true, now: 6)
        #expect(record.state == .withdrawn)
    }

    @Test func aNewerVersionNeverOvertakesTheOneInFlight() {
        var record = fresh()
        sent(&record, at: 0)
        record.route(version: 2, decision: .deliver, canWithdraw: true, now: 1)
        #expect(record.state == .sending)
        #expect(record.wantedVersion == 2)
        record.succeeded(.publish, version: 1, remoteID: nil, remoteURL: nil, canWithdraw: true, now: 2)
        #expect(record.deliveredVersion == 1)
        #expect(record.state == .pending)
        #expect(record.nextAttemptAt == 2)
    }

    @Test func withdrawalSupersedesEverything() {
        var record = fresh()
        sent(&record, at: 0)
        record.succeeded(.publish, version: 1, remoteID: nil, remoteURL: nil, canWithdraw: true, now: 1)
        record.route(version: 2, decision: .deliver, canWithdraw: true, now: 2)
        sent(&record, at: 3)
        record.requestWithdrawal(reason: "废止", canWithdraw: true, now: 4)
        #expect(record.state == .sending)
        record.succeeded(.publish, version: 2, remoteID: nil, remoteURL: nil, canWithdraw: true, now: 5)
        #expect(record.state == .pending)
        #expect(record.operation == .withdraw)
        sent(&record, at: 6)
        record.succeeded(.withdraw, version: 2, remoteID: nil, remoteURL: nil, canWithdraw: true, now: 7)
        #expect(record.state == .withdrawn)
        #expect(record.deliveredVersion == nil)
        #expect(!record.mayBeLive)
        // Re-published later: a new version goes out again.
        record.route(version: 3, decision: .deliver, canWithdraw: true, now: 8)
        #expect(record.state == .pending)
        #expect(record.operation == .publish)
    }

    @Test func aChannelThatCannotWithdrawNeedsManualAction() {
        var record = fresh()
        sent(&record, at: 0)
        record.succeeded(.publish, version: 1, remoteID: nil, remoteURL: nil, canWithdraw: false, now: 1)
        record.requestWithdrawal(reason: "废止", canWithdraw: false, now: 2)
        #expect(record.state == .withdrawn)
        #expect(record.lastError?.hasPrefix("needs manual action") == true)
    }

    @Test func becomingWithheldTakesALiveItemDown() {
        var record = fresh()
        sent(&record, at: 0)
        record.succeeded(.publish, version: 1, remoteID: nil, remoteURL: nil, canWithdraw: true, now: 1)
        record.route(version: 2, decision: .skip("不予公开"), canWithdraw: true, now: 2)
        #expect(record.state == .pending)
        #expect(record.operation == .withdraw)
    }

    @Test func resendRules() {
        var delivered = fresh()
        sent(&delivered, at: 0)
        delivered.succeeded(.publish, version: 1, remoteID: nil, remoteURL: nil, canWithdraw: true, now: 1)
        #expect(delivered.resend(force: false, canWithdraw: true, now: 2) == false)
        #expect(delivered.resend(force: true, canWithdraw: true, now: 2) == true)
        #expect(delivered.state == .pending)
        var inFlight = fresh()
        sent(&inFlight, at: 0)
        #expect(inFlight.resend(force: true, canWithdraw: true, now: 1) == false)
        var dead = fresh()
        sent(&dead, at: 0)
        dead.failed(.publish, version: 1, failure: SendFailure(permanent: true, message: "x"), schedule: schedule, randomUnit: 0, canWithdraw: true, now: 1)
        #expect(dead.resend(force: false, canWithdraw: true, now: 2) == true)
        #expect(dead.failureStreak == 0)
        #expect(dead.nextAttemptAt == 2)
    }

    @Test func releaseGivesTheAttemptBack() {
        var record = fresh()
        sent(&record, at: 0)
        record.released(now: 5)
        #expect(record.state == .pending)
        #expect(record.attemptCount == 0)
        #expect(record.leaseOwner == nil)
        #expect(record.nextAttemptAt == 5)
    }
}
