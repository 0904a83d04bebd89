import AsyncHTTPClient
import GongkaiSimulators
import Testing
import NIOCore
import NIOHTTP1

@Suite("WebhookSimulator faults")
struct WebhookFaultTests {
    @Test func answersServerErrorsAtFullRate() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(serverErrorRate: 1.0))
            var statuses: Set<Int> = []
            for index in 0..<30 {
                let reply = try await harness.post(TestEvents.published(itemID: "item-\(index)"))
                #expect([500, 502, 503].contains(reply.status))
                statuses.insert(reply.status)
            }
            #expect(statuses.count > 1, "the 5xx status should vary")
            #expect(harness.simulator.acceptedCount == 0)
            #expect(harness.simulator.received().isEmpty)
            #expect(harness.simulator.rejectedCounts == ["fault-server-error": 30])

            harness.simulator.setFaults(.none)
            let status = try await harness.post(TestEvents.published(itemID: "item-ok")).status
            #expect(status == 200)
        }
    }

    @Test func throttlesWithRetryAfter() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(throttleRate: 1.0, retryAfterSeconds: 7))
            let reply = try await harness.post(TestEvents.published(itemID: "item-1"))
            #expect(reply.status == 429)
            #expect(reply.headers.first(name: "retry-after") == "7")
            #expect(harness.simulator.rejectedCounts == ["fault-throttled": 1])
            #expect(harness.simulator.acceptedCount == 0)
        }
    }

    @Test func answersGoneUntilTheEndpointIsBack() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(gone: true))
            for index in 0..<3 {
                let reply = try await harness.post(TestEvents.published(itemID: "item-\(index)"))
                #expect(reply.status == 410)
            }
            #expect(harness.simulator.rejectedCounts == ["fault-gone": 3])
            #expect(harness.simulator.acceptedCount == 0)
            harness.simulator.setFaults(WebhookFaults(script: [.gone]))
            #expect(try await harness.post(TestEvents.published(itemID: "item-a")).status == 410)
            #expect(try await harness.post(TestEvents.published(itemID: "item-b")).status == 200)
        }
    }

    @Test func rejectsPermanentlyAtFullRate() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(permanentRate: 1.0))
            let reply = try await harness.post(TestEvents.published(itemID: "item-1"))
            #expect(reply.status == 422)
            #expect(reply.body == #"{"error":"rejected by platform validation"}"#)
            #expect(harness.simulator.acceptedCount == 0)
        }
    }

    @Test func rejectsListedItemsAlways() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(permanentItemIDs: ["item-bad"]))
            for _ in 0..<3 {
                let bad = try await harness.post(TestEvents.published(itemID: "item-bad")).status
                #expect(bad == 422)
                let good = try await harness.post(TestEvents.published(itemID: "item-good")).status
                #expect(good == 200)
            }
            #expect(harness.simulator.shown(itemID: "item-bad") == nil)
            #expect(harness.simulator.count(itemID: "item-good", version: 1, type: .published) == 3)
            #expect(harness.simulator.rejectedCounts == ["fault-permanent": 3])
        }
    }

    @Test func dropsTheConnectionWithoutAnswer() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(dropRate: 1.0))
            let error = await #expect(throws: HTTPClientError.self) {
                try await harness.post(TestEvents.published(itemID: "item-1"), timeout: .seconds(10))
            }
            #expect(error == .remoteConnectionClosed)
            #expect(harness.simulator.acceptedCount == 0)
            #expect(harness.simulator.rejectedCounts == ["fault-dropped": 1])
        }
    }

    @Test func answersLateButRecordsFirst() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(slowRate: 1.0, slowDelay: .seconds(30)))
            let error = await #expect(throws: HTTPClientError.self) {
                try await harness.post(TestEvents.published(itemID: "item-slow"), timeout: .milliseconds(300))
            }
            #expect(error == .deadlineExceeded)
            // The platform kept it even though the client gave up.
            #expect(await harness.simulator.waitUntil(acceptedCount: 1, timeout: .seconds(5)))
            #expect(harness.simulator.shown(itemID: "item-slow") == .published(version: 1, contentHash: "9f86d081884c7d65"))
        }
    }

    @Test func slowAnswerArrivesWithinALongerDeadline() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(WebhookFaults(slowRate: 1.0, slowDelay: .milliseconds(200)))
            let clock = ContinuousClock()
            let start = clock.now
            let reply = try await harness.post(TestEvents.published(itemID: "item-slow"))
            #expect(reply.status == 200)
            #expect(clock.now - start >= .milliseconds(200))
        }
    }

    @Test func playsAScriptInOrderThenFallsBackToRates() async throws {
        try await SimulatorHarness.run { harness in
            harness.simulator.setFaults(
                WebhookFaults(script: [
                    .serverError(status: 502), .throttle(retryAfterSeconds: 3), .permanent, .accept, .drop,
                    .serverError(), .accept,
                ])
            )
            var outcomes: [String] = []
            for index in 0..<9 {
                do {
                    let reply = try await harness.post(TestEvents.published(itemID: "item-\(index)"))
                    let retryAfter = reply.headers.first(name: "retry-after").map { "/\($0)" } ?? ""
                    outcomes.append("\(reply.status)\(retryAfter)")
                } catch let error as HTTPClientError where error == .remoteConnectionClosed {
                    outcomes.append("dropped")
                }
            }
            #expect(outcomes == ["502", "429/3", "422", "200", "dropped", "503", "200", "200", "200"])
            #expect(harness.simulator.received().map(\.itemID) == ["item-3", "item-6", "item-7", "item-8"])
        }
    }
}
