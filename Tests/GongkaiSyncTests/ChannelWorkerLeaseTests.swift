import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import GongkaiStore
@testable import GongkaiSync
import Logging
import Testing

/// Leases around the worker's claim-ahead queue: what it may hold, and what a
/// stop gives back.
@Suite("Channel worker leases")
struct ChannelWorkerLeaseTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func channel(_ id: String, url: String, concurrency: Int = 64, timeout: Int64 = 10_000) -> ChannelDefinition {
        ChannelDefinition(
            id: id, kind: .webhook, endpoint: url, secret: .environment("TEST_SECRET"), retry: EngineHarness.retry,
            concurrency: concurrency, timeout: timeout, breakerFailureThreshold: 100)
    }

    /// An engine over `definitions` (signed with `secret`), started on the items submitted first.
    static func startEngine(
        store: any OutboxStore, definitions: [ChannelDefinition], secret: StandardWebhookSecret,
        submitting items: [DisclosureItem], configuration: EngineConfiguration = EngineConfiguration(workerID: "w", pollInterval: 50),
        onRecorded: DeliveryEngine.Observer? = nil
    ) async throws -> (engine: DeliveryEngine, run: Task<Void, any Error>) {
        let engine = DeliveryEngine(
            store: store,
            channels: try definitions.map {
                ChannelRuntime(
                    definition: $0, adapter: try ChannelAdapterFactory.make($0, environment: ["TEST_SECRET": secret.text]))
            },
            configuration: configuration, logger: logger, onRecorded: onRecorded)
        if !items.isEmpty { _ = try await OutboxConsole(store: store, channels: definitions, actor: "t").submit(items) }
        return (engine, Task { try await engine.run() })
    }

    @Test func claimAheadIsBoundedByThePrefetchWindow() {
        let configuration = EngineConfiguration(workerID: "w")  // window 60 s, margin 5 s, claim batch 256
        func limit(_ definition: ChannelDefinition, batchSize: Int = 1) -> Int {
            ChannelWorker.prefetchLimit(definition: definition, configuration: configuration, batchSize: batchSize)
        }
        // 10 s requests: a queued delivery may wait 4 rounds and still be sent within 55 s.
        #expect(limit(Self.channel("a", url: "http://x", concurrency: 64)) == 256)
        #expect(limit(Self.channel("b", url: "http://x", concurrency: 16)) == 64)
        #expect(limit(Self.channel("c", url: "http://x", concurrency: 4, timeout: 2_000)) == 4 * 26)
        // A 30 s timeout leaves no round to spare; a 60 s one has a longer window but still none.
        #expect(limit(Self.channel("d", url: "http://x", timeout: 30_000)) == 0)
        #expect(limit(Self.channel("e", url: "http://x", timeout: 60_000)) == 0)
        // Rate-limited and batch channels count their tokens and batches at the claim: no queue.
        var limited = Self.channel("f", url: "http://x")
        limited.ratePerSecond = 10
        limited.rateBurst = 10
        #expect(limit(limited) == 0)
        #expect(limit(Self.channel("g", url: "http://x"), batchSize: 50) == 0)
    }

    /// A started webhook subscriber that answers every request only after `delay`.
    static func slowSubscriber(answeringAfter delay: Duration) async throws -> (StandardWebhookSecret, WebhookSimulator) {
        let secret = StandardWebhookSecret.generate()
        let simulator = WebhookSimulator(secret: secret, logger: Self.logger)
        try await simulator.start()
        simulator.setFaults(WebhookFaults(slowRate: 1, slowDelay: delay))
        return (secret, simulator)
    }

    @Test func aSendLongerThanTheLeaseKeepsItsRowWhileTheWorkerRenewsIt() async throws {
        // Fails on the old worker: the lease was stretched to the timeout plus 5 s instead of renewed.
        let (secret, simulator) = try await Self.slowSubscriber(answeringAfter: .seconds(6))
        let store = try SQLiteOutboxStore.inMemory()
        let definition = Self.channel("slow", url: simulator.url, concurrency: 1, timeout: 10_000)
        // Lapsing would take three renewals missed in a row: 2.25 s with the loop starved.
        let lease: Int64 = 3_000
        let (recorded, record) = AsyncStream.makeStream(of: Void.self)
        let observer: DeliveryEngine.Observer = { _, _ in record.yield() }
        // Two daemons on one store: the second takes the row the moment its lease lapses.
        let (first, firstRun) = try await Self.startEngine(
            store: store, definitions: [definition], secret: secret, submitting: [EndToEndTests.notice("long")],
            configuration: EngineConfiguration(workerID: "w1", leaseMillis: lease, pollInterval: 50), onRecorded: observer)
        let (second, secondRun) = try await Self.startEngine(
            store: store, definitions: [definition], secret: secret, submitting: [],
            configuration: EngineConfiguration(workerID: "w2", leaseMillis: lease, pollInterval: 50), onRecorded: observer)
        #expect(await simulator.waitUntil(acceptedCount: 1, timeout: .seconds(10)))
        let during = try #require(try await store.deliveries(DeliveryFilter(itemID: "long")).first)
        #expect(during.state == .sending)
        // The stored lease is the short one, not one stretched over the request timeout.
        #expect(try #require(during.leaseExpiresAt) <= SystemWallClock().now() + lease)
        // The first result written, by whichever daemon sent it.
        var results = recorded.makeAsyncIterator()
        _ = await results.next()
        first.stop()
        second.stop()
        try await firstRun.value
        try await secondRun.value
        await simulator.stop()

        // 6 s under a 3 s lease: renewed, so sent once, and no abandoned send in the log.
        #expect(simulator.acceptedCount == 1)
        let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "long")).first)
        #expect(row.state == .delivered && row.attemptCount == 1)
        #expect(try await store.attempts(itemID: "long", channelID: "slow").map(\.outcome) == ["ok"])
    }

    @Test func stoppingReleasesQueuedClaimsUntouched() async throws {
        // One send at a time, each answered after 400 ms: the rest wait in the claim-ahead queue.
        let (secret, simulator) = try await Self.slowSubscriber(answeringAfter: .milliseconds(400))
        let store = try SQLiteOutboxStore.inMemory()
        let definition = Self.channel("slow", url: simulator.url, concurrency: 1, timeout: 2_000)
        let (engine, run) = try await Self.startEngine(
            store: store, definitions: [definition], secret: secret, submitting: (1...6).map { EndToEndTests.notice("q\($0)") })
        #expect(await simulator.waitUntil(acceptedCount: 1, timeout: .seconds(10)))
        engine.stop()
        try await run.value
        await simulator.stop()

        let rows = try await store.deliveries(DeliveryFilter(channelID: "slow"))
        #expect(rows.count == 6)
        #expect(!rows.contains { $0.state == .sending || $0.leaseOwner != nil })
        let delivered = rows.filter { $0.state == .delivered }
        #expect(delivered.count == simulator.acceptedCount)
        // What was only queued goes back as if never claimed: pending, no attempt counted or logged.
        let released = rows.filter { $0.state == .pending }
        #expect(released.count == 6 - delivered.count)
        #expect(released.count >= 1)
        #expect(released.allSatisfy { $0.attemptCount == 0 })
        for row in released {
            #expect(try await store.attempts(itemID: row.itemID, channelID: "slow").isEmpty)
        }
    }

    @Test func oneChannelStoppingNeverReleasesAnotherChannelsSendInFlight() async throws {
        // Regression: a worker that finished first used to release every lease of the engine,
        // so the slow channel's answer found its row pending and the item was sent again later.
        let secret = StandardWebhookSecret.generate()
        let fast = WebhookSimulator(secret: secret, logger: Self.logger)
        let slow = WebhookSimulator(secret: secret, logger: Self.logger)
        try await fast.start()
        try await slow.start()
        slow.setFaults(WebhookFaults(slowRate: 1, slowDelay: .milliseconds(500)))
        let store = try SQLiteOutboxStore.inMemory()
        let definitions = [Self.channel("fast", url: fast.url), Self.channel("slow", url: slow.url, timeout: 3_000)]
        let (engine, run) = try await Self.startEngine(
            store: store, definitions: definitions, secret: secret, submitting: [EndToEndTests.notice("both")])
        // The slow platform has the request (it records on arrival, answers 500 ms later).
        #expect(await fast.waitUntil(acceptedCount: 1, timeout: .seconds(10)))
        #expect(await slow.waitUntil(acceptedCount: 1, timeout: .seconds(10)))
        engine.stop()
        try await run.value
        await fast.stop()
        await slow.stop()

        let rows = try await store.deliveries(DeliveryFilter(itemID: "both"))
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.state == .delivered && $0.attemptCount == 1 })
        #expect(try await store.attempts(itemID: "both", channelID: "slow").map(\.outcome) == ["ok"])
    }

    @Test(arguments: [false, true])
    func aFailingStoreIsRetriedWithBackOffAndNothingIsLost(twoStep: Bool) async throws {
        let secret = StandardWebhookSecret.generate()
        let simulator = WebhookSimulator(secret: secret, logger: Self.logger)
        try await simulator.start()
        let store = FlakyStore(base: try SQLiteOutboxStore.inMemory(), failures: 4, twoStep: twoStep)
        // The default 10 s timeout: at 2 s a send timed out once on a loaded CI machine (2026-12-06),
        // and this test counts attempts.
        let definition = Self.channel("hub", url: simulator.url, concurrency: 4)
        let (engine, run) = try await Self.startEngine(
            store: store, definitions: [definition], secret: secret, submitting: (1...3).map { EndToEndTests.notice("f\($0)") })
        #expect(await simulator.waitUntil(acceptedCount: 3, timeout: .seconds(20)))
        engine.stop()
        try await run.value
        await simulator.stop()

        // Four refused claims, each after a pause: a worker that spun on the failing store
        // would have used them up within a few milliseconds.
        let refusals = store.refusals
        #expect(refusals.count == 4)
        if let first = refusals.first, let last = refusals.last {
            #expect(last - first >= .milliseconds(3 * 250))
        }
        let rows = try await store.deliveries(DeliveryFilter(channelID: "hub"))
        #expect(rows.count == 3)
        #expect(
            rows.allSatisfy { $0.state == .delivered && $0.attemptCount == 1 },
            "\(rows.map { "\($0.itemID) \($0.state.rawValue) attempts=\($0.attemptCount) \($0.lastError ?? "")" })")
        // Every result written exactly once, also when a claim failed after its results were stored.
        for row in rows {
            let attempts = try await store.attempts(itemID: row.itemID, channelID: "hub")
            #expect(attempts.map(\.outcome) == ["ok"], "\(attempts.map { "\($0.outcome): \($0.error ?? "")" })")
        }
    }

    @Test func theTwoStepCombinedCallNeverRecordsResultsTwice() async throws {
        // Results stored, then the claim fails: the call must not throw, or the caller would
        // keep the results and write them again.
        let base = try SQLiteOutboxStore.inMemory()
        let store = FlakyStore(base: base, failures: 0, twoStep: true)
        let definition = Self.channel("hub", url: "http://127.0.0.1:9/hook")
        _ = try await OutboxConsole(store: store, channels: [definition], actor: "t")
            .submit([EndToEndTests.notice("t1"), EndToEndTests.notice("t2")])
        let now = SystemWallClock().now() + 1_000
        let claimed = try await store.completeAndClaim(
            [], channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 60_000, now: now)
        #expect(claimed.count == 1)
        let outcome = SendOutcome(
            deliveryID: claimed[0].record.id, itemID: claimed[0].record.itemID, channelID: "hub", operation: .publish,
            version: claimed[0].version, result: .delivered(remoteID: nil, remoteURL: nil), httpStatus: 200,
            startedAt: now + 1, durationMillis: 1, trigger: .scheduled, schedule: EngineHarness.retry, randomUnit: 0.5,
            canWithdraw: true)
        let failing = FlakyStore(base: base, failures: 1, twoStep: true)
        let next = try await failing.completeAndClaim(
            [outcome], channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 60_000, now: now + 2)
        #expect(next.isEmpty)
        #expect(failing.refusals.count == 1)
        #expect(try await base.deliveries(DeliveryFilter(itemID: claimed[0].record.itemID)).first?.state == .delivered)
        #expect(try await base.attempts(itemID: claimed[0].record.itemID, channelID: nil).count == 1)
    }
}
