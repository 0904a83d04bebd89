import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import Synchronization

/// A clock that moves only when a test moves it, shared by adapter and simulator.
final class SteppedClock: WallClock {
    private let current: Mutex<Int64>

    init(start: Int64 = SystemWallClock().now()) {
        current = Mutex(start)
    }

    func now() -> Int64 { current.withLock { $0 } }

    func advance(milliseconds: Int64) {
        current.withLock { $0 += milliseconds }
    }
}

/// A robot adapter wired to a running simulator of the same platform over
/// real HTTP on 127.0.0.1.
struct RobotHarness {
    static let token = "robot-token-3f9a2c71"
    static let secret = "SECa1b2c3d4e5f60718293a4b5c6d7e8f9"
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    let dialect: RobotDialect
    let simulator: RobotSimulator
    let adapter: any ChannelAdapter
    let clock: SteppedClock

    /// - Parameters:
    ///   - adapterToken / adapterSecret: what the adapter is configured with (defaults: the right ones).
    ///   - adapterClock: a different clock for the adapter (clock-skew tests).
    static func start(
        _ dialect: RobotDialect, limits: RobotLimits? = nil, options: [String: String] = [:],
        adapterToken: String = token, adapterSecret: String = secret, adapterClock: SteppedClock? = nil
    ) async throws -> RobotHarness {
        let clock = SteppedClock()
        let simulator = RobotSimulator(
            dialect: dialect, token: token, signSecret: secret, limits: limits, clock: clock, logger: logger)
        try await simulator.start(host: "127.0.0.1", port: 0)
        let environment = ["ROBOT_TOKEN": adapterToken, "ROBOT_SECRET": adapterSecret]
        let definition = definition(dialect, endpoint: simulator.endpoint, options: options)
        let adapter: any ChannelAdapter
        let used = adapterClock ?? clock
        switch dialect {
        case .wecom: adapter = try WeComRobot.make(definition, environment: environment, clock: used)
        case .dingtalk: adapter = try DingTalkRobot.make(definition, environment: environment, clock: used)
        case .feishu: adapter = try FeishuRobot.make(definition, environment: environment, clock: used)
        }
        return RobotHarness(dialect: dialect, simulator: simulator, adapter: adapter, clock: clock)
    }

    /// Runs `body` against a fresh harness and stops it afterwards, also when
    /// `body` throws (an adapter's HTTP client must be shut down before it goes).
    static func with(
        _ dialect: RobotDialect, limits: RobotLimits? = nil, options: [String: String] = [:],
        adapterToken: String = token, adapterSecret: String = secret, adapterClock: SteppedClock? = nil,
        _ body: (RobotHarness) async throws -> Void
    ) async throws {
        let harness = try await start(
            dialect, limits: limits, options: options, adapterToken: adapterToken, adapterSecret: adapterSecret,
            adapterClock: adapterClock)
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    static func definition(_ dialect: RobotDialect, endpoint: String, options: [String: String] = [:])
        -> ChannelDefinition
    {
        switch dialect {
        case .wecom:
            return ChannelDefinition(
                id: "wecom-robot", kind: .wecomRobot, endpoint: endpoint,
                credentials: ["key": .environment("ROBOT_TOKEN")],
                options: options, timeout: 5_000)
        case .dingtalk:
            return ChannelDefinition(
                id: "dingtalk-robot", kind: .dingtalkRobot, endpoint: endpoint,
                credentials: ["accessToken": .environment("ROBOT_TOKEN"), "signSecret": .environment("ROBOT_SECRET")],
                options: options, timeout: 5_000)
        case .feishu:
            return ChannelDefinition(
                id: "feishu-robot", kind: .feishuRobot, endpoint: endpoint,
                credentials: ["hookToken": .environment("ROBOT_TOKEN"), "signSecret": .environment("ROBOT_SECRET")],
                options: options, timeout: 5_000)
        }
    }

    /// A publish request for `item` as the engine builds it for a public channel.
    func request(
        _ item: DisclosureItem = SampleDisclosures.policy, version: Int = 1, masked: Bool = true,
        canonicalURL: String? = "https://lycy.jl.gov.cn/zwgk/2026/0012.html", operation: DeliveryOperation = .publish
    ) -> DeliveryRequest {
        let prepared = PreparedItem(item)
        return DeliveryRequest(
            itemID: item.id, version: version, channelID: adapter.channelID, operation: operation,
            contentHash: prepared.contentHash, document: masked ? prepared.publicDocument : prepared.document,
            canonicalURL: canonicalURL)
    }

    /// The notice text the adapter renders for `item`.
    func noticeText(_ item: DisclosureItem, canonicalURL: String? = "https://lycy.jl.gov.cn/zwgk/2026/0012.html")
        -> String
    {
        RobotNotice.render(item, canonicalURL: canonicalURL, style: dialect == .feishu ? .plain : .markdown).text
    }

    /// Generous: under the full suite (chromium, daemons) a local answer has taken over 5 s.
    var deadline: NIODeadline { .now() + .seconds(20) }

    /// Delivers and returns the error, or nil when it succeeded.
    func failure(of request: DeliveryRequest) async -> DeliveryError? {
        do throws(DeliveryError) {
            _ = try await adapter.deliver(request, deadline: deadline)
            return nil
        } catch {
            return error
        }
    }

    func stop() async {
        await adapter.shutdown()
        await simulator.stop()
    }

    /// The platform's code for a wrong signing secret (WeCom: a wrong key).
    var badSecretCode: String {
        switch dialect {
        case .wecom: "93000"
        case .dingtalk: "310000"
        case .feishu: "19021"
        }
    }

    var throttleCode: String {
        switch dialect {
        case .wecom: "45009"
        case .dingtalk: "130101"
        case .feishu: "11232"
        }
    }
}
