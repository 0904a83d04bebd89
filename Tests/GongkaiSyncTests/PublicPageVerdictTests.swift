import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import Testing

/// The public-page check's pure parts: reading a page, and classing it against what it should show.
@Suite("Public pages: reading and classing")
struct PublicPageVerdictTests {
    static let hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    static let expected = PublicPageExpectation(
        itemID: "gk-2026-001", channelID: "portal", url: "http://127.0.0.1:8080/site/a.html", version: 2,
        contentHash: hash, title: "关于印发《某某市政务公开工作要点》的通知", documentNumber: "某政办发〔2026〕3号")

    static func page(_ html: String) -> (PublicFetchOutcome, PublicPageContent) {
        (.answered(status: 200, finalURL: expected.url, body: Array(html.utf8)), PublicPageContent(html: html, pageURL: expected.url))
    }

    @Test func aMarkRoundTripsAndMalformedOnesAreSkipped() {
        let mark = PublicPageMarker(itemID: "gk-2026-001", version: 2, contentHash: Self.hash)
        #expect(mark.htmlComment == "<!-- gongkai-version:gk-2026-001/2/0123456789abcdef -->")
        let html = "<p>正文</p>" + mark.htmlComment + "<!-- gongkai-version:x/0/0123456789abcdef --><!--gongkai-version:y/3/zz-->"
            + "<!--gongkai-version:gk-2026-001/3/fedcba9876543210-->"
        #expect(PublicPageMarker.all(in: html) == [mark, PublicPageMarker(itemID: "gk-2026-001", version: 3, contentHash: "fedcba9876543210")])
        #expect(mark.names(contentHash: Self.hash))
        #expect(!mark.names(contentHash: "f" + Self.hash.dropFirst()))
    }

    @Test func linksAreAbsoluteWithoutAnchorsMailOrScriptsAndOnce() {
        let html = """
            <a href="/zwgk/b.html">B</a> <A HREF='c.html#top'>C</A> <a data-href="/no" href=d.html>D</a>
            <a href="#x">anchor</a><a href="mailto:a@b.cn">m</a><a href="javascript:void(0)">j</a>
            <a href="https://www.gov.cn/?a=1&amp;b=2">gov</a><a href="/zwgk/b.html">again</a><a name="n">no href</a>
            """
        let content = PublicPageContent(html: html, pageURL: "http://127.0.0.1:8080/site/col/a.html")
        #expect(content.links == [
            "http://127.0.0.1:8080/zwgk/b.html", "http://127.0.0.1:8080/site/col/c.html",
            "http://127.0.0.1:8080/site/col/d.html", "https://www.gov.cn/?a=1&b=2",
        ])
    }

    @Test func theTitleIsFoundAcrossLineBreaksAndTags() {
        let content = PublicPageContent(html: "<h1>关于印发《某某市政务公开\n  工作要点》的<span>通知</span></h1>", pageURL: "http://x/")
        #expect(content.shows("关于印发《某某市政务公开工作要点》的通知"))
        #expect(!content.shows("关于印发《某某市政务公开工作要点》的决定"))
        #expect(!content.shows("  "))
    }

    @Test func eachClassFromThePage() {
        let current = PublicPageMarker(itemID: Self.expected.itemID, version: 2, contentHash: Self.hash).htmlComment
        let older = PublicPageMarker(itemID: Self.expected.itemID, version: 1, contentHash: "aa" + Self.hash).htmlComment
        func judge(_ expected: PublicPageExpectation, _ html: String) -> PublicPageVerdict {
            let (outcome, content) = Self.page(html)
            return PublicPageVerdict.judge(expected, outcome, content: content)
        }
        func judge(_ html: String) -> PublicPageVerdict { judge(Self.expected, html) }
        #expect(judge("<h1>x</h1>" + current).status == .inSync)
        #expect(judge("<h1>x</h1>" + current).shownVersion == 2)
        let stale = judge("<h1>\(Self.expected.title)</h1>" + older)
        #expect(stale.status == .differs && stale.shownVersion == 1 && stale.detail.contains("version 1"))
        // Without a mark: the title and 文号 decide.
        #expect(judge("<h1>\(Self.expected.title)</h1><td>某政办发〔2026〕3号</td>").status == .inSync)
        let noNumber = judge("<h1>\(Self.expected.title)</h1>")
        #expect(noNumber.status == .differs && noNumber.detail.contains("文号"))
        #expect(judge("<h1>另一篇文章</h1>").status == .differs)
        // Withdrawn: still there is `-`, gone is `=`.
        var withdrawn = Self.expected
        withdrawn.withdrawn = true
        #expect(judge(withdrawn, "<h1>x</h1>" + older).status == .extra)
        #expect(judge(withdrawn, "<h1>\(Self.expected.title)</h1>").status == .extra)
        #expect(judge(withdrawn, "<p>该内容已被发布者删除</p>").status == .inSync)
        #expect(PublicPageVerdict.judge(withdrawn, .answered(status: 404, finalURL: "", body: []), content: nil).status == .inSync)
        // Not there, or no usable answer.
        #expect(PublicPageVerdict.judge(Self.expected, .answered(status: 404, finalURL: "", body: []), content: nil).status == .missing)
        #expect(PublicPageVerdict.judge(Self.expected, .answered(status: 410, finalURL: "", body: []), content: nil).status == .missing)
        for status in [403, 500, 503, 429] {
            #expect(PublicPageVerdict.judge(Self.expected, .answered(status: status, finalURL: "", body: []), content: nil).status == .unchecked)
        }
        let failed = PublicPageVerdict.judge(Self.expected, .failed("timed out"), content: nil)
        #expect(failed.status == .unchecked && failed.detail.contains("timed out"))
        // A Weibo post shows the first characters of a long title.
        var post = Self.expected
        post.titleCharacters = 8
        post.documentNumber = nil
        #expect(judge(post, "<p>【关于印发《某某市政…】 http://x</p>").status == .inSync)
    }

    @Test func pacingKeepsEachHostApartAndHostsIndependent() {
        var pacing = HostPacing(interval: 500)
        #expect(pacing.reserve(host: "www.gov.cn", now: 1_000) == 1_000)
        #expect(pacing.reserve(host: "WWW.GOV.CN", now: 1_001) == 1_500)
        #expect(pacing.reserve(host: "www.gov.cn", now: 1_002) == 2_000)
        #expect(pacing.reserve(host: "mp.weixin.qq.com", now: 1_003) == 1_003)
        #expect(pacing.reserve(host: "www.gov.cn", now: 9_000) == 9_000)
    }
}
