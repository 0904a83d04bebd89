import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiChannels
import GongkaiCore
import GongkaiStore
import GongkaiSync
import Logging
import NIOCore
import Synchronization
import Testing

/// What the engine promises adapters beyond one request per delivery: whole
/// batches for batch platforms, and asynchronous publishes carried across attempts.
@Suite("Engine ↔ adapter: batches and asynchronous publishes")
struct EngineAdapterContractTests {
    /// Records what it is asked; answers per a rule. Stands in for a platform
    /// whose own adapter is tested against its simulator elsewhere.
    final class ScriptedAdapter: ChannelAdapter {
        let channelID: String
        let batchSize: Int
        var capabilities: ChannelCapabilities { [.publish, .withdraw] }
        let batches = Mutex<[[String]]>([])
        let requests = Mutex<[DeliveryRequest]>([])
        let answer: @Sendable (DeliveryRequest) -> Result<DeliveryReceipt, DeliveryError>

        init(
            channelID: String, batchSize: Int,
            answer: @escaping @Sendable (DeliveryRequest) -> Result<DeliveryReceipt, DeliveryError>
        ) {
            self.channelID = channelID
            self.batchSize = batchSize
            self.answer = answer
        }

        func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
            requests.withLock { $0.append(request) }
            return try answer(request).get()
        }

        func deliverBatch(_ requests: [DeliveryRequest], deadline: NIODeadline) async
            -> [Result<DeliveryReceipt, DeliveryError>]
        {
            batches.withLock { $0.append(requests.map(\.itemID)) }
            self.requests.withLock { $0.append(contentsOf: requests) }
            return requests.map(answer)
        }

        func shutdown() async {}
    }

    static func run(
        _ adapter: ScriptedAdapter, items: [DisclosureItem], until condition: @escaping @Sendable (SQLiteOutboxStore) async throws -> Bool
    ) async throws -> SQLiteOutboxStore {
        let store = try SQLiteOutboxStore.inMemory()
        let definition = ChannelDefinition(
            id: adapter.channelID, kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("UNUSED"),
            retry: try RetrySchedule(delays: [50, 100], jitter: 0, minimumThrottleDelay: 50), concurrency: 2)
        let console = OutboxConsole(store: store, channels: [definition], actor: "tester")
        _ = try await console.submit(items)
        let pulse = Pulse()
        let engine = DeliveryEngine(
            store: store, channels: [ChannelRuntime(definition: definition, adapter: adapter)],
            configuration: EngineConfiguration(workerID: "w", pollInterval: 20),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onRecorded: { _, _ in pulse.fire() })
        let task = Task { try await engine.run() }
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let seen = pulse.generation
            if try await condition(store) { break }
            let tick = Task {
                try? await Task.sleep(for: .milliseconds(100))
                pulse.fire()
            }
            await pulse.wait(after: seen)
            tick.cancel()
        }
        engine.stop()
        try await task.value
        return store
    }

    static func notices(_ count: Int) -> [DisclosureItem] {
        (0..<count).map { index in
            var item = SampleDisclosures.notice
            item.id = "n\(index)"
            item.title += "（第\(index)号）"
            return item
        }
    }

    @Test func aBatchPlatformGetsWholeBatchesAndEachRecordItsOwnResult() async throws {
        let adapter = ScriptedAdapter(channelID: "feed", batchSize: 4) { request in
            request.itemID == "n3"
                ? .failure(DeliveryError(SendFailure(permanent: true, message: "CF_XDR_SHXYM 校验位错误"), channelID: "feed"))
                : .success(DeliveryReceipt(remoteID: "rec-" + request.itemID))
        }
        let store = try await Self.run(adapter, items: Self.notices(10)) { store in
            try await store.deliveries(DeliveryFilter(states: [.pending, .sending, .retrying])).isEmpty
        }
        let batches = adapter.batches.withLock { $0 }
        #expect(batches.allSatisfy { $0.count <= 4 })
        #expect(batches.flatMap { $0 }.sorted() == Self.notices(10).map(\.id).sorted())
        #expect(batches.count < 10)
        let rows = try await store.deliveries(DeliveryFilter())
        #expect(rows.filter { $0.state == .delivered }.count == 9)
        let bad = try #require(rows.first { $0.itemID == "n3" })
        #expect(bad.state == .dead)
        #expect(bad.lastError?.contains("CF_XDR_SHXYM") == true)
    }

    @Test func anInProgressPublishIsCheckedAgainWithItsHandle() async throws {
        let adapter = ScriptedAdapter(channelID: "wechat", batchSize: 1) { request in
            if let remoteID = request.remoteID, remoteID.hasPrefix("publish:") {
                return .success(DeliveryReceipt(remoteID: "article-9", remoteURL: "https://mp.weixin.qq.com/s/9"))
            }
            return .success(.inProgress(remoteID: "publish:v1:77", checkAfter: 30))
        }
        let store = try await Self.run(adapter, items: Self.notices(1)) { store in
            try await store.deliveries(DeliveryFilter(states: [.delivered])).count == 1
        }
        let requests = adapter.requests.withLock { $0 }
        #expect(requests.map(\.remoteID) == [nil, "publish:v1:77"])
        let row = try #require(try await store.deliveries(DeliveryFilter()).first)
        #expect(row.remoteID == "article-9")
        #expect(row.remoteURL == "https://mp.weixin.qq.com/s/9")
        let attempts = try await store.attempts(itemID: "n0", channelID: "wechat")
        #expect(attempts.map(\.outcome) == ["in-progress", "ok"])
    }
}
