import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import GongkaiStore
import GongkaiSync
import Logging
import Testing

/// A platform that is down for one daemon is down for all: the breaker one
/// engine opens is recorded in the store, another engine on the same outbox
/// holds off until it would let a probe through, and the record clears when
/// the platform answers again.
@Suite("Circuit breaker shared through the store")
struct SharedBreakerTests {
    @Test(.timeLimit(.minutes(1))) func anotherEngineHoldsOffWhileOnesBreakerIsOpen() async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let secret = StandardWebhookSecret.generate()
        let simulator = WebhookSimulator(secret: secret, logger: logger)
        try await simulator.start()
        simulator.setFaults(WebhookFaults(serverErrorRate: 1))
        let store = try SQLiteOutboxStore.inMemory()
        let definition = ChannelDefinition(
            id: "hub", kind: .webhook, endpoint: simulator.url, secret: .environment("TEST_SECRET"),
            retry: try RetrySchedule(delays: [50, 50, 50, 50, 50, 50], jitter: 0, minimumThrottleDelay: 50),
            concurrency: 2, timeout: 2_000, breakerFailureThreshold: 3, breakerOpenDuration: 60_000)
        func engine(_ worker: String, pulse: Pulse) throws -> DeliveryEngine {
            let adapter = try ChannelAdapterFactory.make(definition, environment: ["TEST_SECRET": secret.text])
            return DeliveryEngine(
                store: store, channels: [ChannelRuntime(definition: definition, adapter: adapter)],
                configuration: EngineConfiguration(workerID: worker, pollInterval: 20), logger: logger,
                onRecorded: { _, _ in pulse.fire() })
        }
        let console = OutboxConsole(store: store, channels: [definition], actor: "tester")
        _ = try await console.submit(SampleDisclosures.generated(count: 10, seed: 3))

        let pulseA = Pulse()
        let a = try engine("a", pulse: pulseA)
        let runA = Task { try await a.run() }
        // Await engine a's failures until its breaker is on record.
        var opened: ChannelBreakerState?
        while opened == nil {
            let seen = pulseA.generation
            opened = try await store.openBreakers().first
            if opened == nil { await pulseA.wait(after: seen) }
        }
        #expect(opened?.openedBy == "a" && opened?.channelID == "hub")
        let requestsBefore = simulator.rejectedCounts.values.reduce(0, +)

        // Engine b starts while a's breaker is open: it sends nothing at all.
        let b = try engine("b", pulse: Pulse())
        let runB = Task { try await b.run() }
        try await Task.sleep(for: .milliseconds(400))  // about twenty of b's polls, in which nothing may happen
        var attemptsByB = 0
        for row in try await store.deliveries(DeliveryFilter()) {
            attemptsByB += try await store.attempts(itemID: row.itemID, channelID: "hub").filter { $0.worker == "b" }.count
        }
        #expect(attemptsByB == 0)
        #expect(simulator.rejectedCounts.values.reduce(0, +) == requestsBefore)

        // The operator's view names who opened it.
        let view = ChannelView(definition, pause: nil, breaker: opened, now: SystemWallClock().now())
        #expect(view.breakerOpenedBy == "a" && view.breakerOpenUntil != nil)

        a.stop()
        b.stop()
        try await runA.value
        try await runB.value
        await simulator.stop()
    }
}
