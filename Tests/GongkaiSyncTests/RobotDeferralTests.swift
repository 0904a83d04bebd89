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
import Testing

/// Issue 9: a robot channel whose `rateLimit` is far above the platform's
/// must not send items to `dead` by waiting for its own send window. Waiting
/// is a deferral, which spends no attempt, so a three-attempt schedule is
/// enough however long the queue.
///
/// Engine, adapter and simulator share one stepped clock, so the platform's
/// real one-minute window applies and both sides of the window see the same
/// instants; the test moves the clock only when the engine has nothing due
/// and nothing in flight.
@Suite("Group robots wait for their send window without spending attempts")
struct RobotDeferralTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    final class SteppedClock: WallClock {
        private let current = Mutex<Int64>(1_790_000_000_000)
        func now() -> Int64 { current.withLock { $0 } }
        func set(_ millis: Int64) { current.withLock { $0 = max($0, millis) } }
    }

    @Test(arguments: RobotDialect.allCases)
    func aQueueLongerThanTheWindowIsDeliveredWithNoneDead(dialect: RobotDialect) async throws {
        let clock = SteppedClock()
        let simulator = RobotSimulator(
            dialect: dialect, token: "robot-token", signSecret: "robot-sign", limits: dialect.defaultLimits, clock: clock,
            logger: Self.logger)
        try await simulator.start()
        var definition = RobotBurstTests.definition(dialect, endpoint: simulator.endpoint)
        // The platform's own window (20 a minute; Feishu 5 a second), and a channel rate
        // of 100 a second that an operator might copy from a webhook channel.
        definition.options = [:]
        definition.ratePerSecond = 100
        definition.rateBurst = 200
        definition.concurrency = 8
        // Three attempts, quickly: before the fix, items past the third window went to dead.
        definition.retry = try RetrySchedule(delays: [100, 200], jitter: 0, minimumThrottleDelay: 100)
        let adapter = try ChannelAdapterFactory.make(
            definition, environment: ["T": "robot-token", "S": "robot-sign"], clock: clock)
        let store = try SQLiteOutboxStore.inMemory()
        let count = 80
        _ = try await OutboxConsole(store: store, channels: [definition], clock: clock, actor: "tester").submit(
            (0..<count).map { index in
                var item = SampleDisclosures.notice
                item.id = "queue-\(index)"
                item.title = "关于森林防火的第\(index)号通知"
                return item
            })
        let pulse = Pulse()
        let engine = DeliveryEngine(
            store: store, channels: [ChannelRuntime(definition: definition, adapter: adapter)],
            configuration: EngineConfiguration(workerID: "w", pollInterval: 20), clock: clock, logger: Self.logger,
            onRecorded: { _, _ in pulse.fire() })
        let run = Task { try await engine.run() }
        let deadline = ContinuousClock.now + .seconds(60)
        // Only a bound on a broken engine: progress itself is awaited.
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(60))
            pulse.fire()
        }

        var advances = 0
        var settled = false
        while ContinuousClock.now < deadline {
            let seen = pulse.generation
            let open = try await store.deliveries(DeliveryFilter(states: [.pending, .retrying, .sending]))
            if open.isEmpty {
                settled = true
                break
            }
            let now = clock.now()
            if !open.contains(where: { $0.state == .sending }),
                let next = open.compactMap(\.nextAttemptAt).min(), next > now
            {
                // Nothing due and nothing in flight: the engine can only wait for the window.
                clock.set(next)
                advances += 1
                engine.nudge()
                continue
            }
            await pulse.wait(after: seen)
        }
        watchdog.cancel()
        engine.stop()
        try await run.value
        await simulator.stop()

        let rows = try await store.deliveries(DeliveryFilter())
        #expect(settled, "the engine stopped making progress")
        #expect(rows.filter { $0.state == .delivered }.count == count, "\(rows.filter { $0.state != .delivered }.prefix(3))")
        #expect(rows.allSatisfy { $0.state != .dead })
        // Each item cost one request however often it waited.
        #expect(rows.allSatisfy { $0.attemptCount == 1 })
        #expect(try await store.attempts(itemID: "queue-\(count - 1)", channelID: nil).map(\.outcome) == ["ok"])
        #expect(simulator.acceptedCount == count)
        #expect(simulator.rejectedCount(.rateLimited) == 0)
        // The queue really was longer than the window: the engine waited for it several times.
        #expect(advances >= 3)
    }
}
