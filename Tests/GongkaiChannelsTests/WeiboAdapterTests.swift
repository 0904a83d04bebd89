import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import NIOHTTP1
import Testing

@Suite("Weibo status text")
struct WeiboStatusTextTests {
    static let link = "https://lycy.jl.gov.cn/zwgk/zcwj/202603/t20260305_1234567.html"

    @Test("Weibo counts half-width characters half, others one, rounded up")
    func counting() {
        #expect(WeiboStatusText.length("abcd") == 2)
        #expect(WeiboStatusText.length("abc") == 2)
        #expect(WeiboStatusText.length("政务公开") == 4)
        #expect(WeiboStatusText.length("政务a") == 3)
        #expect(WeiboStatusText.length("（第2版）") == 5)
    }

    @Test("a 200-character title is shortened to fit 140 with the link whole at the end")
    func longTitle() throws {
        let title = String(repeating: "关于全面推进政务公开工作的实施方案", count: 12).prefix(200)
        #expect(title.count == 200)
        let text = try #require(
            WeiboStatusText.compose(title: String(title), documentNumber: "吉林林草发〔2026〕12号", version: 1, link: Self.link))
        #expect(WeiboStatusText.length(text) <= 140)
        #expect(WeiboStatusText.length(text) >= 139)
        #expect(text.hasSuffix(" " + Self.link))
        #expect(text.hasPrefix("关于全面推进"))
        #expect(text.contains("…（吉林林草发〔2026〕12号）"))
    }

    @Test("a short title keeps title and 文号 whole; versions differ")
    func versions() throws {
        let one = try #require(
            WeiboStatusText.compose(title: "通知", documentNumber: "吉林林草办发〔2026〕41号", version: 1, link: Self.link))
        let two = try #require(
            WeiboStatusText.compose(title: "通知", documentNumber: "吉林林草办发〔2026〕41号", version: 2, link: Self.link))
        #expect(one == "通知（吉林林草办发〔2026〕41号） " + Self.link)
        #expect(two == "通知（吉林林草办发〔2026〕41号）（第2版） " + Self.link)
        #expect(one != two)
    }

    @Test("a link too long for a post gives no text")
    func linkTooLong() {
        let link = "https://lycy.jl.gov.cn/" + String(repeating: "a", count: 290)
        #expect(WeiboStatusText.compose(title: "通知", documentNumber: nil, version: 1, link: link) == nil)
    }
}

@Suite("Weibo adapter against its simulator")
struct WeiboAdapterTests {
    static let token = "2.00weibo-token-abc123"
    static let domain = "lycy.jl.gov.cn"
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static var deadline: NIODeadline { .now() + .seconds(5) }

    /// A share sent as another client would, `form` as it is; the answer's body.
    static func rawShare(_ simulator: WeiboSimulator, form: String) async throws -> String {
        var request = HTTPClientRequest(url: simulator.baseURL + "/2/statuses/share.json")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return String(buffer: try await response.body.collect(upTo: 1 << 16))
    }

    static func withWeibo(
        options: [String: String] = [:], token: String = token, postsPerHour: Int = 30,
        _ body: (WeiboSimulator, WeiboAdapter) async throws -> Void
    ) async throws {
        let simulator = WeiboSimulator(
            accessToken: Self.token, registeredDomain: domain, postsPerHour: postsPerHour, logger: logger)
        try await simulator.start()
        var allOptions = ["registeredDomain": domain, "rip": "203.0.113.10"]
        allOptions.merge(options) { _, new in new }
        let definition = ChannelDefinition(
            id: "weibo", kind: .weibo, endpoint: simulator.baseURL + "/2",
            credentials: ["accessToken": .environment("WEIBO_TOKEN")], options: allOptions)
        let adapter = try WeiboAdapter.make(definition, environment: ["WEIBO_TOKEN": token], clock: SystemWallClock())
        do {
            try await body(simulator, adapter)
        } catch {
            await adapter.shutdown()
            await simulator.stop()
            throw error
        }
        await adapter.shutdown()
        await simulator.stop()
    }

    static func request(
        _ item: DisclosureItem, version: Int = 1, operation: DeliveryOperation = .publish, remoteID: String? = nil,
        canonicalURL: String? = "https://lycy.jl.gov.cn/zwgk/zcwj/202603/t20260305_1234567.html"
    ) -> DeliveryRequest {
        DeliveryRequest(
            itemID: item.id, version: version, channelID: "weibo", operation: operation,
            contentHash: ItemCanonicalForm.contentHash(item),
            document: ItemCanonicalForm.document(PrivacyMasking.maskedForPublic(item)), remoteID: remoteID,
            canonicalURL: canonicalURL)
    }

    @Test("a policy is posted with title, 文号 and the canonical link")
    func success() async throws {
        try await Self.withWeibo { simulator, adapter in
            let request = Self.request(SampleDisclosures.policy)
            let receipt = try await adapter.deliver(request, deadline: Self.deadline)
            let id = try #require(receipt.remoteID)
            let post = try #require(simulator.post(id: id))
            #expect(post.text.hasPrefix(SampleDisclosures.policy.title))
            #expect(post.text.contains("（吉林林草发〔2026〕12号）"))
            #expect(post.text.hasSuffix(" " + (request.canonicalURL ?? "")))
            #expect(receipt.remoteURL == "https://weibo.com/7654321098/\(id)")
            let checks = await adapter.check(deadline: Self.deadline)
            #expect(checks.count == 3)
            #expect(checks.allSatisfy { $0.passed })
        }
    }

    @Test("a 200-character title fits 140 with the link intact and the simulator takes it")
    func longTitle() async throws {
        try await Self.withWeibo { simulator, adapter in
            var item = SampleDisclosures.policy
            item.title = String(String(repeating: "吉林省林业和草原局关于全面推进政务公开工作的实施方案", count: 10).prefix(200))
            let request = Self.request(item)
            let receipt = try await adapter.deliver(request, deadline: Self.deadline)
            let post = try #require(simulator.post(id: receipt.remoteID ?? ""))
            #expect(WeiboStatusText.length(post.text) <= 140)
            #expect(post.text.hasSuffix(" " + (request.canonicalURL ?? "")))
            #expect(post.text.contains("…"))
        }
    }

    @Test("Weibo refuses identical posts; versions 1 and 2 differ, and a resend of version 1 finds its post")
    func duplicates() async throws {
        try await Self.withWeibo { simulator, adapter in
            let item = SampleDisclosures.notice
            let first = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
            // The same version again, as after a lost answer: Weibo says 20019, the adapter finds the post.
            let again = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
            #expect(again.remoteID == first.remoteID)
            #expect(simulator.rejectedCounts["20019"] == 1)
            #expect(simulator.posts().count == 1)
            // Version 2 with unchanged text is still a different post; the old one is deleted.
            let second = try await adapter.deliver(
                Self.request(item, version: 2, remoteID: first.remoteID), deadline: Self.deadline)
            #expect(second.remoteID != first.remoteID)
            let posts = simulator.posts()
            #expect(posts.count == 1)
            #expect(posts.first?.id == second.remoteID)
            #expect(posts.first?.text.contains("（第2版）") == true)
            #expect(simulator.rejectedCounts["20019"] == 1)
        }
    }

    @Test("an invalid or expired token is permanent and the message never carries the token")
    func invalidToken() async throws {
        try await Self.withWeibo(token: "2.00wrong-token-xyz") { simulator, adapter in
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(SampleDisclosures.policy), deadline: Self.deadline)
                Issue.record("a wrong token must fail")
            } catch {
                #expect(!error.isRetryable)
                #expect(error.failure.message.contains("21332"))
                #expect(error.failure.message.contains("re-authorise"))
                #expect(!error.description.contains("2.00wrong-token-xyz"))
            }
            #expect(simulator.posts().isEmpty)
            let checks = await adapter.check(deadline: Self.deadline)
            let credentials = try #require(checks.first { $0.name == "credentials" })
            #expect(!credentials.passed)
            #expect(!credentials.detail.contains("2.00wrong-token-xyz"))
        }
        try await Self.withWeibo { simulator, adapter in
            simulator.setTokenExpired(true)
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(SampleDisclosures.policy), deadline: Self.deadline)
                Issue.record("an expired token must fail")
            } catch {
                #expect(!error.isRetryable)
                #expect(error.failure.message.contains("21327"))
                #expect(!error.description.contains(Self.token))
            }
        }
    }

    @Test("the rate limit is throttled and retryable; a system error is retryable")
    func rateLimit() async throws {
        try await Self.withWeibo(postsPerHour: 1) { simulator, adapter in
            _ = try await adapter.deliver(Self.request(SampleDisclosures.policy), deadline: Self.deadline)
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(SampleDisclosures.interpretation), deadline: Self.deadline)
                Issue.record("the second post in the hour must be refused")
            } catch {
                #expect(error.isRetryable)
                #expect(error.failure.throttled)
                #expect(error.failure.message.contains("10023"))
            }
            #expect(simulator.posts().count == 1)
            simulator.setPostsPerHour(30)
            simulator.setFaults(WeiboFaults(script: [.systemError]))
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(SampleDisclosures.interpretation), deadline: Self.deadline)
                Issue.record("a system error must fail")
            } catch {
                #expect(error.isRetryable)
                #expect(!error.failure.throttled)
            }
            _ = try await adapter.deliver(Self.request(SampleDisclosures.interpretation), deadline: Self.deadline)
            #expect(simulator.posts().count == 2)
        }
    }

    @Test("a withdrawal deletes the post; deleting it again is still a success")
    func delete() async throws {
        try await Self.withWeibo { simulator, adapter in
            let item = SampleDisclosures.policy
            let receipt = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
            let id = try #require(receipt.remoteID)
            _ = try await adapter.deliver(Self.request(item, operation: .withdraw, remoteID: id), deadline: Self.deadline)
            #expect(simulator.post(id: id) == nil)
            _ = try await adapter.deliver(Self.request(item, operation: .withdraw, remoteID: id), deadline: Self.deadline)
            #expect(simulator.rejectedCounts["20101"] == 1)
        }
    }

    @Test("the listing pages through the timeline, newest first")
    func listing() async throws {
        try await Self.withWeibo(options: ["listPageSize": "2"]) { simulator, adapter in
            var ids: [String] = []
            for item in [SampleDisclosures.policy, SampleDisclosures.interpretation, SampleDisclosures.notice] {
                let receipt = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
                ids.append(try #require(receipt.remoteID))
            }
            let first = try await adapter.list(cursor: nil, deadline: Self.deadline)
            #expect(first.entries.map(\.remoteID) == [ids[2], ids[1]])
            #expect(first.nextCursor == "2")
            #expect(first.entries[0].title?.hasPrefix(SampleDisclosures.notice.title) == true)
            let second = try await adapter.list(cursor: first.nextCursor, deadline: Self.deadline)
            #expect(second.entries.map(\.remoteID) == [ids[0]])
            #expect(second.nextCursor == nil)
            simulator.deletePost(id: ids[0])
            let after = try await adapter.list(cursor: nil, deadline: Self.deadline)
            #expect(after.nextCursor == nil)
            #expect(!after.entries.contains { $0.remoteID == ids[0] })
        }
    }

    @Test("without a canonical URL on the domain: permanent naming the field, or the fallback link")
    func canonicalURL() async throws {
        try await Self.withWeibo { simulator, adapter in
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(SampleDisclosures.policy, canonicalURL: nil), deadline: Self.deadline)
                Issue.record("no canonical URL must fail")
            } catch {
                #expect(!error.isRetryable)
                #expect(error.failure.message.contains("canonicalURL"))
            }
            do throws(DeliveryError) {
                _ = try await adapter.deliver(
                    Self.request(SampleDisclosures.policy, canonicalURL: "https://example.com/a.html"), deadline: Self.deadline)
                Issue.record("an off-domain canonical URL must fail")
            } catch {
                #expect(!error.isRetryable)
                #expect(error.failure.message.contains("registered domain"))
            }
            #expect(simulator.shareRequestCount == 0)
        }
        try await Self.withWeibo(options: ["fallbackURL": "https://www.lycy.jl.gov.cn/zwgk/"]) { simulator, adapter in
            let receipt = try await adapter.deliver(
                Self.request(SampleDisclosures.policy, canonicalURL: nil), deadline: Self.deadline)
            #expect(simulator.post(id: receipt.remoteID ?? "")?.text.hasSuffix(" https://www.lycy.jl.gov.cn/zwgk/") == true)
        }
    }

    @Test("the simulator refuses a link off the registered domain with 20018 (包含非法网址)")
    func simulatorRefusesOtherDomains() async throws {
        // An adapter configured for another domain than the app's: Weibo's own check catches it.
        let simulator = WeiboSimulator(accessToken: Self.token, registeredDomain: "other.gov.cn", logger: Self.logger)
        try await simulator.start()
        let definition = ChannelDefinition(
            id: "weibo", kind: .weibo, endpoint: simulator.baseURL,
            credentials: ["accessToken": .environment("WEIBO_TOKEN")],
            options: ["registeredDomain": Self.domain, "rip": "203.0.113.10"])
        let adapter = try WeiboAdapter.make(definition, environment: ["WEIBO_TOKEN": Self.token], clock: SystemWallClock())
        do throws(DeliveryError) {
            _ = try await adapter.deliver(Self.request(SampleDisclosures.policy), deadline: Self.deadline)
            Issue.record("the simulator must refuse the link")
        } catch {
            #expect(!error.isRetryable)
            // Before this change the adapter and simulator read 20021 as the URL error.
            #expect(error.failure.message.contains("20018"))
            #expect(error.failure.message.contains("registeredDomain"))
        }
        #expect(simulator.rejectedCounts["20018"] == 1)
        await adapter.shutdown()
        await simulator.stop()
    }

    @Test("20021 (包含非法内容) is permanent and says the text itself is refused; the simulator refuses topic markers with it")
    func illegalContentIs20021() async throws {
        try await Self.withWeibo { simulator, adapter in
            simulator.setFaults(WeiboFaults(script: [.illegalContent]))
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(SampleDisclosures.policy), deadline: Self.deadline)
                Issue.record("a refused text must fail")
            } catch {
                #expect(!error.isRetryable)
                #expect(error.failure.message.contains("20021"))
                #expect(error.failure.message.contains("包含非法内容"))
                #expect(!error.failure.message.contains("registeredDomain"))
            }
            #expect(simulator.posts().isEmpty)
        }
        // Topic markers sent as they are (the adapter drops them; another client may not).
        let simulator = WeiboSimulator(accessToken: Self.token, registeredDomain: Self.domain, logger: Self.logger)
        try await simulator.start()
        let body = try await Self.rawShare(
            simulator,
            form: "access_token=\(Self.token)&rip=203.0.113.10&status=%23%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80%23%20%E9%80%9A%E7%9F%A5%20https%3A%2F%2Flycy.jl.gov.cn%2Fa")
        await simulator.stop()
        #expect(body.contains("20021"), "\(body)")
        #expect(simulator.posts().isEmpty)
    }

    @Test("every share carries rip, the operating user's IP; the simulator refuses one without it")
    func shareCarriesRip() async throws {
        try await Self.withWeibo { simulator, adapter in
            _ = try await adapter.deliver(Self.request(SampleDisclosures.policy), deadline: Self.deadline)
            #expect(simulator.rejectedCounts["10016"] == nil)
            #expect(simulator.posts().count == 1)
        }
        let simulator = WeiboSimulator(accessToken: Self.token, registeredDomain: Self.domain, logger: Self.logger)
        try await simulator.start()
        let body = try await Self.rawShare(
            simulator, form: "access_token=\(Self.token)&status=%E9%80%9A%E7%9F%A5%20https%3A%2F%2Flycy.jl.gov.cn%2Fa")
        await simulator.stop()
        #expect(body.contains("10016"))
        #expect(body.contains("rip"))
    }

    @Test("options.rip must be an IP address, named in the error")
    func ripIsValidated() {
        for bad in ["", "egress", "300.1.1.1"] {
            let definition = ChannelDefinition(
                id: "weibo", kind: .weibo, endpoint: "https://api.weibo.com/2",
                credentials: ["accessToken": .environment("WEIBO_TOKEN")],
                options: ["registeredDomain": Self.domain, "rip": bad])
            #expect(throws: GongkaiError.self) {
                _ = try WeiboAdapter.make(definition, environment: ["WEIBO_TOKEN": Self.token], clock: SystemWallClock())
            }
            do {
                _ = try WeiboAdapter.make(definition, environment: ["WEIBO_TOKEN": Self.token], clock: SystemWallClock())
            } catch {
                #expect(error.field == "options.rip")
            }
        }
        #expect(WeiboAdapter.isIPAddress("2001:db8::1"))
    }

    @Test("topic markers (#话题#) are dropped from the shared text, which the simulator would refuse with 20021")
    func topicMarkersDropped() async throws {
        var item = SampleDisclosures.policy
        item.title = "#森林防火#关于加强春季森林防火工作的通知"
        try await Self.withWeibo { simulator, adapter in
            let receipt = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
            let text = simulator.post(id: receipt.remoteID ?? "")?.text ?? ""
            // Before this change the markers were posted as they were.
            #expect(text.hasPrefix("森林防火关于加强春季森林防火工作的通知"))
            #expect(!text.contains("#"))
        }
        #expect(WeiboStatusText.compose(title: "#话题#标题", documentNumber: nil, version: 1, link: "https://a.cn/x#frag")
            == "话题标题 https://a.cn/x#frag")
    }

    @Test("the shipped channel file loads and builds an adapter")
    func channelFile() async throws {
        let path = #filePath.replacingOccurrences(
            of: "Tests/GongkaiChannelsTests/WeiboAdapterTests.swift", with: "channels/weibo.yaml")
        let definition = try ChannelFileLoader.parse(try String(contentsOfFile: path, encoding: .utf8), source: "weibo.yaml")
        #expect(definition.kind == .weibo)
        #expect(definition.audience == .public)
        #expect(definition.waitsForCanonical)
        let adapter = try WeiboAdapter.make(
            definition, environment: ["GONGKAI_WEIBO_ACCESS_TOKEN": "t"], clock: SystemWallClock())
        #expect(adapter.capabilities == [.publish, .withdraw, .list])
        await adapter.shutdown()
        var bad = definition
        bad.options["colour"] = "red"
        #expect(throws: GongkaiError.self) {
            _ = try WeiboAdapter.make(bad, environment: ["GONGKAI_WEIBO_ACCESS_TOKEN": "t"], clock: SystemWallClock())
        }
    }
}
