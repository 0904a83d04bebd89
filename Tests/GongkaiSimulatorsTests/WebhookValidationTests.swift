import GongkaiCore
import GongkaiSimulators
import Testing

@Suite("WebhookSimulator validation")
struct WebhookValidationTests {
    @Test func acceptsAndRecordsASignedDelivery() async throws {
        try await SimulatorHarness.run { harness in
            let body = TestEvents.published(itemID: "item-1", version: 2, contentHash: "abc123")
            let reply = try await harness.post(body, webhookID: "msg_valid")
            #expect(reply.status == 200)
            #expect(reply.body == #"{"ok":true}"#)
            #expect(await harness.simulator.waitUntil(acceptedCount: 1, timeout: .seconds(5)))

            let received = harness.simulator.received()
            #expect(received.count == 1)
            let delivery = try #require(received.first)
            #expect(delivery.webhookID == "msg_valid")
            #expect(delivery.type == .published)
            #expect(delivery.itemID == "item-1")
            #expect(delivery.version == 2)
            #expect(delivery.contentHash == "abc123")
            #expect(delivery.channel == "gov-portal")
            #expect(delivery.bodyByteCount == body.utf8.count)
            #expect(delivery.body == body)
            #expect(abs(delivery.receivedAt / 1000 - SimulatorHarness.now()) < 60)
            #expect(harness.simulator.shown(itemID: "item-1") == .published(version: 2, contentHash: "abc123"))
            #expect(harness.simulator.shown(itemID: "item-unknown") == nil)
            #expect(harness.simulator.count(itemID: "item-1", version: 2, type: .published) == 1)
            #expect(harness.simulator.acceptedCount == 1)
            #expect(harness.simulator.rejectedCounts.isEmpty)
        }
    }

    @Test func acceptsAHeaderWithSeveralSignatures() async throws {
        try await SimulatorHarness.run { harness in
            let body = TestEvents.published(itemID: "item-rotated")
            let timestamp = SimulatorHarness.now()
            let old = StandardWebhookSecret.generate().signature(id: "msg_r", timestamp: timestamp, body: Array(body.utf8))
            let current = harness.secret.signature(id: "msg_r", timestamp: timestamp, body: Array(body.utf8))
            let reply = try await harness.post(body, webhookID: "msg_r", timestamp: timestamp, signature: "\(old) \(current)")
            #expect(reply.status == 200)
        }
    }

    @Test func rejectsABadSignature() async throws {
        try await SimulatorHarness.run { harness in
            let body = TestEvents.published(itemID: "item-1")
            let forged = StandardWebhookSecret.generate().signature(id: "msg_1", timestamp: SimulatorHarness.now(), body: Array(body.utf8))
            let reply = try await harness.post(body, webhookID: "msg_1", signature: forged)
            #expect(reply.status == 401)
            #expect(reply.body == #"{"error":"invalid signature"}"#)
            #expect(harness.simulator.acceptedCount == 0)
            #expect(harness.simulator.rejectedCounts == ["invalid-signature": 1])
        }
    }

    // Well past the 300 s default, so a second ticking over between signing and checking cannot pass it.
    @Test(arguments: [-320, 320, -86_400])
    func rejectsAStaleTimestamp(offsetSeconds: Int64) async throws {
        try await SimulatorHarness.run { harness in
            // Signed correctly, so only the clock check can refuse it.
            let reply = try await harness.post(
                TestEvents.published(itemID: "item-1"), timestamp: SimulatorHarness.now() + offsetSeconds
            )
            #expect(reply.status == 401)
            #expect(reply.body == #"{"error":"stale timestamp"}"#)
            #expect(harness.simulator.rejectedCounts == ["stale-timestamp": 1])
        }
    }

    @Test func honoursAConfiguredTolerance() async throws {
        try await SimulatorHarness.run(toleranceSeconds: 3600) { harness in
            let reply = try await harness.post(TestEvents.published(itemID: "item-1"), timestamp: SimulatorHarness.now() - 1800)
            #expect(reply.status == 200)
        }
    }

    @Test(arguments: ["webhook-id", "webhook-timestamp", "webhook-signature"])
    func rejectsAMissingHeader(header: String) async throws {
        try await SimulatorHarness.run { harness in
            let reply = try await harness.post(TestEvents.published(itemID: "item-1"), omitting: header)
            #expect(reply.status == 400)
            #expect(reply.body == #"{"error":"missing header \#(header)"}"#)
            #expect(harness.simulator.rejectedCounts == ["missing-header": 1])
        }
    }

    @Test(arguments: [
        ("not json at all", "malformed JSON body"),
        ("", "malformed JSON body"),
        (#"{"type":"disclosure.published","data":{"itemId":"x","version":"two"}}"#, "malformed JSON body"),
        (#"{"data":{"itemId":"x","version":1}}"#, "missing field type"),
        (#"{"type":"disclosure.updated","data":{"itemId":"x","version":1}}"#, "unknown event type"),
        (#"{"type":"disclosure.published"}"#, "missing field data.itemId"),
        (#"{"type":"disclosure.published","data":{"version":1}}"#, "missing field data.itemId"),
        (#"{"type":"disclosure.withdrawn","data":{"itemId":"x"}}"#, "missing field data.version"),
    ])
    func rejectsAMalformedBody(body: String, message: String) async throws {
        try await SimulatorHarness.run { harness in
            let reply = try await harness.post(body)
            #expect(reply.status == 400)
            #expect(reply.body == #"{"error":"\#(message)"}"#)
            #expect(harness.simulator.rejectedCounts == ["malformed-body": 1])
            #expect(harness.simulator.received().isEmpty)
        }
    }

    @Test func rejectsAnOversizedBody() async throws {
        try await SimulatorHarness.run(maxBodyBytes: 1024) { harness in
            let big = TestEvents.published(itemID: "item-big", title: String(repeating: "长", count: 2000))
            let reply = try await harness.post(big)
            #expect(reply.status == 413)
            #expect(harness.simulator.rejectedCounts == ["oversized": 1])

            // The connection stays usable and small bodies still pass.
            let small = try await harness.post(TestEvents.published(itemID: "item-small"))
            #expect(small.status == 200)
        }
    }
}
