import AsyncHTTPClient
import Foundation
import GongkaiSimulators
import Logging
import NIOCore
import Testing
import NIOHTTP1

/// The simulator's own strictness, spoken to directly (the adapter never sends these).
@Suite("WeChat simulator")
struct WeChatSimulatorTests {
    static func post(_ client: HTTPClient, _ url: String, _ body: [String: Any]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await client.execute(request, timeout: .seconds(5))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("credentials, token, draft limits, external images, paging and tampering answer the platform's codes")
    func strictness() async throws {
        let simulator = WeChatSimulator(
            appID: "wxabc", appSecret: "right", permanentMedia: ["thumb"], logger: WeChatFixture.logger)
        try await simulator.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = simulator.baseURL + "/cgi-bin/"
        func code(_ answer: [String: Any]) -> Int { (answer["errcode"] as? NSNumber)?.intValue ?? 0 }

        let wrong = try await Self.post(
            client, base + "stable_token", ["grant_type": "client_credential", "appid": "wxabc", "secret": "wrong"])
        #expect(code(wrong) == 40125)
        simulator.setIPWhitelisted(false)
        let blocked = try await Self.post(
            client, base + "stable_token", ["grant_type": "client_credential", "appid": "wxabc", "secret": "right"])
        #expect(code(blocked) == 40164)
        simulator.setIPWhitelisted(true)
        let issued = try await Self.post(
            client, base + "stable_token", ["grant_type": "client_credential", "appid": "wxabc", "secret": "right"])
        let token = try #require(issued["access_token"] as? String)
        #expect((issued["expires_in"] as? NSNumber)?.intValue == 7200)

        #expect(code(try await Self.post(client, base + "draft/add", ["articles": []])) == 41001)
        func draft(_ fields: [String: Any]) async throws -> Int {
            var article: [String: Any] = ["title": "标题", "content": "<p>正文</p>", "thumb_media_id": "thumb"]
            for (key, value) in fields { article[key] = value }
            return code(try await Self.post(client, base + "draft/add?access_token=" + token, ["articles": [article]]))
        }
        #expect(try await draft([:]) == 0)
        #expect(try await draft(["title": String(repeating: "题", count: 33)]) == 45003)
        #expect(try await draft(["author": String(repeating: "者", count: 17)]) == 45110)
        #expect(try await draft(["digest": String(repeating: "摘", count: 129)]) == 45004)
        #expect(try await draft(["content": String(repeating: "文", count: 20_000)]) == 45002)
        #expect(try await draft(["content": #"<img src="https://example.com/a.png">"#]) == 45166)
        #expect(try await draft(["thumb_media_id": "other"]) == 40007)
        #expect(try await draft(["content_source_url": "https://a.gov.cn/" + String(repeating: "x", count: 1_010)]) == 40035)
        #expect(try await draft(["content_source_url": "https://a.gov.cn/" + String(repeating: "x", count: 1_000)]) == 0)
        let tooMany = try await Self.post(
            client, base + "freepublish/batchget?access_token=" + token, ["offset": 0, "count": 21])
        #expect(code(tooMany) == 40097)

        // Publish one, then tamper with it.
        let media = try #require(
            try await Self.post(
                client, base + "draft/add?access_token=" + token,
                ["articles": [["title": "标题", "content": "<p>正文</p>", "thumb_media_id": "thumb"]]])["media_id"] as? String)
        let submitted = try await Self.post(client, base + "freepublish/submit?access_token=" + token, ["media_id": media])
        let publishID = try #require(submitted["publish_id"] as? String)
        let got = try await Self.post(client, base + "freepublish/get?access_token=" + token, ["publish_id": publishID])
        let articleID = try #require(got["article_id"] as? String)
        #expect(simulator.liveArticles().count == 1)
        simulator.deleteArticleBehindOurBack(articleID)
        let after = try await Self.post(client, base + "freepublish/get?access_token=" + token, ["publish_id": publishID])
        #expect((after["publish_status"] as? NSNumber)?.intValue == 5)
        let listed = try await Self.post(
            client, base + "freepublish/batchget?access_token=" + token, ["offset": 0, "count": 20, "no_content": 1])
        #expect((listed["total_count"] as? NSNumber)?.intValue == 0)
        simulator.restoreArticle(articleID)
        simulator.blockArticle(articleID)
        let blockedStatus = try await Self.post(client, base + "freepublish/get?access_token=" + token, ["publish_id": publishID])
        #expect((blockedStatus["publish_status"] as? NSNumber)?.intValue == 6)

        // The token expires on the simulator's clock.
        simulator.advanceClock(by: 7_200_000)
        #expect(try await draft([:]) == 42001)
        #expect(simulator.rejectedCounts["expired-token"] == 1)
        try await client.shutdown()
        await simulator.stop()
    }
}
