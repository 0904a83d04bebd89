import GongkaiSimulators
import Testing

@Suite("WebhookSimulator state")
struct WebhookStateTests {
    @Test func withdrawalChangesWhatIsShown() async throws {
        try await SimulatorHarness.run { harness in
            let first = try await harness.post(TestEvents.published(itemID: "item-1", version: 1, contentHash: "h1")).status
            #expect(first == 200)
            #expect(harness.simulator.shown(itemID: "item-1") == .published(version: 1, contentHash: "h1"))
            let second = try await harness.post(TestEvents.published(itemID: "item-1", version: 2, contentHash: "h2")).status
            #expect(second == 200)
            #expect(harness.simulator.shown(itemID: "item-1") == .published(version: 2, contentHash: "h2"))

            let reply = try await harness.post(TestEvents.withdrawn(itemID: "item-1", version: 2, reason: "expired"))
            #expect(reply.status == 200)
            #expect(harness.simulator.shown(itemID: "item-1") == .withdrawn(version: 2, reason: "expired"))
            #expect(harness.simulator.count(itemID: "item-1", version: 2, type: .withdrawn) == 1)
            #expect(harness.simulator.received().map(\.type) == [.published, .published, .withdrawn])
            #expect(harness.simulator.received().last?.reason == "expired")
        }
    }

    @Test func countsDuplicatesWithoutDeduping() async throws {
        try await SimulatorHarness.run { harness in
            let body = TestEvents.published(itemID: "item-dup", version: 3)
            for _ in 0..<3 {
                let status = try await harness.post(body, webhookID: "msg_same").status
                #expect(status == 200)
            }
            let status = try await harness.post(body, webhookID: "msg_other").status
            #expect(status == 200)
            #expect(harness.simulator.acceptedCount == 4)
            #expect(harness.simulator.duplicateCount == 2)
            #expect(harness.simulator.count(itemID: "item-dup", version: 3, type: .published) == 4)
            #expect(harness.simulator.count(itemID: "item-dup", version: 3, type: .withdrawn) == 0)
        }
    }

    @Test func waitsForConcurrentDeliveries() async throws {
        try await SimulatorHarness.run { harness in
            let total = 200
            async let reached = harness.simulator.waitUntil(acceptedCount: total, timeout: .seconds(30))
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<total {
                    group.addTask { try await harness.post(TestEvents.published(itemID: "item-\(index)")).status }
                }
                for try await status in group {
                    #expect(status == 200)
                }
            }
            #expect(await reached)
            let received = harness.simulator.received()
            #expect(received.count == total)
            #expect(Set(received.map(\.itemID)).count == total)
            #expect(harness.simulator.duplicateCount == 0)
        }
    }

    @Test func waitingTimesOutWhenNothingArrives() async throws {
        try await SimulatorHarness.run { harness in
            let clock = ContinuousClock()
            let start = clock.now
            #expect(await !harness.simulator.waitUntil(acceptedCount: 1, timeout: .milliseconds(100)))
            // Far above the 100 ms asked for: only a wait that never ends fails, not a loaded machine.
            #expect(clock.now - start < .seconds(30))
            #expect(await harness.simulator.waitUntil(acceptedCount: 0, timeout: .milliseconds(1)))
        }
    }

    @Test func cancelledWaitReturnsFalse() async throws {
        try await SimulatorHarness.run { harness in
            let waiter = Task { await harness.simulator.waitUntil(acceptedCount: 1, timeout: .seconds(60)) }
            waiter.cancel()
            #expect(await waiter.value == false)
        }
    }

    @Test func resetForgetsEverything() async throws {
        try await SimulatorHarness.run { harness in
            _ = try await harness.post(TestEvents.published(itemID: "item-1"), webhookID: "msg_1")
            _ = try await harness.post(TestEvents.published(itemID: "item-1"), webhookID: "msg_1")
            _ = try await harness.post("nope")
            harness.simulator.reset()
            #expect(harness.simulator.acceptedCount == 0)
            #expect(harness.simulator.duplicateCount == 0)
            #expect(harness.simulator.rejectedCounts.isEmpty)
            #expect(harness.simulator.received().isEmpty)
            #expect(harness.simulator.shown(itemID: "item-1") == nil)

            // The same webhook id is new again after a reset.
            _ = try await harness.post(TestEvents.published(itemID: "item-1"), webhookID: "msg_1")
            #expect(harness.simulator.duplicateCount == 0)
        }
    }

    @Test func keepsNoBodiesWhenRecordingIsOff() async throws {
        try await SimulatorHarness.run(recordBodies: false) { harness in
            let body = TestEvents.published(itemID: "item-1")
            let status = try await harness.post(body).status
            #expect(status == 200)
            let delivery = try #require(harness.simulator.received().first)
            #expect(delivery.body == nil)
            #expect(delivery.bodyByteCount == body.utf8.count)
        }
    }

    @Test func reportsItsURLAndRefusesASecondStart() async throws {
        try await SimulatorHarness.run { harness in
            let port = try #require(harness.simulator.port)
            #expect(port > 0)
            #expect(harness.simulator.url == "http://127.0.0.1:\(port)/hook")
            await #expect(throws: (any Error).self) { try await harness.simulator.start() }
        }
    }
}
