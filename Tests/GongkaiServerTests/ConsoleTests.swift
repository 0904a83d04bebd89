import Foundation
import GongkaiCore
@testable import GongkaiServer
import GongkaiStore
import NIOHTTP1
import Testing

/// The console over plain HTTP: sign-in, roles, CSRF, language, escaping.
@Suite("Console over HTTP")
struct ConsoleTests {
    @Test func pagesNeedASignInAndABadTokenIsRefusedAndAudited() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        let anonymous = try await browser.get("/console/deadlines")
        let wrong = try await browser.signIn("gk_000000000000_forged")
        let audit = try await fixture.api.store.auditLog(itemID: nil, limit: 50)
        await fixture.stop()
        #expect(anonymous.status == 303)
        #expect(anonymous.location == "/console/login?next=%2Fconsole%2Fdeadlines")
        #expect(wrong.status == 401)
        #expect(wrong.body.contains("令牌无效"))
        #expect(browser.cookies["gongkai_session"] == nil)
        #expect(audit.contains { $0.actor == "console:anonymous" && ($0.detail ?? "").contains("bad token") })
        #expect(!audit.contains { ($0.detail ?? "").contains("gk_") })
    }

    @Test func theSessionCookieIsHttpOnlyStrictAndTheTokenIsNowhereInThePage() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        let signedIn = try await browser.signIn(fixture.operatorToken)
        let overview = try await browser.get("/console")
        await fixture.stop()
        #expect(signedIn.status == 303)
        #expect(signedIn.location == "/console")
        let cookie = try #require(signedIn.headers.first(name: "Set-Cookie"))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(cookie.contains("Path=/console"))
        #expect(!cookie.contains(fixture.operatorToken))
        #expect(overview.status == 200)
        #expect(overview.body.contains("duty-officer"))
        #expect(!overview.body.contains(fixture.operatorToken))
        #expect(!overview.body.contains("<script"), "no script of its own, and none of anyone else's")
        #expect(overview.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
    }

    @Test func theOverviewShowsCountsTheReportAndTheLastError() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        _ = try await browser.signIn(fixture.readerToken)
        let overview = try await browser.get("/console")
        let report = try await browser.get("/console/reconcile")
        let csv = try await browser.get("/console/reconcile.csv")
        await fixture.stop()
        #expect(overview.status == 200)
        // hook: 0 pending, 0 sending, 0 delivered, 1 retrying, 2 dead (the state columns in order).
        let row = try #require(overview.body.range(of: #"<tr id="channel-hook">"#).map { overview.body[$0.lowerBound...] })
        let cells = row.prefix(while: { $0 != "\n" })
        #expect(cells.contains(#"<td class="num">0</td><td class="num">0</td><td class="num">0</td><td class="num">1</td><td class="num">2</td>"#))
        #expect(cells.contains("HTTP 503") || cells.contains("HTTP 422"))
        #expect(overview.body.contains(#"<td class="num">17</td>"#))
        #expect(overview.body.contains(#"href="/console/reconcile.csv""#))
        #expect(report.status == 200)
        #expect(report.body.contains("<html"))
        #expect(report.body.contains("平台缺失"))
        #expect(csv.status == 200)
        #expect(csv.headers.first(name: "Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.headers.first(name: "Content-Disposition")?.contains("attachment") == true)
    }

    @Test func englishByLinkThenByCookie() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        _ = try await browser.signIn(fixture.readerToken)
        let chinese = try await browser.get("/console/deadlines")
        let english = try await browser.get("/console/deadlines?lang=en")
        let remembered = try await browser.get("/console/dead")
        let back = try await browser.get("/console?lang=zh")
        await fixture.stop()
        #expect(chinese.body.contains(#"<html lang="zh-CN">"#))
        #expect(chinese.body.contains("行政处罚、许可：7 个工作日"))
        #expect(english.body.contains(#"<html lang="en">"#))
        #expect(english.body.contains("Penalties and licences: 7 working days"))
        #expect(!english.body.contains("行政处罚、许可"))
        #expect(remembered.body.contains("Dead letters"))
        #expect(back.body.contains("总览"))
    }

    @Test func everyStringHasBothLanguages() {
        for (key, entry) in ConsoleText.table {
            #expect(!entry.zh.isEmpty && !entry.en.isEmpty, "\(key)")
        }
    }

    @Test func titlesAreEscaped() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        _ = try await browser.signIn(fixture.operatorToken)
        let dead = try await browser.get("/console/dead")
        let item = try await browser.get("/console/items/\(ConsoleFixture.markup.id)")
        await fixture.stop()
        for page in [dead, item] {
            #expect(page.status == 200)
            #expect(!page.body.contains("<script>alert"))
            #expect(!page.body.contains("<b>通知</b>"))
            #expect(page.body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;通知&lt;/b&gt;"))
        }
    }

    @Test func theItemPageShowsVersionsDeliveriesAndAttempts() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        _ = try await browser.signIn(fixture.readerToken)
        let page = try await browser.get("/console/items/\(ConsoleFixture.penalty.id)?lang=en")
        let missing = try await browser.get("/console/items/no-such-item")
        await fixture.stop()
        #expect(page.status == 200)
        #expect(page.body.contains(ConsoleFixture.penalty.title))
        #expect(page.body.contains("version 1"))
        #expect(page.body.contains("retrying"))
        #expect(page.body.contains("late"))
        #expect(page.body.contains("HTTP 503"))
        #expect(!page.body.contains(#"class="action resend""#), "a reader gets no resend button")
        #expect(missing.status == 404)
    }

    @Test func aReaderSeesNoButtonsAndItsPostIsRefusedAndAudited() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        _ = try await browser.signIn(fixture.readerToken)
        let dead = try await browser.get("/console/dead")
        let csrf = try #require(ConsoleBrowser.csrf(in: dead.body), "the sign-out form still carries one")
        let resend = try await browser.post(
            "/console/items/\(ConsoleFixture.notice.id)/resend", form: ["csrf": csrf, "channel": "hook"])
        let recover = try await browser.post("/console/recover", form: ["csrf": csrf, "channel": "hook"])
        let states = try await fixture.api.store.deliveries(DeliveryFilter(itemID: ConsoleFixture.notice.id))
        let audit = try await fixture.api.store.auditLog(itemID: nil, limit: 50)
        await fixture.stop()
        #expect(dead.body.contains(ConsoleFixture.notice.id))
        #expect(!dead.body.contains(#"class="action resend""#))
        #expect(!dead.body.contains("recover-hook"))
        #expect(dead.body.contains("只读角色"))
        #expect(resend.status == 403)
        #expect(recover.status == 403)
        #expect(states.map(\.state) == [.dead])
        #expect(audit.filter { $0.actor == "console:auditor" && ($0.detail ?? "").contains("role read may not") }.count == 2)
    }

    @Test func aBadCSRFValueOrAForeignOriginChangesNothing() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        _ = try await browser.signIn(fixture.operatorToken)
        let dead = try await browser.get("/console/dead")
        let csrf = try #require(ConsoleBrowser.csrf(in: dead.body))
        let path = "/console/items/\(ConsoleFixture.notice.id)/resend"
        let noValue = try await browser.post(path, form: ["channel": "hook"])
        let wrongValue = try await browser.post(path, form: ["csrf": "AAAA" + csrf.dropFirst(4), "channel": "hook"])
        let foreign = try await browser.post(path, form: ["csrf": csrf, "channel": "hook"], origin: "http://evil.example")
        // Another session's value does not fit this one.
        let other = ConsoleBrowser(base: fixture.api.base)
        _ = try await other.signIn(fixture.operatorToken)
        let otherCSRF = try #require(ConsoleBrowser.csrf(in: try await other.get("/console/dead").body))
        let crossed = try await browser.post(path, form: ["csrf": otherCSRF, "channel": "hook"])
        let states = try await fixture.api.store.deliveries(DeliveryFilter(itemID: ConsoleFixture.notice.id))
        let audit = try await fixture.api.store.auditLog(itemID: nil, limit: 50)
        await fixture.stop()
        #expect(csrf != otherCSRF)
        for refused in [noValue, wrongValue, foreign, crossed] { #expect(refused.status == 403) }
        #expect(states.map(\.state) == [.dead])
        #expect(!audit.contains { $0.action.hasPrefix("resend") })
        #expect(audit.filter { $0.actor == "console:duty-officer" && $0.action == "api-refused" }.count == 4)
    }

    @Test func anOperatorResendsAndRecoversThroughTheUseCasesAudited() async throws {
        let fixture = try await ConsoleFixture.make()
        let browser = ConsoleBrowser(base: fixture.api.base)
        _ = try await browser.signIn(fixture.operatorToken)
        let dead = try await browser.get("/console/dead")
        let csrf = try #require(ConsoleBrowser.csrf(in: dead.body))
        let resend = try await browser.post(
            "/console/items/\(ConsoleFixture.notice.id)/resend", form: ["csrf": csrf, "channel": "hook"])
        let recover = try await browser.post("/console/recover", form: ["csrf": csrf, "channel": "hook"])
        let after = try await browser.get(try #require(recover.location))
        let signOut = try await browser.post("/console/logout", form: ["csrf": csrf])
        let afterSignOut = try await browser.get("/console")
        let notice = try await fixture.api.store.deliveries(DeliveryFilter(itemID: ConsoleFixture.notice.id))
        let markup = try await fixture.api.store.deliveries(DeliveryFilter(itemID: ConsoleFixture.markup.id))
        let audit = try await fixture.api.store.auditLog(itemID: nil, limit: 50)
        await fixture.stop()
        #expect(dead.body.contains(#"class="action resend""#))
        #expect(dead.body.contains("recover-hook"))
        #expect(resend.status == 303)
        #expect(resend.location == "/console/dead?requeued=1")
        #expect(recover.status == 303)
        #expect(recover.location == "/console/dead?requeued=1")
        #expect(after.body.contains(#"id="requeued""#))
        #expect(notice.map(\.state) == [.pending])
        #expect(markup.map(\.state) == [.pending])
        #expect(audit.contains { $0.actor == "console:duty-officer" && $0.action == "resend" })
        #expect(audit.contains { $0.actor == "console:duty-officer" && $0.action == "recover" })
        #expect(signOut.status == 303)
        #expect(afterSignOut.status == 303, "the session ends with sign-out")
    }

    @Test func aSignInLinkWorksOnceAndOnlyForAValidToken() async throws {
        let fixture = try await ConsoleFixture.make()
        let noToken = try await fixture.api.call(.POST, "/console/link")
        let made = try await fixture.api.call(.POST, "/console/link", token: fixture.readerToken)
        let path = try #require(made.object["path"] as? String)
        let browser = ConsoleBrowser(base: fixture.api.base)
        let first = try await browser.get(path + "&next=%2Fconsole%2Fdeadlines")
        let page = try await browser.get("/console/deadlines")
        let replay = try await ConsoleBrowser(base: fixture.api.base).get(path)
        let offsite = try await fixture.api.call(.POST, "/console/link", token: fixture.readerToken)
        let bounced = try await ConsoleBrowser(base: fixture.api.base)
            .get(try #require(offsite.object["path"] as? String) + "&next=https%3A%2F%2Fevil.example%2F")
        await fixture.stop()
        #expect(noToken.status == 401)
        #expect(made.status == 201)
        #expect(first.status == 303)
        #expect(first.location == "/console/deadlines")
        #expect(page.status == 200)
        #expect(page.body.contains("auditor"))
        #expect(replay.status == 401)
        #expect(bounced.location == "/console")
    }
}
