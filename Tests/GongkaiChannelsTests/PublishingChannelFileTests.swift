import Foundation
import GongkaiChannels
import GongkaiCore
import Testing

@Suite("Portal and platform channel files")
struct PublishingChannelFileTests {
    static func load(_ name: String) throws -> ChannelDefinition {
        let url = PublishingHarness.repositoryRoot.appendingPathComponent("channels/\(name)")
        return try ChannelFileLoader.parse(String(contentsOf: url, encoding: .utf8), source: url.path)
    }

    @Test("channels/portal.yaml is the canonical portal channel and builds an adapter")
    func portal() async throws {
        let definition = try Self.load("portal.yaml")
        #expect(definition.kind == .portal)
        #expect(definition.isCanonical)
        #expect(definition.credentials["apiToken"] == .environment("GONGKAI_PORTAL_API_TOKEN"))
        #expect(definition.routing.kinds?.count == DisclosureItem.Kind.allCases.count)
        let adapter = try PortalAdapter.make(definition, environment: ["GONGKAI_PORTAL_API_TOKEN": "t"])
        #expect(adapter.column == "zcwj")
        #expect(adapter.pageSize == 50)
        #expect(adapter.capabilities == [.publish, .update, .withdraw, .list])
        await adapter.shutdown()
    }

    @Test("channels/platform.yaml builds a platform adapter and needs its secret")
    func platform() async throws {
        let definition = try Self.load("platform.yaml")
        #expect(definition.kind == .platform)
        #expect(!definition.isCanonical)
        #expect(definition.credentials["appSecret"] == .environment("GONGKAI_PLATFORM_APP_SECRET"))
        let adapter = try PlatformAdapter.make(definition, environment: ["GONGKAI_PLATFORM_APP_SECRET": "s"])
        #expect(adapter.siteCode == "jl-lcj")
        await adapter.shutdown()
        let error = #expect(throws: GongkaiError.self) { try PlatformAdapter.make(definition, environment: [:]) }
        #expect(error?.field == "credentials.appSecret")
    }
}
