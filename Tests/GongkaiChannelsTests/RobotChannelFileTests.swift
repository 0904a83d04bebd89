import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Testing

/// The robot channel files and the adapters' configuration checks.
@Suite("Group robot channel files and configuration")
struct RobotChannelFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let clock = SystemWallClock()

    static func load(_ id: String) throws -> ChannelDefinition {
        let path = root.appendingPathComponent("channels/\(id).yaml").path
        return try ChannelFileLoader.parse(String(contentsOfFile: path, encoding: .utf8), source: path)
    }

    @Test("each robot channel file loads and builds its adapter with publish as the only capability")
    func channelFilesLoad() async throws {
        let environment = [
            "GONGKAI_WECOM_ROBOT_KEY": "k", "GONGKAI_DINGTALK_ROBOT_TOKEN": "t", "GONGKAI_DINGTALK_ROBOT_SECRET": "s",
            "GONGKAI_FEISHU_ROBOT_TOKEN": "t", "GONGKAI_FEISHU_ROBOT_SECRET": "s",
        ]
        let wecom = try Self.load("wecom-robot")
        let dingtalk = try Self.load("dingtalk-robot")
        let feishu = try Self.load("feishu-robot")
        #expect(wecom.kind == .wecomRobot && dingtalk.kind == .dingtalkRobot && feishu.kind == .feishuRobot)
        #expect([wecom, dingtalk, feishu].allSatisfy { $0.capabilities == [.publish] && $0.audience == .public })
        #expect([wecom, dingtalk, feishu].allSatisfy { $0.ratePerSecond.map { $0 * 60 <= 100 } == true })
        let adapters: [any ChannelAdapter] = [
            try WeComRobot.make(wecom, environment: environment, clock: Self.clock),
            try DingTalkRobot.make(dingtalk, environment: environment, clock: Self.clock),
            try FeishuRobot.make(feishu, environment: environment, clock: Self.clock),
        ]
        #expect(adapters.map(\.channelID) == ["wecom-robot", "dingtalk-robot", "feishu-robot"])
        for adapter in adapters { await adapter.shutdown() }
    }

    @Test("an endpoint carrying the key in its query is refused: secrets belong in credentials")
    func endpointWithSecretRefused() {
        let definition = RobotHarness.definition(
            .wecom, endpoint: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
        #expect(throws: GongkaiError.self) {
            try WeComRobot.make(definition, environment: ["ROBOT_TOKEN": "abc"], clock: Self.clock)
        }
        let plain = RobotHarness.definition(.wecom, endpoint: "http://qyapi.weixin.qq.com/cgi-bin/webhook/send")
        #expect(throws: GongkaiError.self) {
            try WeComRobot.make(plain, environment: ["ROBOT_TOKEN": "abc"], clock: Self.clock)
        }
    }

    @Test("unknown options, out-of-range options and missing credentials name the field")
    func configurationErrors() async {
        let endpoint = "https://oapi.dingtalk.com/robot/send"
        let environment = ["ROBOT_TOKEN": "t", "ROBOT_SECRET": "s"]
        func field(_ definition: ChannelDefinition, _ environment: [String: String]) async -> String? {
            do {
                let adapter = try DingTalkRobot.make(definition, environment: environment, clock: Self.clock)
                await adapter.shutdown()
                return nil
            } catch {
                return error.field
            }
        }
        #expect(
            await field(
                RobotHarness.definition(.dingtalk, endpoint: endpoint, options: ["maxPartByte": "10"]), environment)
                == "options.maxPartByte")
        #expect(
            await field(
                RobotHarness.definition(.dingtalk, endpoint: endpoint, options: ["messagesPerWindow": "40"]),
                environment) == "options.messagesPerWindow")
        #expect(
            await field(
                RobotHarness.definition(.dingtalk, endpoint: endpoint, options: ["throttleBackoff": "5s"]), environment)
                == "options.throttleBackoff")
        #expect(
            await field(RobotHarness.definition(.dingtalk, endpoint: endpoint), ["ROBOT_TOKEN": "t"])
                == "credentials.signSecret")
        #expect(await field(RobotHarness.definition(.dingtalk, endpoint: endpoint), environment) == nil)
    }
}
