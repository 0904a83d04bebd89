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

    /// A split robot notice's progress is kept for the next attempt, but only for the
    /// version it describes.
    @Test func aFailureCarryingProgressKeepsItAsTheRemoteIDForItsVersionOnly() {
        var record = fresh()
        sent(&record, at: 0)
        let failure = SendFailure(permanent: false, message: "part 2 failed", progress: "robot-parts:v1:1/3:ab")
        record.failed(.publish, version: 1, failure: failure, schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 5)
        #expect(record.state == .retrying && record.remoteID == "robot-parts:v1:1/3:ab")

        var superseded = fresh()
        sent(&superseded, at: 0)
        superseded.wantedVersion = 2
        superseded.failed(.publish, version: 1, failure: failure, schedule: schedule, randomUnit: 0.5, canWithdraw: true, now: 5)
        #expect(superseded.remoteID == nil)
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
        record.succeeded(
            .publish, version: 1, remoteID: "a-1", remoteURL: "https://www.example.gov.cn/a-1.html", canWithdraw: true, now: 1)
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
        // Where it was shown stays known, so the public-page check can see that it is gone.
        #expect(record.remoteURL == "https://www.example.gov.cn/a-1.html")
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

    func deferred(_ record: inout DeliveryRecord, wait: Int64 = 20_000, now: Int64, _ sent: DeliveryOperation = .publish, version: Int = 1) {
        record.deferred(
            sent, version: version, retryAfter: wait, reason: "the robot's send window is full", schedule: schedule,
            canWithdraw: false, now: now)
    }

    @Test func aDeferralSpendsNoAttemptAndNeverExhaustsTheSchedule() {
        var record = fresh()
        var now: Int64 = 0
        // The schedule dies at the third failure; a hundred deferrals are none.
        for _ in 1...100 {
            sent(&record, at: now)
            deferred(&record, now: now + 3)
            #expect(record.state == .pending)
            #expect(record.attemptCount == 0)
            #expect(record.failureStreak == 0)
            #expect(record.nextAttemptAt == now + 3 + 20_000)
            #expect(record.leaseOwner == nil && record.leaseExpiresAt == nil)
            now += 20_003
        }
        #expect(record.lastError == "waiting for the channel's own send window (no attempt spent): the robot's send window is full")
        #expect(!record.mayBeLive)
        sent(&record, at: now)
        record.succeeded(.publish, version: 1, remoteID: nil, remoteURL: nil, canWithdraw: false, now: now + 1)
        #expect(record.state == .delivered)
        #expect(record.attemptCount == 1)
        #expect(record.lastError == nil)
    }

    @Test func aDeferralAfterAFailureKeepsRetryingWithTheSameStreak() {
        var record = fresh()
        sent(&record, at: 0)
        record.failed(.publish, version: 1, failure: SendFailure(permanent: false, message: "HTTP 503"), schedule: schedule, randomUnit: 0.5, canWithdraw: false, now: 10)
        sent(&record, at: 1_010)
        deferred(&record, wait: 700, now: 1_020)
        #expect(record.state == .retrying)
        #expect(record.failureStreak == 1)
        #expect(record.attemptCount == 1)
        #expect(record.nextAttemptAt == 1_720)
        // The next real failure is the second, not a later one.
        sent(&record, at: 1_720)
        record.failed(.publish, version: 1, failure: SendFailure(permanent: false, message: "HTTP 503"), schedule: schedule, randomUnit: 0.5, canWithdraw: false, now: 1_730)
        #expect(record.state == .retrying)
        #expect(record.nextAttemptAt == 11_730)
    }

    @Test func aDeferredForcedResendStillGoes() {
        var record = fresh()
        sent(&record, at: 0)
        record.succeeded(.publish, version: 1, remoteID: nil, remoteURL: nil, canWithdraw: false, now: 1)
        record.resend(force: true, canWithdraw: false, now: 2)
        sent(&record, at: 3)
        deferred(&record, wait: 500, now: 4)
        // Already delivered once, but the operator asked for it again: it waits, it is not settled.
        #expect(record.state == .pending)
        #expect(record.nextAttemptAt == 504)
        #expect(record.attemptCount == 1)
    }

    @Test func aDeferralOfASupersededSendSettlesTheNewTarget() {
        // A withdrawal of what never reached the channel: nothing to wait for.
        var withdrawn = fresh()
        sent(&withdrawn, at: 0)
        withdrawn.requestWithdrawal(reason: "废止", canWithdraw: false, now: 1)
        deferred(&withdrawn, now: 2)
        #expect(withdrawn.state == .withdrawn)
        #expect(withdrawn.nextAttemptAt == nil)
        #expect(withdrawn.attemptCount == 0)
        // A newer version still needs the channel's quota.
        var newer = fresh()
        sent(&newer, at: 0)
        newer.route(version: 2, decision: .deliver, canWithdraw: false, now: 1)
        deferred(&newer, wait: 900, now: 2)
        #expect(newer.state == .pending)
        #expect(newer.wantedVersion == 2)
        #expect(newer.nextAttemptAt == 902)
        // Held for review meanwhile: blocked, not due.
        var held = fresh()
        sent(&held, at: 0)
        held.route(version: 2, decision: .hold("review pending"), canWithdraw: false, now: 1)
        deferred(&held, now: 2)
        #expect(held.state == .blocked)
        #expect(held.nextAttemptAt == nil)
    }

    @Test func aDeferralOnlySettlesARowInFlightAndCapsItsWait() {
        var idle = fresh(7)
        deferred(&idle, now: 8)
        #expect(idle == fresh(7))
        var record = fresh()
        sent(&record, at: 0)
        deferred(&record, wait: .max, now: 1)
        #expect(record.nextAttemptAt == 1 + schedule.maximumDelay)
        var soon = fresh()
        sent(&soon, at: 0)
        deferred(&soon, wait: 0, now: 1)
        #expect(soon.nextAttemptAt == 2)
    }
}
