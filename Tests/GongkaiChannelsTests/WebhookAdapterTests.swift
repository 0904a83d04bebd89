import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import Testing

/// The Standard Webhooks sender rules (spec/standard-webhooks.md, "Delivery success
/// and failure") against the webhook simulator over real HTTP.
@Suite("Standard Webhooks sender rules")
struct WebhookAdapterTests {
    static let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// An adapter posting to a fresh simulator; both stopped afterwards, also when `body` throws.
    static func with(_ body: (WebhookAdapter, WebhookSimulator) async throws -> Void) async throws {
        let secret = try StandardWebhookSecret(secretText)
        let simulator = WebhookSimulator(secret: secret, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await simulator.start()
        let definition = ChannelDefinition(id: "hook", kind: .webhook, endpoint: simulator.url, secret: .environment("X"))
        let adapter = WebhookAdapter(definition: definition, secret: secret, client: HTTPClient())
        do {
            try await body(adapter, simulator)
        } catch {
            await adapter.shutdown()
            await simulator.stop()
            throw error
        }
        await adapter.shutdown()
        await simulator.stop()
    }

    static func failure(_ adapter: WebhookAdapter) async -> DeliveryError? {
        let item = SampleDisclosures.notice
        let prepared = PreparedItem(item)
        let request = DeliveryRequest(
            itemID: item.id, version: 1, channelID: "hook", operation: .publish, contentHash: prepared.contentHash,
            document: prepared.publicDocument, canonicalURL: nil)
        do throws(DeliveryError) {
            _ = try await adapter.deliver(request, deadline: .now() + .seconds(5))
            return nil
        } catch {
            return error
        }
    }

    @Test("502 and 504 mean an overloaded receiver: retried as a throttle, not as a plain server error")
    func gatewayAnswersAreThrottles() async throws {
        // Before this change both were plain retryable 5xx, retried on the normal schedule at once.
        try await Self.with { adapter, simulator in
            simulator.setFaults(WebhookFaults(script: [.serverError(status: 502), .serverError(status: 504), .serverError(status: 500)]))
            let bad = await Self.failure(adapter)
            let timeout = await Self.failure(adapter)
            let plain = await Self.failure(adapter)
            #expect(bad?.failure.throttled == true)
            #expect(bad?.failure.permanent == false)
            #expect(timeout?.failure.throttled == true)
            #expect(plain?.failure.throttled == false)
            #expect(plain?.failure.permanent == false)
        }
    }

    @Test("410 Gone pauses the channel: a retryable failure with the reason, not a permanent one")
    func goneAnswerPausesTheChannel() async throws {
        // Before this change 410 was an ordinary 4xx: permanent, so each delivery died on its own.
        try await Self.with { adapter, simulator in
            simulator.setFaults(WebhookFaults(script: [.gone]))
            let gone = try #require(await Self.failure(adapter))
            #expect(gone.failure.pausesChannel)
            #expect(gone.failure.permanent == false)
            #expect(gone.httpStatus == 410)
            #expect(gone.failure.message.hasPrefix(WebhookAdapter.goneReason))
            #expect(simulator.rejectedCounts == ["fault-gone": 1])
            // A refusal of one item is no reason to stop the channel.
            simulator.setFaults(WebhookFaults(permanentItemIDs: [SampleDisclosures.notice.id]))
            let refused = try #require(await Self.failure(adapter))
            #expect(refused.failure.pausesChannel == false)
            #expect(refused.failure.permanent)
        }
    }

    @Test("the shipped channel file's timeout is within the specification's 15–30 s")
    func shippedTimeout() throws {
        let definitions = try ChannelFileLoader.load(directory: PublishingHarness.repositoryRoot.appendingPathComponent("channels").path)
        let webhook = try #require(definitions.first { $0.id == "open-data-webhook" })
        #expect((15_000...30_000).contains(webhook.timeout))
    }
}
