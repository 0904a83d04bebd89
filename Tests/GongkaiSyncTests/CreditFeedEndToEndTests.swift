import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiSimulators
import GongkaiStore
import GongkaiSync
import Logging
import Synchronization
import Testing

/// The outbox end to end over real HTTP on 127.0.0.1: a 吊销 penalty goes to
/// the credit-feed simulator (government audience, the full record) and to a
/// public Standard Webhooks subscriber (masked) at once (issue 11 §1).
@Suite("End to end: engine → credit feed (双公示) and a public webhook")
struct CreditFeedEndToEndTests {
    @Test("a 吊销 penalty on an organisation without a credit code reaches the feed with CF_NR_ZKDX, GSZC and CF_FR_*")
    func revocationReachesTheFeed() async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let feed = CreditFeedSimulator(apiToken: "credit-token-e2e", logger: logger)
        try await feed.start()
        let secret = StandardWebhookSecret.generate()
        let hub = WebhookSimulator(secret: secret, logger: logger)
        try await hub.start()
        let store = try SQLiteOutboxStore.inMemory()
        let retry = try RetrySchedule(delays: [100, 200], jitter: 0, minimumThrottleDelay: 100, maximumRetryAfter: 1_000)
        let definitions = [
            ChannelDefinition(
                id: "credit-feed", kind: .creditFeed, endpoint: feed.baseURL,
                credentials: ["apiToken": .environment("CREDIT_TOKEN")], audience: .government,
                routing: RoutingRule(kinds: [.licence, .penalty]), retry: retry, timeout: 5_000),
            ChannelDefinition(
                id: "hub", kind: .webhook, endpoint: hub.url, secret: .environment("HUB_SECRET"), retry: retry,
                timeout: 5_000),
        ]
        let environment = ["CREDIT_TOKEN": "credit-token-e2e", "HUB_SECRET": secret.text]
        let runtimes = try definitions.map { definition in
            ChannelRuntime(definition: definition, adapter: try ChannelAdapterFactory.make(definition, environment: environment))
        }
        let pulse = Pulse()
        let engine = DeliveryEngine(
            store: store, channels: runtimes,
            configuration: EngineConfiguration(workerID: "test-worker", pollInterval: 50), logger: logger,
            onRecorded: { _, _ in pulse.fire() })
        let run = Task { try await engine.run() }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                pulse.fire()
            }
        }

        let item = SampleDisclosures.revocationOnOrganisation
        let console = OutboxConsole(store: store, channels: definitions, actor: "tester")
        _ = try await console.submit([item])
        engine.nudge()
        let deadline = ContinuousClock.now + .seconds(20)
        var settled = false
        while ContinuousClock.now < deadline {
            let seen = pulse.generation
            if try await store.deliveries(DeliveryFilter(states: [.pending, .sending, .retrying])).isEmpty {
                settled = true
                break
            }
            await pulse.wait(after: seen)
        }
        #expect(settled)

        let deliveries = try await store.deliveries(DeliveryFilter(itemID: item.id))
        #expect(Set(deliveries.map(\.channelID)) == ["credit-feed", "hub"])
        #expect(deliveries.allSatisfy { $0.state == .delivered })
        let record = try #require(feed.record(itemID: item.id))
        #expect(record.type == "CF")
        #expect(record.fields["CF_CFLB"] == "罚款;吊销许可证件")
        #expect(record.fields["CF_NR_ZKDX"] == "木材经营加工许可证（吉林草木加〔2024〕0375号）")
        #expect(record.fields["CF_XDR_GSZC"] == "220621000031572")
        #expect(record.fields["CF_XDR_SHXYM"] == nil)
        #expect(record.fields["CF_FRDB"] == "王振山")
        #expect(record.fields["CF_FR_ZJLX"] == "001")
        #expect(record.fields["CF_FR_ZJHM"] == "220621197506140316")
        #expect(feed.rejectedCounts.isEmpty)
        // The public subscriber got the item with the legal representative's number masked.
        let event = try #require(hub.received().first { $0.itemID == item.id })
        let body = try #require(event.body)
        #expect(body.contains("220621********0316"))
        #expect(!body.contains("220621197506140316"))
        #expect(body.contains("木材经营加工许可证（吉林草木加〔2024〕0375号）"))

        engine.stop()
        try await run.value
        ticker.cancel()
        await hub.stop()
        await feed.stop()
    }
}
