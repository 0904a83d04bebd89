import CoreMetrics
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
import Synchronization

/// One outbox, one webhook simulator on 127.0.0.1:0 and a running engine,
/// for end-to-end tests over real HTTP. Progress is awaited through the
/// engine's observer, never by sleeping.
final class EngineHarness: Sendable {
    let store: SQLiteOutboxStore
    let simulator: WebhookSimulator
    let console: OutboxConsole
    let engine: DeliveryEngine
    let definition: ChannelDefinition
    /// The channel's signing secret, which nothing but the adapter may ever show.
    let secretText: String
    /// Fires whenever outcomes are recorded, and on a slow tick so a wait re-checks its condition.
    let pulse = Pulse()
    private let runTask: Mutex<Task<Void, any Error>?> = Mutex(nil)
    private let ticker: Mutex<Task<Void, Never>?> = Mutex(nil)

    static let retry = try! RetrySchedule(
        delays: [100, 200, 400], jitter: 0, minimumThrottleDelay: 100, maximumRetryAfter: 5_000)

    /// - Parameters:
    ///   - metrics: where the engine's instruments go (none by default).
    ///   - logger: the engine's logger (silent by default).
    init(
        faults: WebhookFaults = .none, timeout: Int64 = 2_000, retry: RetrySchedule = EngineHarness.retry,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger? = nil
    ) async throws {
        let logger = logger ?? Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let secret = StandardWebhookSecret.generate()
        secretText = secret.text
        simulator = WebhookSimulator(secret: secret, logger: logger)
        try await simulator.start()
        simulator.setFaults(faults)
        store = try SQLiteOutboxStore.inMemory()
        definition = ChannelDefinition(
            id: "hub", kind: .webhook, endpoint: simulator.url, secret: .environment("TEST_SECRET"), retry: retry,
            concurrency: 4, timeout: timeout, breakerFailureThreshold: 100)
        let adapter = try ChannelAdapterFactory.make(definition, environment: ["TEST_SECRET": secret.text])
        console = OutboxConsole(store: store, channels: [definition], actor: "tester")
        let pulse = pulse
        engine = DeliveryEngine(
            store: store, channels: [ChannelRuntime(definition: definition, adapter: adapter)],
            configuration: EngineConfiguration(workerID: "test-worker", pollInterval: 50), logger: logger,
            metrics: metrics, onRecorded: { _, _ in pulse.fire() })
        let engine = engine
        runTask.withLock { $0 = Task { try await engine.run() } }
        ticker.withLock {
            $0 = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    pulse.fire()
                }
            }
        }
    }

    func submit(_ items: DisclosureItem...) async throws {
        _ = try await console.submit(items)
        engine.nudge()
    }

    /// Awaits recorded outcomes until `condition` holds; false if the time limit passes first.
    @discardableResult
    func waitUntil(timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let seen = pulse.generation
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            await pulse.wait(after: seen)
        }
    }

    /// Waits until no delivery is pending, sending or retrying.
    func waitUntilSettled(timeout: Duration = .seconds(20)) async throws -> Bool {
        let store = store
        return try await waitUntil(timeout: timeout) {
            try await store.deliveries(DeliveryFilter(states: [.pending, .sending, .retrying])).isEmpty
        }
    }

    func delivery(_ itemID: String) async throws -> DeliveryRecord? {
        try await store.deliveries(DeliveryFilter(itemID: itemID, channelID: "hub")).first
    }

    func shutdown() async throws {
        engine.stop()
        let task = runTask.withLock { $0 }
        try await task?.value
        ticker.withLock { $0?.cancel() }
        await simulator.stop()
    }
}
