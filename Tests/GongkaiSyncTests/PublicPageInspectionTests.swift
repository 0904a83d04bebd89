import Crypto
import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiServer
import GongkaiService
import GongkaiTestSupport
import GongkaiSimulators
import GongkaiStore
import NIOCore
import NIOHTTP1
import Testing

/// The public-page check end to end: the engine publishes to the portal
/// simulator over HTTP, the simulator's public site is given the faults an
/// inspection must find, and the inspector fetches every page as a citizen would.
@Suite("Public pages against the portal simulator")
struct PublicPageInspectionTests {
    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    static func inspect(_ portal: ReconcilePortalTests.Portal) async throws -> PublicPageReport {
        let fetcher = PublicWebFetcher(timeout: 5_000, hostInterval: 0)
        let report = try await PublicPageInspector(store: portal.store, channels: [portal.definition], fetcher: fetcher).run()
        await fetcher.shutdown()
        return report
    }

    @Test func eachFaultOnThePublicSiteIsFoundAndAHealthySiteIsClean() async throws {
        let portal = try await ReconcilePortalTests.Portal()
        let pdf = Array("%PDF-1.4 附件一 实施方案".utf8)
        let form = Array("申请表 docx".utf8)
        let pdfURL = portal.simulator.hostFile("fangan.pdf", bytes: pdf)
        let formURL = portal.simulator.hostFile("shenqingbiao.docx", bytes: form)
        var items = ["p-ok", "p-stale", "p-file", "p-link", "p-gone", "p-back", "p-removed"].map {
            ReconcilePortalTests.notice($0, title: "关于\($0)的通知")
        }
        items[0].attachments = [.init(name: "实施方案.pdf", url: pdfURL, sha256: Self.sha256(pdf))]
        items[2].attachments = [
            .init(name: "实施方案.pdf", url: pdfURL, sha256: Self.sha256(pdf)),
            .init(name: "申请表.docx", url: formURL, sha256: Self.sha256(form)),
        ]
        _ = try await portal.console.submit(items)
        try await portal.deliverAll()

        let clean = try await Self.inspect(portal)
        #expect(clean.isClean, "\(clean.rows)")
        #expect(clean.channels.first?.pages == items.count)
        #expect(clean.channels.first?.counts == ["in-sync": items.count])

        // A corrected title the page does not show yet; a file that is gone; a dead link;
        // a withdrawal done, one undone by hand, and a page removed behind our back.
        var corrected = items[1]
        corrected.title = "关于p-stale的通知（更正）"
        _ = try await portal.console.submit([corrected])
        _ = try await portal.console.withdraw(itemID: "p-gone", reason: "废止")
        _ = try await portal.console.withdraw(itemID: "p-back", reason: "废止")
        try await portal.deliverAll()
        #expect(portal.simulator.restoreWithdrawn(externalID: "gk-p-back"))
        #expect(portal.simulator.removeBehindOurBack(externalID: "gk-p-removed"))
        portal.simulator.setPublicPageFaults(
            PublicPageFaults(stale: ["p-stale"], deadLink: ["p-link"], brokenFiles: ["shenqingbiao.docx"]))

        let report = try await Self.inspect(portal)
        let rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.itemID, $0) })
        #expect(rows["p-ok"] == nil, "a healthy page is only counted")
        #expect(rows["p-gone"] == nil, "a withdrawn page that is gone is in sync")
        let stale = try #require(rows["p-stale"])
        #expect(stale.status == .differs && stale.expectedVersion == 2 && stale.shownVersion == 1 && stale.detail.contains("version 1"))
        let file = try #require(rows["p-file"])
        #expect(file.status == .inSync && file.attachmentsChecked == 2)
        #expect(file.brokenAttachments.map(\.name) == ["申请表.docx"])
        #expect(file.brokenAttachments.first?.reason == "answers 404")
        let link = try #require(rows["p-link"])
        #expect(link.status == .inSync && link.deadLinks.count == 1 && link.deadLinks[0].reason == "answers 404")
        #expect(rows["p-back"]?.status == .extra)
        #expect(rows["p-removed"]?.status == .missing)
        let summary = try #require(report.channels.first)
        #expect(summary.counts == ["in-sync": 4, "differs": 1, "extra": 1, "missing": 1])
        #expect(summary.deadLinks == 1 && summary.pagesWithDeadLinks == 1 && summary.brokenAttachments == 1)
        #expect(!report.isClean)

        // A file whose bytes changed is broken too, though it answers.
        portal.simulator.setPublicPageFaults(.none)
        portal.simulator.hostFile("fangan.pdf", bytes: Array("replaced".utf8))
        let changed = try await Self.inspect(portal)
        let okRow = try #require(changed.rows.first { $0.itemID == "p-ok" })
        #expect(okRow.brokenAttachments.first?.reason.contains("sha256") == true)

        // Machine output: plain JSON with the class names and RFC 3339 times.
        let json = try #require(String(data: try JSONEncoder().encode(changed), encoding: .utf8))
        #expect(json.contains("\"status\":\"in-sync\"") && json.contains("+08:00"))
        let decoded = try JSONDecoder().decode(PublicPageReport.self, from: Data(json.utf8))
        #expect(decoded.rows == changed.rows && decoded.channels == changed.channels)
        // The shape the API documents for GET /v1/reconcile/last (a run with --public keeps it).
        var full = ReconcileReport(startedAt: 0, finishedAt: 1, channels: [], rows: [], repaired: false)
        full.publicPages = report
        let checker = try JSONSchemaChecker(openAPI: try OpenAPIDocument.text())
        let errors = checker.errors(JSONOutput.string(full), against: "ReconcileReport")
        #expect(errors.isEmpty, "\(errors)")
        await portal.close()
    }

    @Test func reconcileWithPublicPagesAddsTheSecondViewToTheReportAndItsExitStatus() async throws {
        let portal = try await ReconcilePortalTests.Portal()
        _ = try await portal.console.submit([ReconcilePortalTests.notice("v-1"), ReconcilePortalTests.notice("v-2", title: "关于v-2的通知")])
        try await portal.deliverAll()
        portal.simulator.setPublicPageFaults(PublicPageFaults(deadLink: ["v-2"]))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gk-public-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = GongkaiSettings()
        settings.database = directory.appendingPathComponent("outbox.sqlite").path
        settings.publicPageHostInterval = 0
        let environment = ["PORTAL_TOKEN": "portal-test-token"]
        // The API view alone is consistent: the portal lists both at their versions.
        let plain = try await ReconcileRun.run(
            settings: settings, store: portal.store, channels: [portal.definition], repair: false, actor: "t",
            environment: environment)
        #expect(
            plain.publicPages == nil && plain.exitStatus == 0,
            "\(ReconcileRenderer.render(plain, format: .table, language: .en))")
        let report = try await ReconcileRun.run(
            settings: settings, store: portal.store, channels: [portal.definition], repair: false, publicPages: true,
            actor: "t", environment: environment)
        let pages = try #require(report.publicPages)
        #expect(pages.channels.map(\.pages) == [2] && pages.rows.map(\.itemID) == ["v-2"])
        // A dead link is a finding: the run says so in its exit status and verdict.
        #expect(report.differenceCount == 1 && report.exitStatus == 1)
        let table = ReconcileRenderer.render(report, format: .table, language: .zh)
        #expect(table.contains("公开页面核查") && table.contains("/missing/"))
        let html = ReconcileRenderer.render(report, format: .html, language: .en)
        #expect(html.contains("Public pages (what citizens see)") && html.contains("v-2"))
        let csv = ReconcileRenderer.render(report, format: .csv, language: .en)
        #expect(csv.contains("dead links") && csv.contains("v-2"))
        // Kept beside the last report, for `reconcile --last`.
        #expect(ReconcileRun.lastPublic(settings: settings) == pages)
        let kept = try ReconcileRun.last(settings: settings)
        #expect(kept.publicPages == pages)
        await portal.close()
    }

    @Test func theProvincialPlatformsPublicPagesShowTheCurrentVersionOrAreFoundStale() async throws {
        let simulator = PlatformSimulator(appKey: "gk-app", appSecret: "platform-secret", logger: ReconcilePortalTests.logger)
        try await simulator.start()
        let definition = ChannelDefinition(
            id: "platform", kind: .platform, endpoint: simulator.endpoint,
            credentials: ["appSecret": .environment("S")], options: ["appKey": "gk-app", "siteCode": "jl-lcj"])
        let adapter = try PlatformAdapter.make(definition, environment: ["S": "platform-secret"])
        func request(_ item: DisclosureItem, version: Int, _ operation: DeliveryOperation = .publish) -> DeliveryRequest {
            DeliveryRequest(
                itemID: item.id, version: version, channelID: "platform", operation: operation,
                contentHash: ItemCanonicalForm.contentHash(item), document: ItemCanonicalForm.document(item))
        }
        func expected(_ item: DisclosureItem, version: Int, url: String) -> PublicPageExpectation {
            PublicPageExpectation(
                itemID: item.id, channelID: "platform", url: url, version: version,
                contentHash: ItemCanonicalForm.contentHash(item), title: item.title, documentNumber: item.documentNumber)
        }
        let first = SampleDisclosures.policy
        var second = first
        second.title += "（修订）"
        let receipt = try await adapter.deliver(request(first, version: 1), deadline: NIODeadline.now() + .seconds(5))
        _ = try await adapter.deliver(request(second, version: 2), deadline: NIODeadline.now() + .seconds(5))
        let url = try #require(receipt.remoteURL)
        let fetcher = PublicWebFetcher(timeout: 5_000, hostInterval: 0)
        let inspector = PublicPageInspector(store: try SQLiteOutboxStore.inMemory(), channels: [], fetcher: fetcher)

        // The page shows the catalogue's 文号 and the current title.
        #expect(await inspector.inspect(expected(second, version: 2, url: url)).status == .inSync)
        simulator.setPublicPageFaults(PublicPageFaults(stale: [first.id], deadLink: [first.id]))
        let stale = await inspector.inspect(expected(second, version: 2, url: url))
        #expect(stale.status == .differs && stale.shownVersion == 1 && stale.detail.contains("version 1"))
        #expect(stale.deadLinks.count == 1)
        // Deleted on the platform: the page is gone.
        _ = try await adapter.deliver(request(second, version: 2, .withdraw), deadline: NIODeadline.now() + .seconds(5))
        #expect(await inspector.inspect(expected(second, version: 2, url: url)).status == .missing)
        #expect(simulator.pageViewCount >= 3)
        await fetcher.shutdown()
        await adapter.shutdown()
        await simulator.stop()
    }

    /// The daemon's own loop (`reconcile.publicInterval`): each check it runs is kept
    /// where `reconcile --last` and the quarterly check read it, and a fault appearing
    /// between two checks is in the next one.
    @Test func theDaemonsPublicPageLoopKeepsEachCheckForReconcileLast() async throws {
        let portal = try await ReconcilePortalTests.Portal()
        let item = ReconcilePortalTests.notice("p-daemon", title: "关于p-daemon的通知")
        _ = try await portal.console.submit([item])
        try await portal.deliverAll()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-public-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = GongkaiSettings()
        settings.database = directory.appendingPathComponent("outbox.sqlite").path
        // Below the setting's 1-minute floor, which only the file and the flags enforce.
        settings.publicPageInterval = 50
        settings.publicPageHostInterval = 0
        settings.publicPageTimeout = 5_000
        let service = ReconcileService(
            settings: settings, store: portal.store, channels: [portal.definition], logger: ReconcilePortalTests.logger,
            publicPages: true)
        let loop = Task { try await service.run() }
        // The loop's effect is a file; it is looked for, not awaited.
        func kept(where satisfied: (PublicPageReport) -> Bool) async throws -> PublicPageReport? {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if let report = ReconcileRun.lastPublic(settings: settings), satisfied(report) { return report }
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
        let first = try #require(try await kept { _ in true })
        #expect(first.isClean && first.channels.first?.pages == 1, "\(first.rows)")
        portal.simulator.setPublicPageFaults(PublicPageFaults(deadLink: [item.id]))
        let later = try #require(try await kept { !$0.isClean })
        #expect(later.rows.first?.itemID == item.id && later.rows.first?.deadLinks.count == 1)
        loop.cancel()
        _ = try? await loop.value
        await portal.close()
    }

    /// The new-media pages a citizen opens from the links the adapters recorded
    /// (mp.weixin.qq.com/s/…, weibo.com/<uid>/<id>), served by the simulators and reached
    /// through address overrides: shown while published, found when edited, removed or
    /// left up after a withdrawal.
    @Test func weChatAndWeiboPagesShowTheItemUntilItIsWithdrawnAndTamperingIsFound() async throws {
        let logger = ReconcilePortalTests.logger
        let wechat = WeChatSimulator(appID: "wx51a0c0ffee000001", appSecret: "wechat-secret", permanentMedia: ["thumb"], logger: logger)
        try await wechat.start(host: "127.0.0.1", port: 0)
        let weibo = WeiboSimulator(accessToken: "weibo-token", registeredDomain: "lycy.jl.gov.cn", logger: logger)
        try await weibo.start()
        let wechatAdapter = try WeChatAdapter.make(
            ChannelDefinition(
                id: "wechat", kind: .wechat, endpoint: wechat.baseURL, credentials: ["appSecret": .environment("W")],
                options: ["appID": "wx51a0c0ffee000001", "thumbMediaID": "thumb", "publishWait": "2s"]),
            environment: ["W": "wechat-secret"], clock: SystemWallClock(), tokens: WeChatTokenCache())
        let weiboAdapter = try WeiboAdapter.make(
            ChannelDefinition(
                id: "weibo", kind: .weibo, endpoint: weibo.baseURL + "/2", credentials: ["accessToken": .environment("T")],
                options: ["registeredDomain": "lycy.jl.gov.cn", "rip": "203.0.113.10"]),
            environment: ["T": "weibo-token"], clock: SystemWallClock())
        // The portal the posts link to: its article answers, a page the body links to is gone.
        let portalSite = SimulatorHTTPServer(endpoint: LinkedPortal(), logger: logger)
        try await portalSite.start()
        // A title longer than WeChat's 32 units: the article shows it cut, and that is still the item.
        var item = SampleDisclosures.policy
        item.title = "吉林省林业和草原局关于全面推进政务公开工作进一步做好政府信息主动公开和政策解读工作的实施方案"
        item.body += "<p>另见<a href=\"https://lycy.jl.gov.cn/missing/catalogue.html\">公开目录</a>。</p>"
        func request(_ channelID: String, remoteID: String? = nil, _ operation: DeliveryOperation = .publish) -> DeliveryRequest {
            DeliveryRequest(
                itemID: item.id, version: 1, channelID: channelID, operation: operation,
                contentHash: ItemCanonicalForm.contentHash(item), document: ItemCanonicalForm.document(item),
                remoteID: remoteID, canonicalURL: "https://lycy.jl.gov.cn/zcwj/\(item.id).html")
        }
        var published = try await wechatAdapter.deliver(request("wechat"), deadline: .now() + .seconds(10))
        for _ in 0..<20 where published.checkAfter != nil {
            published = try await wechatAdapter.deliver(
                request("wechat", remoteID: published.remoteID), deadline: .now() + .seconds(10))
        }
        let articleURL = try #require(published.remoteURL)
        let articleID = try #require(published.remoteID)
        let posted = try await weiboAdapter.deliver(request("weibo"), deadline: .now() + .seconds(10))
        let statusURL = try #require(posted.remoteURL)
        let statusID = try #require(posted.remoteID)
        #expect(articleURL.hasPrefix("https://mp.weixin.qq.com/s/"))
        #expect(statusURL.hasPrefix("https://weibo.com/"))

        let fetcher = PublicWebFetcher(
            timeout: 5_000, hostInterval: 0,
            addressOverrides: [
                "mp.weixin.qq.com": wechat.baseURL, "weibo.com": weibo.baseURL, "lycy.jl.gov.cn": portalSite.baseURL,
            ])
        let inspector = PublicPageInspector(store: try SQLiteOutboxStore.inMemory(), channels: [], fetcher: fetcher)
        func expected(_ channelID: String, _ kind: ChannelDefinition.Kind, url: String, withdrawn: Bool = false)
            -> PublicPageExpectation
        {
            PublicPageExpectation(
                itemID: item.id, channelID: channelID, url: url, version: 1, contentHash: ItemCanonicalForm.contentHash(item),
                title: item.title, documentNumber: kind == .weibo ? nil : item.documentNumber, withdrawn: withdrawn,
                titleCharacters: PublicPageInspector.titleCharacters[kind], listsAttachments: false)
        }
        let article = expected("wechat", .wechat, url: articleURL)
        let status = expected("weibo", .weibo, url: statusURL)
        let shown = await inspector.inspect(article)
        #expect(shown.status == .inSync, "\(shown.detail)")
        // The article's links: its 阅读原文 answers, the body's link to a removed page is dead.
        #expect(shown.linksChecked == 2 && shown.deadLinks.map(\.url) == ["https://lycy.jl.gov.cn/missing/catalogue.html"])
        let post = await inspector.inspect(status)
        #expect(post.status == .inSync && post.linksChecked == 1 && post.deadLinks.isEmpty, "\(post)")

        // Edited in the account's back office; removed there; the platform's notice then shows.
        wechat.retitleArticle(articleID, to: "关于另一件事的通知")
        let retitled = await inspector.inspect(article)
        #expect(retitled.status == .differs && retitled.detail.contains("title"), "\(retitled.detail)")
        wechat.deleteArticleBehindOurBack(articleID)
        #expect(await inspector.inspect(article).status == .differs)
        // Withdrawn by gongkai: no longer shown is right; still shown is found.
        #expect(await inspector.inspect(expected("wechat", .wechat, url: articleURL, withdrawn: true)).status == .inSync)
        wechat.retitleArticle(articleID, to: WeChatArticleRenderer.fitted(item.title, maxUTF16: WeChatArticleRenderer.maxTitle))
        wechat.restoreArticle(articleID)
        #expect(await inspector.inspect(expected("wechat", .wechat, url: articleURL, withdrawn: true)).status == .extra)

        // A Weibo post whose deletion was acknowledged but not done is still there for everyone.
        weibo.keepLiveOnDelete(id: statusID)
        _ = try await weiboAdapter.deliver(request("weibo", remoteID: statusID, .withdraw), deadline: .now() + .seconds(10))
        #expect(await inspector.inspect(expected("weibo", .weibo, url: statusURL, withdrawn: true)).status == .extra)
        weibo.deletePost(id: statusID)
        #expect(await inspector.inspect(expected("weibo", .weibo, url: statusURL, withdrawn: true)).status == .inSync)
        #expect(await inspector.inspect(status).status == .missing)
        #expect(wechat.pageViewCount == 5)
        #expect(weibo.pageViewCount == 4)

        await fetcher.shutdown()
        await wechatAdapter.shutdown()
        await weiboAdapter.shutdown()
        await wechat.stop()
        await weibo.stop()
        await portalSite.stop()
    }

    /// The agency's site as the posts link to it: article pages answer, `/missing/` is gone.
    struct LinkedPortal: SimulatorEndpoint {
        func respond(to request: SimulatorRequest) async -> SimulatorResponse {
            guard !request.path.hasPrefix("/missing/") else { return SimulatorResponse(status: .notFound) }
            var page = SimulatorResponse(status: .ok, body: Array("<h1>门户文章</h1>".utf8))
            page.headers.add(name: "content-type", value: "text/html; charset=utf-8")
            return page
        }
    }

    /// Answers as a site that moves pages: within itself, off itself, in a loop.
    struct MovingSite: SimulatorEndpoint {
        func respond(to request: SimulatorRequest) async -> SimulatorResponse {
            func redirect(_ location: String) -> SimulatorResponse {
                var response = SimulatorResponse(status: .found)
                response.headers.add(name: "location", value: location)
                return response
            }
            let port = request.headers.first(name: "host")?.split(separator: ":").last.map(String.init) ?? "0"
            switch request.path {
            case "/old": return redirect("/new")
            case "/new":
                var page = SimulatorResponse(status: .ok, body: Array("<h1>关于x的通知</h1>".utf8))
                page.headers.add(name: "content-type", value: "text/html; charset=utf-8")
                return page
            case "/away": return redirect("http://localhost:\(port)/new")
            default: return redirect(request.path + "x")
            }
        }
    }

    @Test func redirectsStayOnTheSiteAndAPageWithNoAnswerIsUnchecked() async throws {
        let site = SimulatorHTTPServer(endpoint: MovingSite(), logger: ReconcilePortalTests.logger)
        try await site.start()
        let fetcher = PublicWebFetcher(timeout: 5_000, hostInterval: 0)
        let inspector = PublicPageInspector(store: try SQLiteOutboxStore.inMemory(), channels: [], fetcher: fetcher)
        func expected(_ url: String) -> PublicPageExpectation {
            PublicPageExpectation(
                itemID: "x", channelID: "portal", url: url, version: 1, contentHash: String(repeating: "a", count: 64),
                title: "关于x的通知")
        }
        // Moved within the site: followed, and the page is judged.
        #expect(await inspector.inspect(expected(site.baseURL + "/old")).status == .inSync)
        // Moved to another host: a citizen's browser would go, but that is not the site's page.
        let away = await inspector.inspect(expected(site.baseURL + "/away"))
        #expect(away.status == .unchecked && away.detail.contains("off the site"))
        let loop = await inspector.inspect(expected(site.baseURL + "/loop"))
        #expect(loop.status == .unchecked && loop.detail.contains("more than 5 redirects"))
        await site.stop()
        // Nothing listens on port 9 here: no answer at all.
        let none = await inspector.inspect(expected("http://127.0.0.1:9/site/x.html"))
        #expect(none.status == .unchecked && none.detail.contains("could not fetch"))
        await fetcher.shutdown()
    }
}
