import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import Testing

/// The exact field names each adapter puts on the wire, read from what it
/// sent (through a ``RequestTap`` in front of the simulator). The adapters
/// build their bodies from Codable wire types; a misspelt CodingKey, or an
/// absent optional sent as `null`, fails here even where a simulator would
/// ignore the field.
@Suite("Wire formats: the request bodies the adapters send")
struct WireFormatTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static var deadline: NIODeadline { .now() + .seconds(30) }

    /// Runs `body`, then `cleanup` also when `body` throws (an HTTP client must be shut down before it goes).
    static func closing(_ cleanup: () async -> Void, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    /// Starts `simulator` with a tap in front and an adapter (from `make`) talking to the tap; all stop after `body`.
    static func withTap<Simulator: LocalSimulator, Adapter: ChannelAdapter>(
        _ simulator: Simulator, make: (RequestTap) throws -> Adapter,
        _ body: (RequestTap, Adapter) async throws -> Void
    ) async throws {
        try await simulator.start()
        let tap = try await RequestTap.start(in: simulator.baseURL, logger: logger)
        let adapter: Adapter
        do {
            adapter = try make(tap)
        } catch {
            await tap.stop()
            await simulator.stop()
            throw error
        }
        try await closing({ await adapter.shutdown(); await tap.stop(); await simulator.stop() }) {
            try await body(tap, adapter)
        }
    }

    /// A WeChat simulator behind a tap and an adapter talking to the tap; all stop after `body`.
    static func withTappedWeChat(
        options: [String: String] = [:], _ body: (WeChatFixture, RequestTap, WeChatAdapter) async throws -> Void
    ) async throws {
        let fixture = try await WeChatFixture.start()
        let tap = try await RequestTap.start(in: fixture.simulator.baseURL, logger: logger)
        var definition = fixture.definition(options: options)
        definition.endpoint = tap.tapped(fixture.simulator.baseURL)
        let adapter = try WeChatAdapter.make(
            definition, environment: ["GONGKAI_TEST_WECHAT_SECRET": WeChatFixture.appSecret], tokens: WeChatTokenCache())
        try await closing({ await adapter.shutdown(); await tap.stop(); await fixture.stop() }) {
            try await body(fixture, tap, adapter)
        }
    }

    @Test("WeChat: stable_token, batchget, draft/add, freepublish submit/get/delete carry the published field names")
    func wechat() async throws {
        try await Self.withTappedWeChat { fixture, tap, adapter in
            let item = WeChatFixture.item("wire-wechat-1", title: "关于森林防火的通知")
            let request = WeChatFixture.request(item)
            let (receipt, _) = try await WeChatFixture.deliverToEnd(adapter, request)

            let token = try #require(tap.requests(endingWith: "/cgi-bin/stable_token").first?.json)
            #expect(Set(token.keys) == ["grant_type", "appid", "secret", "force_refresh"])
            #expect(token["grant_type"] as? String == "client_credential")
            #expect(token["appid"] as? String == WeChatFixture.appID)
            #expect(token["force_refresh"] as? Bool == false)

            let batchget = try #require(tap.requests(endingWith: "/freepublish/batchget").first?.json)
            #expect(Set(batchget.keys) == ["offset", "count", "no_content"])
            #expect(batchget["offset"] as? Int == 0)
            #expect(batchget["count"] as? Int == 20)
            #expect(batchget["no_content"] as? Int == 1)

            let draft = try #require(tap.requests(endingWith: "/draft/add").first?.json)
            #expect(Set(draft.keys) == ["articles"])
            let article = try #require((draft["articles"] as? [[String: Any]])?.first)
            #expect(
                Set(article.keys) == [
                    "title", "author", "digest", "content", "content_source_url", "thumb_media_id", "need_open_comment",
                    "only_fans_can_comment",
                ])
            #expect(article["title"] as? String == item.title)
            #expect(article["author"] as? String == "吉林省林草局")
            #expect(article["content_source_url"] as? String == request.canonicalURL)
            #expect(article["thumb_media_id"] as? String == WeChatFixture.thumb)
            #expect(article["need_open_comment"] as? Int == 0)
            #expect(article["only_fans_can_comment"] as? Int == 0)

            let submit = try #require(tap.requests(endingWith: "/freepublish/submit").first?.json)
            #expect(Set(submit.keys) == ["media_id"])
            #expect((submit["media_id"] as? String)?.isEmpty == false)
            let get = try #require(tap.requests(endingWith: "/freepublish/get").first?.json)
            #expect(Set(get.keys) == ["publish_id"])
            #expect((get["publish_id"] as? String)?.isEmpty == false)

            let articleID = try #require(receipt.remoteID)
            _ = try await adapter.deliver(
                WeChatFixture.request(item, operation: .withdraw, remoteID: articleID), deadline: Self.deadline)
            let delete = try #require(tap.requests(endingWith: "/freepublish/delete").first?.json)
            #expect(Set(delete.keys) == ["article_id", "index"])
            #expect(delete["article_id"] as? String == articleID)
            #expect(delete["index"] as? Int == 0)
            #expect(fixture.simulator.article(articleID)?.state == .deleted)
        }
    }

    @Test("WeChat draft/add leaves author and content_source_url out when there are none (not null)")
    func wechatOptionalFieldsLeftOut() async throws {
        try await Self.withTappedWeChat(options: ["author": ""]) { _, tap, adapter in
            let item = WeChatFixture.item("wire-wechat-2", title: "短通知", body: "<p>正文。</p>")
            _ = try await WeChatFixture.deliverToEnd(adapter, WeChatFixture.request(item, onPortal: false))
            let draft = try #require(tap.requests(endingWith: "/draft/add").first)
            let article = try #require((draft.json?["articles"] as? [[String: Any]])?.first)
            #expect(article["author"] == nil)
            #expect(article["content_source_url"] == nil)
            #expect(!draft.bodyText.contains("null"))
        }
    }

    @Test("Weibo: statuses/share is the form access_token, status, rip; statuses/destroy access_token, id")
    func weibo() async throws {
        let simulator = WeiboSimulator(
            accessToken: WeiboAdapterTests.token, registeredDomain: WeiboAdapterTests.domain, logger: Self.logger)
        try await Self.withTap(simulator) { tap in
            try ReplyShapeTests.weibo(tap.tapped(simulator.baseURL + "/2"), token: WeiboAdapterTests.token)
        } _: { tap, adapter in
            let request = WeiboAdapterTests.request(SampleDisclosures.policy)
            let receipt = try await adapter.deliver(request, deadline: Self.deadline)
            let id = try #require(receipt.remoteID)
            let share = try #require(tap.requests(endingWith: "/statuses/share.json").first)
            #expect(share.formFields.map(\.0) == ["access_token", "status", "rip"])
            #expect(share.formFields.map(\.1) == [WeiboAdapterTests.token, simulator.post(id: id)?.text ?? "?", "203.0.113.10"])

            _ = try await adapter.deliver(
                WeiboAdapterTests.request(SampleDisclosures.policy, operation: .withdraw, remoteID: id), deadline: Self.deadline)
            let destroy = try #require(tap.requests(endingWith: "/statuses/destroy.json").first)
            #expect(destroy.formFields.map(\.0) == ["access_token", "id"])
            #expect(destroy.formFields.last?.1 == id)
            #expect(simulator.post(id: id) == nil)
        }
    }

    @Test("portal: the article PUT carries the fields of channels/portal.yaml")
    func portal() async throws {
        let simulator = PortalSimulator(token: PortalAdapterTests.token, logger: Self.logger)
        try await Self.withTap(simulator) { tap in
            try ReplyShapeTests.portal(tap.tapped(simulator.endpoint), token: PortalAdapterTests.token)
        } _: { tap, adapter in
            let item = SampleDisclosures.policy
            let request = PublishingHarness.publish(item, channelID: "portal")
            _ = try await adapter.deliver(request, deadline: Self.deadline)
            let put = try #require(tap.requests(endingWith: "/articles/gk-" + item.id).first?.json)
            #expect(
                Set(put.keys) == [
                    "column", "title", "content", "summary", "documentNumber", "indexNumber", "publisher", "publishDate",
                    "version", "contentHash",
                ])
            #expect(put["column"] as? String == "zcwj")
            // The body carries the version mark the public-page check reads.
            #expect(
                put["content"] as? String
                    == item.body + "\n<!-- gongkai-version:\(item.id)/1/\(request.contentHash.prefix(16)) -->")
            #expect(put["publishDate"] as? String == item.publishOn)
            #expect(put["version"] as? Int == 1)
            #expect(put["contentHash"] as? String == request.contentHash)

            var bare = PublishingHarness.notice(1)
            bare.summary = nil
            bare.documentNumber = nil
            _ = try await adapter.deliver(PublishingHarness.publish(bare, channelID: "portal"), deadline: Self.deadline)
            let without = try #require(tap.requests(endingWith: "/articles/gk-" + bare.id).first)
            #expect(without.jsonKeys == Set(put.keys).subtracting(["summary", "documentNumber"]))
            #expect(!without.bodyText.contains("null"))

            // 附件 go with their SHA-256, so the page lists them and a check can verify them.
            var withFiles = PublishingHarness.notice(3)
            withFiles.attachments = [.init(name: "方案.pdf", url: "https://www.example.gov.cn/files/a.pdf", sha256: String(repeating: "ab", count: 32))]
            _ = try await adapter.deliver(PublishingHarness.publish(withFiles, channelID: "portal"), deadline: Self.deadline)
            let files = try #require(tap.requests(endingWith: "/articles/gk-" + withFiles.id).first?.json)
            let listed = try #require(files["attachments"] as? [[String: Any]])
            #expect(listed.count == 1 && listed[0]["name"] as? String == "方案.pdf")
            #expect(listed[0]["sha256"] as? String == String(repeating: "ab", count: 32))
            #expect(Set(listed[0].keys) == ["name", "url", "sha256"])
        }
    }

    @Test("provincial platform: the document PUT carries its fields and the catalogue under the platform's keys")
    func platform() async throws {
        let simulator = PlatformSimulator(
            appKey: PlatformAdapterTests.appKey, appSecret: PlatformAdapterTests.secret, logger: Self.logger)
        try await Self.withTap(simulator) { tap in
            try ReplyShapeTests.platform(
                tap.tapped(simulator.endpoint), appKey: PlatformAdapterTests.appKey, secret: PlatformAdapterTests.secret)
        } _: { tap, adapter in
            let item = SampleDisclosures.policy
            let request = PublishingHarness.publish(
                item, channelID: "platform", canonicalURL: "https://www.example.gov.cn/zwgk/art/\(item.id).html")
            _ = try await adapter.deliver(request, deadline: Self.deadline)
            let put = try #require(tap.requests(endingWith: "/documents/gk-" + item.id).first?.json)
            #expect(
                Set(put.keys) == [
                    "siteCode", "title", "content", "summary", "catalogue", "sourceUrl", "version", "contentHash",
                ])
            #expect(put["siteCode"] as? String == PlatformAdapterTests.site)
            #expect(put["sourceUrl"] as? String == request.canonicalURL)
            #expect(put["version"] as? Int == 1)
            let catalogue = try #require(put["catalogue"] as? [String: Any])
            let required = Set(PlatformCatalogue.requiredFields.map(\.key))
            #expect(required == ["indexNumber", "publisher", "topic", "genre", "writtenOn", "publishOn", "validity", "attribute"])
            #expect(Set(catalogue.keys) == required.union(["publisherCode", "documentNumber"]))
            #expect(catalogue["indexNumber"] as? String == item.indexNumber)
            #expect(catalogue["attribute"] as? String == "主动公开")
            #expect(catalogue["documentNumber"] as? String == item.documentNumber)

            var bare = PublishingHarness.notice(2)
            bare.summary = nil
            bare.documentNumber = nil
            bare.publisher.code = nil
            _ = try await adapter.deliver(PublishingHarness.publish(bare, channelID: "platform"), deadline: Self.deadline)
            let without = try #require(tap.requests(endingWith: "/documents/gk-" + bare.id).first)
            #expect(without.jsonKeys == ["siteCode", "title", "content", "catalogue", "version", "contentHash"])
            #expect(Set((without.json?["catalogue"] as? [String: Any])?.keys.map { $0 } ?? []) == required)
            #expect(!without.bodyText.contains("null"))
        }
    }

    @Test("credit feed: the batch carries batchId and records with the national field codes")
    func creditFeed() async throws {
        let simulator = CreditFeedSimulator(apiToken: CreditFeedAdapterTests.token, logger: Self.logger)
        try await Self.withTap(simulator) { tap in
            try ReplyShapeTests.credit(tap.tapped(simulator.baseURL), token: CreditFeedAdapterTests.token)
        } _: { tap, adapter in
            let penalty = SampleDisclosures.penaltyOnNaturalPerson
            let request = CreditFeedAdapterTests.request(penalty, version: 2)
            _ = try await adapter.deliver(request, deadline: Self.deadline)
            let batch = try #require(tap.requests(endingWith: "/records/batch").first?.json)
            #expect(Set(batch.keys) == ["batchId", "records"])
            #expect((batch["batchId"] as? String)?.hasPrefix("b-") == true)
            let record = try #require((batch["records"] as? [[String: Any]])?.first)
            #expect(Set(record.keys) == ["recordId", "itemId", "version", "contentHash", "operation", "type", "fields"])
            #expect(record["recordId"] as? String == request.idempotencyKey)
            #expect(record["itemId"] as? String == penalty.id)
            #expect(record["version"] as? Int == 2)
            #expect(record["operation"] as? String == "update")
            #expect(record["type"] as? String == "CF")
            #expect(record["fields"] as? [String: String] == (try CreditRecordMapper.record(for: penalty).fields))
        }
    }
}
