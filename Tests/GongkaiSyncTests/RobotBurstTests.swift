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

/// A burst of 100 items to a group robot: the channel's rate limit keeps
/// gongkai under the platform's window, so the platform never has to answer
/// with its throttle code (45009, 130101, 11232). The platform's window is
/// shortened to one second so the test takes seconds, not minutes.
@Suite("Group robots under a burst")
struct RobotBurstTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func definition(_ dialect: RobotDialect, endpoint: String) -> ChannelDefinition {
        let credentials: [String: SecretReference]
        let kind: ChannelDefinition.Kind
        switch dialect {
        case .wecom:
            kind = .wecomRobot
            credentials = ["key": .environment("T")]
        case .dingtalk:
            kind = .dingtalkRobot
            credentials = ["accessToken": .environment("T"), "signSecret": .environment("S")]
        case .feishu:
            kind = .feishuRobot
            credentials = ["hookToken": .environment("T"), "signSecret": .environment("S")]
        }
        // Any second of sending holds at most burst + rate = 10 messages, half the platform's
        // window of 20: requests delayed on a loaded machine can arrive bunched together, and
        // the headroom absorbs that, as the shipped channel files' rates do.
        return ChannelDefinition(
            id: "robot", kind: kind, endpoint: endpoint, credentials: credentials,
            options: ["messagesPerWindow": "20", "rateWindow": "1s"],
            retry: try! RetrySchedule(delays: [200, 500, 1_000, 2_000, 2_000, 2_000], jitter: 0, minimumThrottleDelay: 100),
            ratePerSecond: 5, rateBurst: 5, concurrency: 4, timeout: 5_000)
    }

    @Test(arguments: RobotDialect.allCases)
    func aBurstOfOneHundredNeverProvokesTheThrottleCode(dialect: RobotDialect) async throws {
        var limits = dialect.defaultLimits
        limits.messagesPerWindow = 20
        limits.window = .seconds(1)
        limits.messagesPerSecond = nil
        let simulator = RobotSimulator(dialect: dialect, token: "robot-token", signSecret: "robot-sign", limits: limits, logger: Self.logger)
        try await simulator.start()
        let definition = Self.definition(dialect, endpoint: simulator.endpoint)
        let adapter = try ChannelAdapterFactory.make(definition, environment: ["T": "robot-token", "S": "robot-sign"])
        let store = try SQLiteOutboxStore.inMemory()
        let console = OutboxConsole(store: store, channels: [definition], actor: "tester")
        _ = try await console.submit(
            (0..<100).map { index in
                var item = SampleDisclosures.notice
                item.id = "burst-\(index)"
                item.title = "关于森林防火的第\(index)号通知"
                return item
            })
        let pulse = Pulse()
        let engine = DeliveryEngine(
            store: store, channels: [ChannelRuntime(definition: definition, adapter: adapter)],
            configuration: EngineConfiguration(workerID: "w", pollInterval: 20), logger: Self.logger,
            onRecorded: { _, _ in pulse.fire() })
        let task = Task { try await engine.run() }
        // A slow tick so the wait re-checks its limit even if nothing more is recorded.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                pulse.fire()
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let seen = pulse.generation
            if try await store.deliveries(DeliveryFilter(states: [.pending, .sending, .retrying])).isEmpty { break }
            await pulse.wait(after: seen)
        }
        ticker.cancel()
        engine.stop()
        try await task.value
        await simulator.stop()

        let rows = try await store.deliveries(DeliveryFilter())
        #expect(rows.filter { $0.state == .delivered }.count == 100, "\(rows.filter { $0.state != .delivered }.prefix(3))")
        #expect(simulator.acceptedCount == 100)
        #expect(simulator.rejectedCount(.rateLimited) == 0)
    }
}
