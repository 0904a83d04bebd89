import Foundation
import GongkaiCore
import GongkaiTestSupport
import NIOHTTP1
import Testing

/// The console in a real browser (Debian's chromium, headless): what a person sees.
///
/// The browser signs in the way a kiosk would, by a one-time link: the test asks
/// `POST /console/link` with the token in the Authorization header, and chromium opens
/// the link, which sets the session cookie and redirects to the page. The token is
/// never in a URL; the code in the link works once, for a minute (a replayed link is
/// tested over plain HTTP, ConsoleTests, to keep the browser launches few: each takes a
/// core for over a second on this machine, and the rest of the suite runs beside them).
@Suite(
    "Console in a browser",
    .enabled(if: HeadlessChromium.isAvailable || HeadlessChromium.mustRun, "chromium is not installed"),
    .serialized)
struct ConsoleBrowserTests {
    /// A fresh sign-in link for `token` that lands on `page`.
    static func link(_ fixture: ConsoleFixture, token: String, page: String) async throws -> String {
        let made = try await fixture.api.call(.POST, "/console/link", token: token)
        let path = try #require(made.object["path"] as? String, "\(made.status)")
        let next = page.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return fixture.api.base + path + "&next=" + next
    }

    @Test func anOperatorSeesTheCountsTheLateItemAndResendButtons() async throws {
        try await ConsoleFixture.with { fixture in
        let browser = try HeadlessChromium(profileIn: fixture.api.directory)

        let overview = try await browser.dumpDOM(try await Self.link(fixture, token: fixture.operatorToken, page: "/console"))
        let deadlines = try await browser.dumpDOM(
            try await Self.link(fixture, token: fixture.operatorToken, page: "/console/deadlines"))
        let dead = try await browser.dumpDOM(try await Self.link(fixture, token: fixture.operatorToken, page: "/console/dead"))
        let shot = fixture.api.directory.appendingPathComponent("console.png")
        let screenshot = try await browser.screenshot(
            try await Self.link(fixture, token: fixture.operatorToken, page: "/console"), to: shot)
        if let keep = ProcessInfo.processInfo.environment["GONGKAI_CONSOLE_SCREENSHOT"] {
            // `docs/console.png` is made this way: the test's own store, as a person sees it.
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: shot.path, toPath: keep)
        }
        FileHandle.standardError.write(
            Data(
                String(
                    format: "console browser test: overview %.2f s, deadlines %.2f s, dead letters %.2f s, screenshot %.2f s\n",
                    overview.seconds, deadlines.seconds, dead.seconds, screenshot.seconds
                ).utf8))

        // Signed in as the operator, in Chinese.
        #expect(overview.dom.contains("duty-officer"))
        #expect(overview.dom.contains(#"lang="zh-CN""#))
        // hook: 1 retrying, 2 dead; the kept report's 17 in sync.
        #expect(overview.dom.contains(#"<td class="num">1</td><td class="num">2</td>"#))
        #expect(overview.dom.contains(#"<td class="num">17</td>"#))
        // The late penalty, under its rule, with its due day.
        #expect(deadlines.dom.contains("行政处罚、许可：7 个工作日"))
        #expect(deadlines.dom.contains(ConsoleFixture.penalty.id))
        #expect(deadlines.dom.contains("已逾期"))
        // Dead letters with buttons for the operate role.
        #expect(dead.dom.contains(ConsoleFixture.notice.id))
        #expect(dead.dom.contains(#"class="action resend""#))
        #expect(dead.dom.contains("全部重新排队"))
        // The markup title is text in the DOM, not an element.
        #expect(!dead.dom.contains("<script>alert"))
        let png = try Data(contentsOf: shot)
        #expect(png.count > 10_000)
        #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        }
    }

    @Test func aReaderSeesNoResendButton() async throws {
        try await ConsoleFixture.with { fixture in
        let browser = try HeadlessChromium(profileIn: fixture.api.directory)
        let dead = try await browser.dumpDOM(try await Self.link(fixture, token: fixture.readerToken, page: "/console/dead?lang=en"))
        #expect(dead.dom.contains("auditor"))
        #expect(dead.dom.contains(ConsoleFixture.notice.id))
        #expect(dead.dom.contains("Read role: you cannot resend."))
        #expect(!dead.dom.contains(#"class="action resend""#))
        #expect(!dead.dom.contains("Re-queue all dead"))
        }
    }
}
