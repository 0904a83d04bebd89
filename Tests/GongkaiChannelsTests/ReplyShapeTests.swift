import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// A platform that answers every request from a script: for replies no
/// simulator gives (not JSON, odd field types).
struct ScriptedPlatform: SimulatorEndpoint {
    let answer: @Sendable (SimulatorRequest) -> SimulatorResponse

    func respond(to request: SimulatorRequest) async -> SimulatorResponse { answer(request) }

    static func text(_ text: String, status: HTTPResponseStatus = .ok) -> SimulatorResponse {
        SimulatorResponse(status: status, headers: ["content-type": "text/html"], body: Array(text.utf8))
    }

    static func json(_ text: String, status: HTTPResponseStatus = .ok) -> SimulatorResponse {
        SimulatorResponse(status: status, headers: ["content-type": "application/json"], body: Array(text.utf8))
    }
}

/// Replies of the wrong shape are classified as before the adapters read
/// Codable reply types: a page that is not JSON, a field of another type,
/// ids as numbers or strings, unknown fields.
@Suite("Reply shapes: odd platform answers keep their classification")
struct ReplyShapeTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static var deadline: NIODeadline { .now() + .seconds(10) }
    static let proxyPage = "<html><body>502 Bad Gateway</body></html>"

    /// Serves `answer`, builds an adapter for `kind` against it, runs `body`, then stops both.
    static func against<Adapter: ChannelAdapter>(
        _ answer: @escaping @Sendable (SimulatorRequest) -> SimulatorResponse,
        make: (String) throws -> Adapter, _ body: (Adapter) async throws -> Void
    ) async throws {
        let server = SimulatorHTTPServer(endpoint: ScriptedPlatform(answer: answer), logger: logger)
        try await server.start()
        let adapter: Adapter
        do {
            adapter = try make(server.baseURL)
        } catch {
            await server.stop()
            throw error
        }
        do {
            try await body(adapter)
        } catch {
            await adapter.shutdown()
            await server.stop()
            throw error
        }
        await adapter.shutdown()
        await server.stop()
    }

    static func failure(_ adapter: some ChannelAdapter, _ request: DeliveryRequest) async -> DeliveryError? {
        await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await adapter.deliver(request, deadline: deadline)
        }.error
    }

    static func wechat(_ endpoint: String) throws -> WeChatAdapter {
        let definition = ChannelDefinition(
            id: "wechat", kind: .wechat, endpoint: endpoint,
            credentials: ["appSecret": .environment("SECRET")],
            options: ["appID": "wx51a0c0ffee000001", "thumbMediaID": "thumb", "publishWait": "0s"])
        return try WeChatAdapter.make(definition, environment: ["SECRET": "s3cr3t"], tokens: WeChatTokenCache())
    }

    /// WeChat answers: a token for stable_token, `rest` for the rest.
    static func wechatAnswer(_ rest: @escaping @Sendable (SimulatorRequest) -> SimulatorResponse)
        -> @Sendable (SimulatorRequest) -> SimulatorResponse
    {
        { request in
            request.path.hasSuffix("/stable_token")
                ? ScriptedPlatform.json(#"{"access_token":"tok-1","expires_in":"7200","extra":{"x":1}}"#) : rest(request)
        }
    }

    @Test("WeChat: a 200 that is not JSON is retryable; errcode as a string is read as the code; unknown fields ignored")
    func wechat() async throws {
        let request = WeChatFixture.request(WeChatFixture.item("shape-1"), onPortal: false)
        try await Self.against(Self.wechatAnswer { _ in ScriptedPlatform.text(Self.proxyPage) }, make: Self.wechat) {
            adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(!error.failure.permanent)
            #expect(error.failure.message == "draft/add answered with something that is not JSON")
        }
        try await Self.against(
            Self.wechatAnswer { _ in ScriptedPlatform.json(#"{"errcode":"45009","errmsg":"reach max api daily quota limit"}"#) },
            make: Self.wechat
        ) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.throttled)
            #expect(error.failure.message.contains("daily API quota"))
        }
        // A publish_id given as a number and a publish_status as a string still settle the publish.
        try await Self.against(
            Self.wechatAnswer { request in
                switch request.path {
                case let path where path.hasSuffix("/draft/add"): return ScriptedPlatform.json(#"{"media_id":"m-1","item":[]}"#)
                case let path where path.hasSuffix("/submit"): return ScriptedPlatform.json(#"{"errcode":0,"publish_id":2247483647}"#)
                default:
                    return ScriptedPlatform.json(
                        #"{"publish_status":"0","article_id":"a-1","article_detail":{"count":1,"item":[{"idx":1,"article_url":"https://mp.weixin.qq.com/s/a-1"}]},"fail_idx":[]}"#
                    )
                }
            }, make: Self.wechat
        ) { adapter in
            let (receipt, _) = try await WeChatFixture.deliverToEnd(adapter, request)
            #expect(receipt.remoteID == "a-1")
            #expect(receipt.remoteURL == "https://mp.weixin.qq.com/s/a-1")
        }
        // A publish_status that is an object is no known status: retryable, the publish is checked again.
        try await Self.against(
            Self.wechatAnswer { request in
                request.path.hasSuffix("/get")
                    ? ScriptedPlatform.json(#"{"publish_status":{"code":0}}"#)
                    : ScriptedPlatform.json(#"{"media_id":"m-1","publish_id":"p-1"}"#)
            }, make: Self.wechat
        ) { adapter in
            let receipt = try await adapter.deliver(request, deadline: Self.deadline)
            #expect(receipt.checkAfter != nil)
        }
    }

    static func weibo(_ endpoint: String, token: String = "wb-secret-1") throws -> WeiboAdapter {
        let definition = ChannelDefinition(
            id: "weibo", kind: .weibo, endpoint: endpoint, credentials: ["accessToken": .environment("TOKEN")],
            options: ["registeredDomain": WeiboAdapterTests.domain, "rip": "203.0.113.10"])
        return try WeiboAdapter.make(definition, environment: ["TOKEN": token], clock: SystemWallClock())
    }

    @Test("Weibo: a 200 that is not JSON is retryable like a 502; an id without idstr and a numeric user id are read")
    func weibo() async throws {
        let request = WeiboAdapterTests.request(SampleDisclosures.policy)
        try await Self.against({ _ in ScriptedPlatform.text(Self.proxyPage) }, make: { try Self.weibo($0) }) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(!error.failure.permanent)
            #expect(error.httpStatus == 502)
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"error":"expired_token","error_code":21327,"request":"/2/statuses/share.json"}"#, status: .forbidden) },
            make: { try Self.weibo($0) }
        ) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.permanent)
            #expect(error.failure.message.hasPrefix("Weibo error 21327 (expired_token)"))
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"id":5012345678901234,"idstr":"","text":"x","user":{"id":7654321098,"name":"n"}}"#) },
            make: { try Self.weibo($0) }
        ) { adapter in
            let receipt = try await adapter.deliver(request, deadline: Self.deadline)
            #expect(receipt.remoteID == "5012345678901234")
            #expect(receipt.remoteURL == "https://weibo.com/7654321098/5012345678901234")
        }
    }

    static func portal(_ endpoint: String, token: String = "tok") throws -> PortalAdapter {
        let definition = ChannelDefinition(
            id: "portal", kind: .portal, endpoint: endpoint, credentials: ["apiToken": .environment("TOKEN")],
            options: ["column": "zcwj"])
        return try PortalAdapter.make(definition, environment: ["TOKEN": token])
    }

    @Test("portal: a 2xx that is not JSON is permanent (interface mismatch); a numeric article id is read; a 409 names its field")
    func portal() async throws {
        let request = PublishingHarness.publish(SampleDisclosures.policy, channelID: "portal")
        try await Self.against({ _ in ScriptedPlatform.text(Self.proxyPage) }, make: { try Self.portal($0) }) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("does not match channels/portal.yaml"))
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"id":10001,"url":"https://www.example.gov.cn/a/10001.html","new":true}"#, status: .created) },
            make: { try Self.portal($0) }
        ) { adapter in
            let receipt = try await adapter.deliver(request, deadline: Self.deadline)
            #expect(receipt.remoteID == "10001")
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"error":"stale_version","message":"older than held","field":"version"}"#, status: .conflict) },
            make: { try Self.portal($0) }
        ) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.permanent)
            #expect(error.failure.message == "the portal refused the article (HTTP 409), field `version`: stale_version: older than held")
        }
        try await Self.against({ _ in ScriptedPlatform.json(#"{"id":"","url":"u"}"#) }, make: { try Self.portal($0) }) { adapter in
            #expect(await Self.failure(adapter, request)?.failure.permanent == true)
        }
    }

    static func platform(_ endpoint: String, appKey: String = "key", secret: String = "s3cr3t") throws -> PlatformAdapter {
        let definition = ChannelDefinition(
            id: "platform", kind: .platform, endpoint: endpoint, credentials: ["appSecret": .environment("SECRET")],
            options: ["appKey": appKey, "siteCode": "jl-lcj"])
        return try PlatformAdapter.make(definition, environment: ["SECRET": secret])
    }

    @Test("platform: an answer without an envelope is classified by its HTTP status; a data field of the wrong type is absent")
    func platform() async throws {
        let request = PublishingHarness.publish(SampleDisclosures.policy, channelID: "platform")
        try await Self.against({ _ in ScriptedPlatform.text(Self.proxyPage, status: .badGateway) }, make: { try Self.platform($0 + "/api/v1") }) {
            adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(!error.failure.permanent)
            #expect(error.failure.message.hasPrefix("HTTP 502"))
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"code":42901,"message":"slow down","data":{"retryAfter":"soon"}}"#, status: .tooManyRequests) },
            make: { try Self.platform($0 + "/api/v1") }
        ) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.throttled)
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"code":0,"message":"ok","data":{"docId":123,"url":"u"}}"#) }, make: { try Self.platform($0 + "/api/v1") }
        ) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("without data.docId and data.url"))
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"code":0,"message":"ok","data":{"docId":"d-1","url":"https://x/d-1","extra":[1]}}"#) },
            make: { try Self.platform($0 + "/api/v1") }
        ) { adapter in
            let receipt = try await adapter.deliver(request, deadline: Self.deadline)
            #expect(receipt.remoteID == "d-1")
        }
    }

    static func credit(_ endpoint: String, token: String = "tok") throws -> CreditFeedAdapter {
        let definition = ChannelDefinition(
            id: "credit-feed", kind: .creditFeed, endpoint: endpoint, credentials: ["apiToken": .environment("TOKEN")],
            options: [:], audience: .government)
        return try CreditFeedAdapter.make(definition, environment: ["TOKEN": token], clock: SystemWallClock())
    }

    @Test("credit feed: a 200 that is not JSON or has no results list is retryable; a rejected record is permanent with its code")
    func credit() async throws {
        let request = CreditFeedAdapterTests.request(SampleDisclosures.licence)
        try await Self.against({ _ in ScriptedPlatform.text(Self.proxyPage) }, make: { try Self.credit($0) }) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(!error.failure.permanent)
            #expect(error.failure.message == "the credit platform answered 200 without per-record results")
        }
        try await Self.against({ _ in ScriptedPlatform.json(#"{"results":[1,2]}"#) }, make: { try Self.credit($0) }) { adapter in
            #expect(await Self.failure(adapter, request)?.failure.permanent == false)
        }
        try await Self.against(
            { request in
                let id = ((request.json?["records"] as? [[String: Any]])?.first?["recordId"] as? String) ?? ""
                return ScriptedPlatform.json(
                    #"{"results":[{"recordId":"\#(id)","status":"rejected","code":"BAD","reason":"no","extra":1}]}"#)
            }, make: { try Self.credit($0) }
        ) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.permanent)
            #expect(error.failure.message == "record rejected by the credit platform (BAD): no")
        }
        try await Self.against(
            { _ in ScriptedPlatform.json(#"{"code":"AUTH","reason":"bad token"}"#, status: .unauthorized) }, make: { try Self.credit($0) }
        ) { adapter in
            let error = try #require(await Self.failure(adapter, request))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("HTTP 401, AUTH: bad token"))
        }
    }
}
