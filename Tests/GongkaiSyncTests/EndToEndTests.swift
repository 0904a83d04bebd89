import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import GongkaiStore
import Testing
import GongkaiService
import GongkaiSync

/// The outbox end to end over real HTTP on 127.0.0.1 against the webhook simulator.
@Suite("End to end: engine → Standard Webhooks simulator")
struct EndToEndTests {
    static func notice(_ id: String, title: String = "关于开展2026年森林防火宣传月活动的通知") -> DisclosureItem {
        var item = SampleDisclosures.notice
        item.id = id
        item.title = title
        return item
    }

    @Test func deliversSignedEventsOncePerVersion() async throws {
        let harness = try await EngineHarness()
        try await harness.submit(Self.notice("n1"), Self.notice("n2"), Self.notice("n3"))
        #expect(try await harness.waitUntilSettled())
        for id in ["n1", "n2", "n3"] {
            let record = try #require(try await harness.delivery(id))
            #expect(record.state == .delivered)
            #expect(record.deliveredVersion == 1)
            #expect(harness.simulator.count(itemID: id, version: 1, type: .published) == 1)
            #expect(harness.simulator.shown(itemID: id) != nil)
        }
        // The simulator verifies every signature and timestamp: nothing was refused.
        #expect(harness.simulator.rejectedCounts.isEmpty)
        #expect(harness.simulator.received().allSatisfy { $0.webhookID.hasPrefix("gk_hub_") })
        try await harness.shutdown()
    }

    @Test func retriesServerErrorsUntilDelivered() async throws {
        let harness = try await EngineHarness(
            faults: WebhookFaults(script: [.serverError(status: 500), .serverError(status: 503)]))
        try await harness.submit(Self.notice("r1"))
        #expect(try await harness.waitUntilSettled())
        #expect(try await harness.delivery("r1")?.state == .delivered)
        let attempts = try await harness.store.attempts(itemID: "r1", channelID: "hub")
        #expect(attempts.map(\.outcome) == ["retryable", "retryable", "ok"])
        #expect(attempts.map(\.httpStatus) == [500, 503, 200])
        try await harness.shutdown()
    }

    @Test("410 Gone pauses the channel as this daemon; nothing more is sent until an operator resumes it")
    func goneEndpointPausesTheChannelUntilResumed() async throws {
        // Before this change 410 was permanent: every delivery went dead, and the channel kept sending.
        let harness = try await EngineHarness(faults: WebhookFaults(gone: true))
        let store = harness.store
        let ids = ["g1", "g2", "g3"]
        try await harness.submit(Self.notice("g1"), Self.notice("g2"), Self.notice("g3"))
        // Paused, and every send that was in flight recorded.
        #expect(
            try await harness.waitUntil {
                guard try await store.channelPauses().contains(where: { $0.channelID == "hub" && $0.paused }) else {
                    return false
                }
                return try await store.deliveries(DeliveryFilter(states: [.sending])).isEmpty
            })
        let pause = try #require(try await store.channelPauses().first { $0.channelID == "hub" })
        #expect(pause.reason?.hasPrefix(WebhookAdapter.goneReason) == true)
        #expect(pause.changedBy == "daemon:test-worker")
        let audit = try await store.auditLog(itemID: nil, limit: 20)
        #expect(audit.filter { $0.action == "pause" }.map(\.actor) == ["daemon:test-worker"])
        let gone = harness.simulator.rejectedCounts["fault-gone"] ?? 0
        #expect((1...ids.count).contains(gone))
        var due: Int64 = 0
        for id in ids {
            let record = try #require(try await harness.delivery(id))
            // Answered 410 and due again later (or never claimed, once the pause was in): not dead.
            #expect(record.state == .retrying || record.state == .pending)
            due = max(due, record.nextAttemptAt ?? 0)
        }
        #expect(try await store.deliveries(DeliveryFilter(channelID: "hub", states: [.retrying])).count == gone)
        // Well past every retry time (and several pause checks): a channel that still sent would have by now.
        let quietUntil = due + 600
        _ = try await harness.waitUntil(timeout: .seconds(5)) { Self.nowMillis() >= quietUntil }
        #expect(harness.simulator.rejectedCounts["fault-gone"] == gone)
        #expect(harness.simulator.acceptedCount == 0)
        for id in ids {
            #expect(try await harness.delivery(id)?.state != .dead)
            let attempts = try await store.attempts(itemID: id, channelID: "hub")
            #expect(attempts.allSatisfy { $0.outcome == "retryable" && $0.httpStatus == 410 })
        }
        // The receiver is back and an operator resumes: everything goes out once.
        harness.simulator.setFaults(.none)
        try await harness.console.setPaused("hub", paused: false, reason: nil)
        harness.engine.nudge()
        #expect(try await harness.waitUntilSettled())
        for id in ids {
            #expect(try await harness.delivery(id)?.state == .delivered)
            #expect(harness.simulator.count(itemID: id, version: 1, type: .published) == 1)
        }
        try await harness.shutdown()
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test func honoursRetryAfterOn429() async throws {
        let harness = try await EngineHarness(faults: WebhookFaults(script: [.throttle(retryAfterSeconds: 1)]))
        try await harness.submit(Self.notice("t1"))
        #expect(try await harness.waitUntilSettled())
        let attempts = try await harness.store.attempts(itemID: "t1", channelID: "hub")
        #expect(attempts.map(\.httpStatus) == [429, 200])
        // The schedule alone would retry after 100 ms; Retry-After says 1 s.
        #expect(attempts[1].startedAt - attempts[0].startedAt >= 1_000)
        try await harness.shutdown()
    }

    @Test func permanentRefusalIsDeadAtOnceWithTheReason() async throws {
        let harness = try await EngineHarness(faults: WebhookFaults(permanentItemIDs: ["bad"]))
        try await harness.submit(Self.notice("bad"), Self.notice("good"))
        #expect(try await harness.waitUntilSettled())
        let bad = try #require(try await harness.delivery("bad"))
        #expect(bad.state == .dead)
        #expect(bad.lastError?.contains("HTTP 422") == true)
        #expect(try await harness.store.attempts(itemID: "bad", channelID: "hub").count == 1)
        #expect(try await harness.delivery("good")?.state == .delivered)
        try await harness.shutdown()
    }

    @Test func anEditSupersedesAndArrivesInOrder() async throws {
        let harness = try await EngineHarness()
        try await harness.submit(Self.notice("e1"))
        #expect(try await harness.waitUntilSettled())
        try await harness.submit(Self.notice("e1", title: "关于开展2026年森林防火宣传月活动的通知（更正）"))
        #expect(try await harness.waitUntilSettled())
        let record = try #require(try await harness.delivery("e1"))
        #expect(record.deliveredVersion == 2)
        #expect(harness.simulator.shown(itemID: "e1") == .published(version: 2, contentHash: try await harness.store.item(id: "e1")?.contentHash))
        let versions = harness.simulator.received().filter { $0.itemID == "e1" }.map(\.version)
        #expect(versions == versions.sorted())
        try await harness.shutdown()
    }

    @Test func withdrawalPropagates() async throws {
        let harness = try await EngineHarness()
        try await harness.submit(Self.notice("w1"))
        #expect(try await harness.waitUntilSettled())
        _ = try await harness.console.withdraw(itemID: "w1", reason: "政策已废止")
        harness.engine.nudge()
        #expect(try await harness.waitUntilSettled())
        #expect(try await harness.delivery("w1")?.state == .withdrawn)
        #expect(harness.simulator.shown(itemID: "w1") == .withdrawn(version: 1, reason: "政策已废止"))
        try await harness.shutdown()
    }

    @Test func resendAndRecoverBringDeadDeliveriesBack() async throws {
        let harness = try await EngineHarness(faults: WebhookFaults(permanentItemIDs: ["d1", "d2", "d3"]))
        try await harness.submit(Self.notice("d1"), Self.notice("d2"), Self.notice("d3"))
        #expect(try await harness.waitUntilSettled())
        #expect(try await harness.store.deliveries(DeliveryFilter(states: [.dead])).count == 3)
        harness.simulator.setFaults(.none)
        let resent = try await harness.console.resend(itemID: "d1", channelID: "hub", force: false)
        #expect(resent.count == 1)
        let recovered = try await harness.console.recover(channelID: "hub", states: [.dead], since: nil)
        #expect(recovered == 2)
        harness.engine.nudge()
        #expect(try await harness.waitUntilSettled())
        #expect(try await harness.store.deliveries(DeliveryFilter(states: [.delivered])).count == 3)
        let attempts = try await harness.store.attempts(itemID: "d2", channelID: "hub")
        #expect(attempts.map(\.trigger) == ["scheduled", "manual"])
        try await harness.shutdown()
    }

    @Test func droppedConnectionsAndTimeoutsAreRetriedAndCounted() async throws {
        let harness = try await EngineHarness(
            // A 2 s deadline: under the full suite an ordinary local answer has taken over 500 ms,
            // which made a third retry and a second duplicate (clean-clone CI, 2026-12-03).
            faults: WebhookFaults(script: [.drop, .slow(.milliseconds(4_000))]), timeout: 2_000)
        try await harness.submit(Self.notice("x1"), Self.notice("x2"))
        #expect(try await harness.waitUntilSettled())
        #expect(try await harness.store.deliveries(DeliveryFilter(states: [.delivered])).count == 2)
        let outcomes = try await harness.store.attempts(itemID: "x1", channelID: "hub").map(\.outcome)
            + harness.store.attempts(itemID: "x2", channelID: "hub").map(\.outcome)
        // The drop and the slow answer each cost one retry; the slow answer arrived after our
        // deadline, so the receiver saw that event twice, same webhook-id. An ordinary answer
        // that a loaded machine delays past the deadline costs one more retry and one more
        // duplicate (seen once with two busy loops beside the full suite, 2026-12-07).
        let retried = outcomes.filter { $0 == "retryable" }.count
        #expect(retried >= 2, "\(outcomes)")
        #expect(harness.simulator.duplicateCount == retried - 1, "\(outcomes)")
        try await harness.shutdown()
    }

    @Test func stoppingDrainsInFlightSendsAndLeavesNothingLeased() async throws {
        let harness = try await EngineHarness(
            faults: WebhookFaults(slowRate: 1, slowDelay: .milliseconds(300)))
        try await harness.submit(Self.notice("s1"), Self.notice("s2"), Self.notice("s3"), Self.notice("s4"), Self.notice("s5"))
        #expect(await harness.simulator.waitUntil(acceptedCount: 1, timeout: .seconds(10)))
        try await harness.shutdown()
        #expect(try await harness.store.deliveries(DeliveryFilter(states: [.sending])).isEmpty)
        let delivered = try await harness.store.deliveries(DeliveryFilter(states: [.delivered])).count
        #expect(delivered >= 1)
    }
}
