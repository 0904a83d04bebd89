import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import Testing

/// A running WeChat simulator and an adapter pointed at it.
struct WeChatFixture {
    static let appID = "wx51a0c0ffee000001"
    static let appSecret = "s3cr3t-wechat-app-secret-0123456789"
    static let thumb = "simThumbMedia"
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    let simulator: WeChatSimulator
    let tokens: WeChatTokenCache

    static func start() async throws -> WeChatFixture {
        let simulator = WeChatSimulator(appID: appID, appSecret: appSecret, permanentMedia: [thumb], logger: logger)
        try await simulator.start(host: "127.0.0.1", port: 0)
        return WeChatFixture(simulator: simulator, tokens: WeChatTokenCache())
    }

    func definition(options: [String: String] = [:]) -> ChannelDefinition {
        var all = ["appID": Self.appID, "thumbMediaID": Self.thumb, "author": "吉林省林草局", "publishWait": "2s"]
        for (key, value) in options { all[key] = value }
        return ChannelDefinition(
            id: "wechat", kind: .wechat, endpoint: simulator.baseURL,
            credentials: ["appSecret": .environment("GONGKAI_TEST_WECHAT_SECRET")], options: all)
    }

    /// An adapter; `tokens` defaults to this fixture's cache (one "process").
    func adapter(
        options: [String: String] = [:], secret: String = appSecret, tokens: WeChatTokenCache? = nil
    ) throws -> WeChatAdapter {
        try WeChatAdapter.make(
            definition(options: options), environment: ["GONGKAI_TEST_WECHAT_SECRET": secret], clock: SystemWallClock(),
            tokens: tokens ?? self.tokens)
    }

    func stop() async { await simulator.stop() }

    static func request(
        _ item: DisclosureItem, version: Int = 1, operation: DeliveryOperation = .publish, remoteID: String? = nil,
        onPortal: Bool = true
    ) -> DeliveryRequest {
        // Each item has its own portal article (阅读原文) unless a test says otherwise.
        let canonicalURL = onPortal ? "https://www.example.gov.cn/zwgk/art/\(item.id).html" : nil
        return DeliveryRequest(
            itemID: item.id, version: version, channelID: "wechat", operation: operation,
            contentHash: ItemCanonicalForm.contentHash(item), document: ItemCanonicalForm.document(item),
            remoteID: remoteID, canonicalURL: canonicalURL)
    }

    static func deadline() -> NIODeadline { .now() + .seconds(30) }

    /// Calls `deliver` until it is no longer in progress (the engine's loop, without its waiting).
    static func deliverToEnd(_ adapter: WeChatAdapter, _ request: DeliveryRequest) async throws -> (DeliveryReceipt, Int) {
        var request = request
        var rounds = 0
        while true {
            rounds += 1
            let receipt = try await adapter.deliver(request, deadline: deadline())
            guard receipt.checkAfter != nil, rounds < 50 else { return (receipt, rounds) }
            request.remoteID = receipt.remoteID
        }
    }

    static func item(_ id: String, title: String? = nil, body: String? = nil) -> DisclosureItem {
        var item = SampleDisclosures.policy
        item.id = id
        if let title { item.title = title }
        if let body { item.body = body }
        return item
    }
}

@Suite("WeChat official account adapter")
struct WeChatAdapterTests {
    @Test("a publish goes token → draft → submit → poll and answers the article id and URL")
    func publishSucceeds() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        let receipt = try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        let articleID = try #require(receipt.remoteID)
        #expect(receipt.checkAfter == nil)
        let article = try #require(fixture.simulator.article(articleID))
        #expect(receipt.remoteURL == article.url)
        #expect(article.state == .live)
        #expect(article.author == "吉林省林草局")
        #expect(article.contentSourceURL == "https://www.example.gov.cn/zwgk/art/\(SampleDisclosures.policy.id).html")
        #expect(article.content.contains("文号：吉林林草发〔2026〕12号"))
        #expect(article.content.contains("发布机构：吉林省林业和草原局"))
        #expect(article.content.contains("发布日期：2026-03-05"))
        #expect(article.content.contains("阅读原文"))
        #expect(article.digest.hasPrefix("为全面推进决策"))
        #expect(fixture.simulator.callCount("stable_token") == 1)
        #expect(fixture.simulator.callCount("draft/add") == 1)
        #expect(fixture.simulator.callCount("freepublish/submit") == 1)
        #expect(fixture.simulator.callCount("freepublish/get") >= 1)
        await adapter.shutdown()
    }

    @Test("a first publish retried after a lost answer adopts the article instead of publishing twice")
    func retriedFirstPublishAdoptsArticle() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        let request = WeChatFixture.request(SampleDisclosures.policy)
        let first = try await adapter.deliver(request, deadline: WeChatFixture.deadline())
        // The engine never saw `first` (timeout after submit) and sends the same request again.
        let retried = try await adapter.deliver(request, deadline: WeChatFixture.deadline())
        #expect(retried.remoteID == first.remoteID)
        #expect(retried.remoteURL == first.remoteURL)
        #expect(fixture.simulator.callCount("freepublish/submit") == 1)
        #expect(fixture.simulator.liveArticles().count == 1)
        // Another item (same title, its own portal URL) is published as usual.
        let other = WeChatFixture.request(WeChatFixture.item("other"))
        let third = try await adapter.deliver(other, deadline: WeChatFixture.deadline())
        #expect(third.remoteID != first.remoteID)
        await adapter.shutdown()
    }

    @Test("an expired token (42001) is refreshed once and the call succeeds")
    func expiredTokenRefreshed() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        _ = try await adapter.deliver(WeChatFixture.request(WeChatFixture.item("a")), deadline: WeChatFixture.deadline())
        // The platform's clock passes the 7200 s lifetime; ours has not noticed.
        fixture.simulator.advanceClock(by: 7_201_000)
        let receipt = try await adapter.deliver(WeChatFixture.request(WeChatFixture.item("b")), deadline: WeChatFixture.deadline())
        #expect(receipt.remoteID != nil && receipt.checkAfter == nil)
        #expect(fixture.simulator.rejectedCounts["expired-token"] == 1)
        #expect(fixture.simulator.callCount("stable_token") == 2)
        #expect(fixture.simulator.forcedRefreshCount == 0)
        await adapter.shutdown()
    }

    @Test("a stale cached token (40001) is refreshed once and the call succeeds")
    func invalidTokenRefreshed() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        _ = try await adapter.deliver(WeChatFixture.request(WeChatFixture.item("a")), deadline: WeChatFixture.deadline())
        fixture.simulator.invalidateTokens()
        let receipt = try await adapter.deliver(WeChatFixture.request(WeChatFixture.item("b")), deadline: WeChatFixture.deadline())
        #expect(receipt.remoteID != nil)
        #expect(fixture.simulator.rejectedCounts["invalid-token"] == 1)
        #expect(fixture.simulator.callCount("stable_token") == 2)
        await adapter.shutdown()
    }

    @Test("40001 for a freshly fetched token too stops retrying and names the AppSecret and IP whitelist")
    func invalidCredentialAfterRefreshIsPermanent() async throws {
        // Before this change the second 40001 was retryable: the delivery kept fetching tokens until retries ran out.
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        fixture.simulator.setRefusingEveryToken(true)
        do {
            _ = try await adapter.deliver(WeChatFixture.request(WeChatFixture.item("a")), deadline: WeChatFixture.deadline())
            Issue.record("a refused token was accepted")
        } catch {
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("credentials.appSecret"))
            #expect(error.failure.message.contains("IP白名单"))
            #expect(!error.failure.message.contains(WeChatFixture.appSecret))
        }
        // The adoption search is sent twice: with the cached token and once after a refresh
        // (normal, then forced when normal hands back the same token); then it stops: no draft/add
        // spends two more stable_token fetches on the same refusal (it did: 5 fetches in all).
        #expect(fixture.simulator.rejectedCounts["invalid-token"] == 2)
        #expect(fixture.simulator.callCount("stable_token") == 3)
        #expect(fixture.simulator.callCount("draft/add") == 0)
        #expect(fixture.simulator.callCount("freepublish/submit") == 0)
        await adapter.shutdown()
    }

    @Test("a portal URL over 1 KB is refused before draft/add, naming the field (the simulator refuses one too: WeChatSimulatorTests)")
    func contentSourceURLLimit() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        var request = WeChatFixture.request(WeChatFixture.item("long-url"))
        request.canonicalURL = "https://www.example.gov.cn/zwgk/" + String(repeating: "a", count: 1_100) + ".html"
        do {
            _ = try await adapter.deliver(request, deadline: WeChatFixture.deadline())
            Issue.record("a 1.1 KB content_source_url was sent")
        } catch {
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("canonicalURL"))
        }
        #expect(fixture.simulator.callCount("draft/add") == 0)
        await adapter.shutdown()
    }

    @Test("when a normal refresh hands back the refused token, one forced refresh follows")
    func forcedRefreshWhenNormalModeReturnsSameToken() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        _ = try await adapter.deliver(WeChatFixture.request(WeChatFixture.item("a")), deadline: WeChatFixture.deadline())
        fixture.simulator.revokeTokensKeepingCurrent()
        let receipt = try await adapter.deliver(WeChatFixture.request(WeChatFixture.item("b")), deadline: WeChatFixture.deadline())
        #expect(receipt.remoteID != nil)
        #expect(fixture.simulator.forcedRefreshCount == 1)
        #expect(fixture.simulator.callCount("stable_token") == 3)
        await adapter.shutdown()
    }

    @Test("ten concurrent publishes share one stable_token fetch")
    func concurrentSendsShareOneToken() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        let receipts = try await withThrowingTaskGroup(of: DeliveryReceipt.self) { group in
            for index in 0..<10 {
                group.addTask {
                    try await adapter.deliver(
                        WeChatFixture.request(WeChatFixture.item("item-\(index)")), deadline: WeChatFixture.deadline())
                }
            }
            var all: [DeliveryReceipt] = []
            for try await receipt in group { all.append(receipt) }
            return all
        }
        #expect(Set(receipts.compactMap(\.remoteID)).count == 10)
        #expect(fixture.simulator.callCount("stable_token") == 1)
        #expect(await fixture.tokens.fetchCount == 1)
        #expect(fixture.simulator.liveArticles().count == 10)
        await adapter.shutdown()
    }

    @Test("a publish still in progress is finished by a new adapter instance without a second submit")
    func inProgressSurvivesRestart() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.simulator.setPublishPlan(WeChatPublishPlan(pollsInProgress: 3, finalStatus: 0))
        let first = try fixture.adapter(options: ["publishWait": "0s", "checkAfter": "10s"])
        let receipt = try await first.deliver(WeChatFixture.request(SampleDisclosures.policy, version: 2), deadline: WeChatFixture.deadline())
        let pendingID = try #require(receipt.remoteID)
        #expect(pendingID.hasPrefix("publish:v2:"))
        #expect(receipt.checkAfter == 10_000)
        await first.shutdown()

        // "Restart": a new adapter and a new token cache; only the stored remote id carries over.
        let second = try fixture.adapter(options: ["publishWait": "0s", "checkAfter": "10s"], tokens: WeChatTokenCache())
        let again = try await second.deliver(
            WeChatFixture.request(SampleDisclosures.policy, version: 2, remoteID: pendingID), deadline: WeChatFixture.deadline())
        #expect(again.checkAfter == 20_000)  // backs off
        let (done, _) = try await WeChatFixture.deliverToEnd(
            second, WeChatFixture.request(SampleDisclosures.policy, version: 2, remoteID: again.remoteID))
        #expect(done.checkAfter == nil)
        let articleID = try #require(done.remoteID)
        #expect(fixture.simulator.article(articleID)?.state == .live)
        #expect(fixture.simulator.callCount("freepublish/submit") == 1)
        #expect(fixture.simulator.callCount("draft/add") == 1)
        await second.shutdown()
    }

    @Test("a short in-call poll finishes a publish that completes within a few seconds")
    func inCallPollFinishes() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.simulator.setPublishPlan(WeChatPublishPlan(pollsInProgress: 1, finalStatus: 0))
        let adapter = try fixture.adapter(options: ["publishWait": "3s"])
        let receipt = try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        #expect(receipt.checkAfter == nil)
        #expect(receipt.remoteID.flatMap { fixture.simulator.article($0) } != nil)
        #expect(fixture.simulator.callCount("freepublish/get") == 2)
        await adapter.shutdown()
    }

    @Test("publish_status 4 is a permanent failure stating its meaning in Chinese and English")
    func failedStatusIsPermanent() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.simulator.setPublishPlan(WeChatPublishPlan(pollsInProgress: 0, finalStatus: 4))
        let adapter = try fixture.adapter()
        let error = await #expect(throws: DeliveryError.self) {
            try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        }
        #expect(error?.failure.permanent == true)
        #expect(error?.failure.message.contains("平台审核不通过") == true)
        #expect(error?.failure.message.contains("rejected by WeChat's content review") == true)
        #expect(fixture.simulator.liveArticles().isEmpty)
        await adapter.shutdown()
    }

    @Test("45009 (daily quota) is retryable and throttled with a back-off of at least an hour")
    func quotaIsThrottled() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.simulator.setFaults(WeChatFaults(quotaExhausted: true))
        let adapter = try fixture.adapter()
        let error = await #expect(throws: DeliveryError.self) {
            try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        }
        #expect(error?.isRetryable == true)
        #expect(error?.failure.throttled == true)
        #expect((error?.failure.retryAfter ?? 0) >= 3_600_000)
        #expect(error?.failure.message.contains("45009") == true)
        #expect(error?.indicatesOutage == false)  // a quota is not an outage: the breaker stays closed
        await adapter.shutdown()
    }

    @Test("system busy (-1) is retryable")
    func systemBusyIsRetryable() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.simulator.setFaults(WeChatFaults(systemBusyRate: 1))
        let adapter = try fixture.adapter()
        let error = await #expect(throws: DeliveryError.self) {
            try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        }
        #expect(error?.isRetryable == true)
        #expect(error?.failure.throttled == false)
        #expect(error?.indicatesOutage == true)
        #expect(fixture.simulator.callCount("freepublish/submit") == 0)
        await adapter.shutdown()
    }

    @Test("a 40-character title is cut to 32 without splitting a character")
    func longTitleTrimmed() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        // 30 characters, then one outside the BMP (two UTF-16 units) straddling the limit, then more.
        let title = String(repeating: "政", count: 30) + "𠀀" + String(repeating: "务", count: 9)
        #expect(title.count == 40)
        let adapter = try fixture.adapter()
        let receipt = try await adapter.deliver(
            WeChatFixture.request(WeChatFixture.item("long-title", title: title)), deadline: WeChatFixture.deadline())
        let article = try #require(receipt.remoteID.flatMap { fixture.simulator.article($0) })
        #expect(article.title.utf16.count <= 32)
        #expect(article.title == String(repeating: "政", count: 30) + "…")
        #expect(fixture.simulator.rejectedCounts["title-too-long"] == nil)
        await adapter.shutdown()
    }

    @Test("a body too long for WeChat is excerpted with 阅读原文, or refused naming `body` without a portal URL")
    func longContent() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let paragraph = "<p>" + String(repeating: "依法推进政务公开工作。", count: 40) + "</p>"
        let body = String(repeating: paragraph, count: 60)  // about 25,000 characters
        let item = WeChatFixture.item("long-body", body: body)
        let adapter = try fixture.adapter()
        let receipt = try await adapter.deliver(WeChatFixture.request(item), deadline: WeChatFixture.deadline())
        let article = try #require(receipt.remoteID.flatMap { fixture.simulator.article($0) })
        #expect(article.content.utf16.count < 20_000)
        #expect(article.content.contains("以上为节选"))
        #expect(article.content.contains("发布机构"))

        let refused = await #expect(throws: DeliveryError.self) {
            try await adapter.deliver(WeChatFixture.request(item, onPortal: false), deadline: WeChatFixture.deadline())
        }
        #expect(refused?.failure.permanent == true)
        #expect(refused?.failure.message.contains("`body`") == true)
        #expect(fixture.simulator.callCount("draft/add") == 1)
        await adapter.shutdown()
    }

    @Test("images not on mmbiz.qpic.cn are dropped and the article says so")
    func externalImagesDropped() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let body = #"<p>图一</p><img src="https://www.example.gov.cn/a.png"/><img src='https://mmbiz.qpic.cn/mmbiz_png/x/0'>"#
        let adapter = try fixture.adapter()
        let receipt = try await adapter.deliver(
            WeChatFixture.request(WeChatFixture.item("images", body: body)), deadline: WeChatFixture.deadline())
        let article = try #require(receipt.remoteID.flatMap { fixture.simulator.article($0) })
        #expect(!article.content.contains("www.example.gov.cn/a.png"))
        #expect(article.content.contains("https://mmbiz.qpic.cn/mmbiz_png/x/0"))
        #expect(article.content.contains("1 张图片"))
        #expect(fixture.simulator.rejectedCounts["external-image"] == nil)
        await adapter.shutdown()
    }

    @Test("withdrawal deletes the article; a second withdrawal finds it gone and succeeds")
    func withdrawalDeletes() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        let published = try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        let articleID = try #require(published.remoteID)
        let withdrawal = WeChatFixture.request(SampleDisclosures.policy, operation: .withdraw, remoteID: articleID)
        _ = try await adapter.deliver(withdrawal, deadline: WeChatFixture.deadline())
        #expect(fixture.simulator.article(articleID)?.state == .deleted)
        _ = try await adapter.deliver(withdrawal, deadline: WeChatFixture.deadline())
        #expect(fixture.simulator.rejectedCounts["invalid-article-id"] == 1)
        await adapter.shutdown()
    }

    @Test("withdrawing a pending republish polls it, then deletes the new article and the one it replaces")
    func withdrawPendingRepublish() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter(options: ["publishWait": "0s"])
        let (first, _) = try await WeChatFixture.deliverToEnd(adapter, WeChatFixture.request(SampleDisclosures.policy))
        let old = try #require(first.remoteID)
        let edited = SampleDisclosures.edited(SampleDisclosures.policy)
        let pending = try await adapter.deliver(
            WeChatFixture.request(edited, version: 2, remoteID: old), deadline: WeChatFixture.deadline())
        #expect(pending.checkAfter != nil)
        #expect(fixture.simulator.article(old)?.state == .live)
        let withdrawal = WeChatFixture.request(edited, version: 2, operation: .withdraw, remoteID: pending.remoteID)
        let done = try await adapter.deliver(withdrawal, deadline: WeChatFixture.deadline())
        #expect(done.checkAfter == nil)
        #expect(fixture.simulator.liveArticles().isEmpty)
        #expect(fixture.simulator.articles().map(\.state) == [.deleted, .deleted])
        await adapter.shutdown()
    }

    @Test("withdrawing a pending publish that then failed has nothing to delete")
    func withdrawFailedPending() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.simulator.setPublishPlan(WeChatPublishPlan(pollsInProgress: 1, finalStatus: 3))
        let adapter = try fixture.adapter(options: ["publishWait": "0s"])
        let pending = try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        #expect(pending.checkAfter != nil)
        let withdrawal = WeChatFixture.request(SampleDisclosures.policy, operation: .withdraw, remoteID: pending.remoteID)
        let (done, rounds) = try await WeChatFixture.deliverToEnd(adapter, withdrawal)
        #expect(done.checkAfter == nil)
        #expect(rounds == 2)
        #expect(fixture.simulator.callCount("freepublish/delete") == 0)
        await adapter.shutdown()
    }

    @Test("a new version is a new article and the old one is deleted")
    func newVersionRepublishes() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        let first = try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        let oldID = try #require(first.remoteID)
        let edited = SampleDisclosures.edited(SampleDisclosures.policy)
        let second = try await adapter.deliver(
            WeChatFixture.request(edited, version: 2, remoteID: oldID), deadline: WeChatFixture.deadline())
        let newID = try #require(second.remoteID)
        #expect(newID != oldID)
        #expect(fixture.simulator.article(oldID)?.state == .deleted)
        #expect(fixture.simulator.liveArticles().map(\.articleID) == [newID])
        await adapter.shutdown()
    }

    @Test("a replaced article whose deletion fails is retried on later checks, and left live after the last")
    func replacedArticleDeletionRetried() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        let edited = SampleDisclosures.edited(SampleDisclosures.policy)
        // Deletion fails once, then works: the new article's receipt waits for it.
        let old = try #require(try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline()).remoteID)
        fixture.simulator.setFaults(WeChatFaults(busyAPIs: ["freepublish/delete"]))
        let waiting = try await adapter.deliver(
            WeChatFixture.request(edited, version: 2, remoteID: old), deadline: WeChatFixture.deadline())
        #expect(waiting.checkAfter != nil)
        #expect(waiting.remoteID?.contains("replaces=\(old)") == true)
        fixture.simulator.setFaults(.none)
        let done = try await adapter.deliver(
            WeChatFixture.request(edited, version: 2, remoteID: waiting.remoteID), deadline: WeChatFixture.deadline())
        let new = try #require(done.remoteID)
        #expect(done.checkAfter == nil)
        #expect(fixture.simulator.article(old)?.state == .deleted)
        #expect(fixture.simulator.liveArticles().map(\.articleID) == [new])

        // Deletion never works: after the last check the new article is reported and the old one stays.
        fixture.simulator.setFaults(WeChatFaults(busyAPIs: ["freepublish/delete"]))
        let third = SampleDisclosures.edited(edited)
        let (last, rounds) = try await WeChatFixture.deliverToEnd(
            adapter, WeChatFixture.request(third, version: 3, remoteID: new))
        #expect(last.checkAfter == nil)
        #expect(rounds == 9)
        let newest = try #require(last.remoteID)
        #expect(Set(fixture.simulator.liveArticles().map(\.articleID)) == [new, newest])
        #expect(fixture.simulator.callCount("freepublish/submit") == 3)
        await adapter.shutdown()
    }

    @Test("a new version arriving while the old one is still publishing waits for it, then replaces it")
    func newVersionWhileOldPending() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.simulator.setPublishPlan(WeChatPublishPlan(pollsInProgress: 1, finalStatus: 0))
        let adapter = try fixture.adapter(options: ["publishWait": "0s"])
        let pending = try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        fixture.simulator.setPublishPlan(.immediate)
        let edited = SampleDisclosures.edited(SampleDisclosures.policy)
        let (done, _) = try await WeChatFixture.deliverToEnd(
            adapter, WeChatFixture.request(edited, version: 2, remoteID: pending.remoteID))
        let newID = try #require(done.remoteID)
        #expect(fixture.simulator.liveArticles().map(\.articleID) == [newID])
        #expect(fixture.simulator.articles().count == 2)
        #expect(fixture.simulator.callCount("freepublish/submit") == 2)
        await adapter.shutdown()
    }

    @Test("listing pages through more than 20 articles by offset")
    func listingPages() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        var published: Set<String> = []
        for index in 0..<23 {
            let receipt = try await adapter.deliver(
                WeChatFixture.request(WeChatFixture.item("list-\(index)")), deadline: WeChatFixture.deadline())
            published.insert(try #require(receipt.remoteID))
        }
        let first = try await adapter.list(cursor: nil, deadline: WeChatFixture.deadline())
        #expect(first.entries.count == 20)
        #expect(first.nextCursor == "20")
        let second = try await adapter.list(cursor: first.nextCursor, deadline: WeChatFixture.deadline())
        #expect(second.entries.count == 3)
        #expect(second.nextCursor == nil)
        let listed = first.entries + second.entries
        #expect(Set(listed.map(\.remoteID)) == published)
        #expect(listed.allSatisfy { $0.itemID == nil && $0.url?.hasPrefix("https://mp.weixin.qq.com/s/") == true })
        #expect(listed.first?.title == SampleDisclosures.policy.title)
        await adapter.shutdown()
    }

    @Test("check fetches a token and publishes nothing; a wrong secret fails without showing it")
    func checkAndSecrets() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let good = try fixture.adapter()
        let checks = await good.check(deadline: WeChatFixture.deadline())
        #expect(checks.map(\.name) == ["configuration", "reachability", "credentials"])
        #expect(checks.allSatisfy { $0.passed })
        #expect(fixture.simulator.callCount("draft/add") == 0)
        #expect(fixture.simulator.callCount("freepublish/submit") == 0)
        await good.shutdown()

        let wrongSecret = "wrong-secret-value-987654321"
        let bad = try fixture.adapter(secret: wrongSecret, tokens: WeChatTokenCache())
        let failed = await bad.check(deadline: WeChatFixture.deadline())
        let credentials = try #require(failed.first { $0.name == "credentials" })
        #expect(!credentials.passed)
        #expect(credentials.detail.contains("credentials.appSecret"))
        let error = await #expect(throws: DeliveryError.self) {
            try await bad.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        }
        #expect(error?.failure.permanent == true)
        for text in failed.map(\.detail) + [error?.description ?? ""] {
            #expect(!text.contains(wrongSecret))
            #expect(!text.contains(WeChatFixture.appSecret))
            #expect(!text.contains("access_token="))
        }
        await bad.shutdown()
    }

    @Test("no error text carries the secret or the access token")
    func errorsCarryNoSecret() async throws {
        let fixture = try await WeChatFixture.start()
        defer { Task { await fixture.stop() } }
        let adapter = try fixture.adapter()
        fixture.simulator.setFaults(WeChatFaults(serverErrorRate: 1))
        var messages: [String] = []
        do {
            _ = try await adapter.deliver(WeChatFixture.request(SampleDisclosures.policy), deadline: WeChatFixture.deadline())
        } catch {
            messages.append(error.description)
        }
        fixture.simulator.setFaults(WeChatFaults(quotaExhausted: true))
        do {
            _ = try await adapter.list(cursor: nil, deadline: WeChatFixture.deadline())
        } catch {
            messages.append(error.description)
        }
        #expect(messages.count == 2)
        for message in messages {
            #expect(!message.contains(WeChatFixture.appSecret))
            #expect(!message.contains("simtoken"))
            #expect(!message.contains("access_token="))
        }
        await adapter.shutdown()
    }
}
