import Foundation
import GongkaiChannels
import GongkaiCore
import Testing

@Suite("WeChat channel configuration and rendering")
struct WeChatConfigurationTests {
    static let environment = ["GONGKAI_WECHAT_APP_SECRET": "not-a-real-secret"]

    static func definition(options: [String: String], credentials: [String: SecretReference]? = nil) -> ChannelDefinition {
        ChannelDefinition(
            id: "wechat", kind: .wechat, endpoint: "http://127.0.0.1:9",
            credentials: credentials ?? ["appSecret": .environment("GONGKAI_WECHAT_APP_SECRET")], options: options)
    }

    @Test("withoutPortal: is read for a linked channel and refused with the key named otherwise")
    func withoutPortalSetting() throws {
        let base = """
            id: wechat
            kind: wechat
            endpoint: http://127.0.0.1:9
            credentials:
              appSecret: {env: GONGKAI_WECHAT_APP_SECRET}

            """
        let read = try ChannelFileLoader.parse(
            base + "withoutPortal:\n  withinWorkdays: 2\n  fallbackURL: https://www.example.gov.cn/zwgk/\n", source: "w.yaml")
        #expect(read.withoutPortal == PortalFallback(withinWorkdays: 2, fallbackURL: "https://www.example.gov.cn/zwgk/"))
        #expect(try ChannelFileLoader.parse(base, source: "w.yaml").withoutPortal == nil)
        let refusals: [(String, String)] = [
            ("withoutPortal:\n  withinWorkdays: 30\n", "withoutPortal.withinWorkdays"),
            ("withoutPortal:\n  fallbackURL: https://x.gov.cn/\n", "withoutPortal.withinWorkdays"),
            ("withoutPortal:\n  withinWorkdays: 1\n  fallbackURL: ftp://x\n", "withoutPortal.fallbackURL"),
            ("withoutPortal:\n  withinWorkdays: 1\n  later: 2\n", "withoutPortal.later"),
            ("waitForPortal: false\nwithoutPortal:\n  withinWorkdays: 1\n", "withoutPortal"),
        ]
        for (extra, field) in refusals {
            #expect(throws: GongkaiError.self) { try ChannelFileLoader.parse(base + extra, source: "w.yaml") }
            do {
                _ = try ChannelFileLoader.parse(base + extra, source: "w.yaml")
            } catch {
                #expect(error.field == field, "\(extra)")
            }
        }
    }

    @Test("channels/wechat.yaml reads and builds an adapter with list and withdraw but no update")
    func channelFile() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("channels/wechat.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let definition = try ChannelFileLoader.parse(text, source: "channels/wechat.yaml")
        #expect(definition.kind == .wechat)
        #expect(definition.waitsForCanonical)
        #expect(definition.routing.kinds == RoutingRule.newMediaKinds)
        let adapter = try WeChatAdapter.make(definition, environment: Self.environment, tokens: WeChatTokenCache())
        #expect(adapter.capabilities == [.publish, .withdraw, .list])
        #expect(!text.contains("not-a-real-secret"))
        await adapter.shutdown()
    }

    @Test("missing, unknown and out-of-range settings are configuration errors naming the key")
    func invalidSettings() async throws {
        let base = ["appID": "wx51a0c0ffee000001", "thumbMediaID": "thumb"]
        func field(_ options: [String: String], credentials: [String: SecretReference]? = nil) -> String? {
            do {
                // Every case below fails before the adapter (and its HTTP client) exists.
                _ = try WeChatAdapter.make(
                    Self.definition(options: options, credentials: credentials), environment: Self.environment,
                    tokens: WeChatTokenCache())
                return "(accepted)"
            } catch {
                return error.field
            }
        }
        #expect(field(["appID": "wx51a0c0ffee000001"]) == "options.thumbMediaID")
        #expect(field(["thumbMediaID": "thumb"]) == "options.appID")
        #expect(field(base.merging(["author": String(repeating: "长", count: 17)]) { $1 }) == "options.author")
        #expect(field(base.merging(["colour": "red"]) { $1 }) == "options.colour")
        #expect(field(base, credentials: [:]) == "credentials.appSecret")
        #expect(field(base, credentials: ["secret": .environment("GONGKAI_WECHAT_APP_SECRET")]) == "secret")
        let longest = try WeChatAdapter.make(
            Self.definition(options: base.merging(["author": String(repeating: "长", count: 16)]) { $1 }),
            environment: Self.environment, tokens: WeChatTokenCache())
        #expect(longest.channelID == "wechat")
        await longest.shutdown()
    }

    @Test("pending remote ids round-trip; anything else is an article id")
    func remoteIDs() {
        let pending = WeChatRemoteID.Pending(version: 3, publishID: "2247483647", polls: 2, replaces: ["artA", "artB"])
        let text = WeChatRemoteID.pending(pending).text
        #expect(text == "publish:v3:2247483647;polls=2;replaces=artA,artB")
        #expect(WeChatRemoteID(text) == .pending(pending))
        #expect(WeChatRemoteID("publish:v1:99") == .pending(WeChatRemoteID.Pending(version: 1, publishID: "99")))
        #expect(WeChatRemoteID("Ywx1_abc-DEF") == .article("Ywx1_abc-DEF"))
        #expect(WeChatRemoteID(nil) == nil)
    }

    @Test("fitting counts UTF-16 units and never splits a character")
    func fitting() {
        #expect(WeChatArticleRenderer.fitted("短标题", maxUTF16: 32) == "短标题")
        let emoji = String(repeating: "😀", count: 20)  // 40 units
        let cut = WeChatArticleRenderer.fitted(emoji, maxUTF16: 32)
        #expect(cut.utf16.count <= 32)
        #expect(cut == String(repeating: "😀", count: 15) + "…")
    }

    @Test("the daily quota back-off runs to midnight Beijing time, at least an hour")
    func quotaBackOff() {
        // 2026-03-05 12:00 Beijing = 04:00 UTC: 12 h to go.
        let noon: Int64 = 1_772_683_200_000
        let after = WeChatAdapter.untilQuotaReset(now: noon)
        #expect(after == 12 * 3_600_000)
        // 23:30 Beijing: half an hour to midnight, but never less than an hour.
        #expect(WeChatAdapter.untilQuotaReset(now: noon + 11 * 3_600_000 + 30 * 60_000) == 3_600_000)
    }
}
