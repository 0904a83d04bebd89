import Foundation
import NIOHTTP1

/// Faults on the public pages a simulator serves, the ones a public-page check
/// must find: a page that still shows the previous version, a broken
/// attachment, a dead link. Keyed by gongkai item id, so tests and the demo can
/// name them before the pages exist.
public struct PublicPageFaults: Sendable, Equatable {
    /// Items whose page keeps showing the version before the current one.
    public var stale: Set<String>
    /// Items whose page carries a link that answers 404.
    public var deadLink: Set<String>
    /// Hosted files (their names, see ``PortalSimulator/hostFile(_:bytes:)``) that answer 404.
    public var brokenFiles: Set<String>

    public init(stale: Set<String> = [], deadLink: Set<String> = [], brokenFiles: Set<String> = []) {
        self.stale = stale
        self.deadLink = deadLink
        self.brokenFiles = brokenFiles
    }

    public static let none = PublicPageFaults()
}

/// The HTML of a simulated public page: a government article page laid out the
/// way portals lay out 政府信息公开 pages (title, a 索引号/文号/发布机构 table, body,
/// 附件 list), simple enough for tests to read.
enum PublicPageHTML {
    struct Attachment {
        var name: String
        var url: String
    }

    static func article(
        title: String, meta: [(String, String?)], content: String, attachments: [Attachment], extraLinks: [String] = []
    ) -> [UInt8] {
        var html = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>\(escape(title))</title></head>\n<body>\n"
        html += "<h1 class=\"title\">\(escape(title))</h1>\n<table class=\"xxgk-meta\">\n"
        for (label, value) in meta {
            guard let value, !value.isEmpty else { continue }
            html += "<tr><th>\(escape(label))</th><td>\(escape(value))</td></tr>\n"
        }
        html += "</table>\n<div class=\"content\">\(content)</div>\n"
        if !attachments.isEmpty {
            html += "<ul class=\"attachments\">\n"
            for attachment in attachments {
                html += "<li><a href=\"\(escape(attachment.url))\">\(escape(attachment.name))</a></li>\n"
            }
            html += "</ul>\n"
        }
        for link in extraLinks { html += "<p class=\"related\"><a href=\"\(escape(link))\">相关链接</a></p>\n" }
        html += "</body></html>\n"
        return Array(html.utf8)
    }

    /// A WeChat article page (mp.weixin.qq.com/s/…): the title, the account's name and the
    /// content as published; a removed article answers 200 with the notice readers see.
    static func weChatArticle(title: String, author: String?, content: String, sourceURL: String?) -> [UInt8] {
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(escape(title))</title></head>\n<body>\n"
        html += "<h1 class=\"rich_media_title\" id=\"activity-name\">\(escape(title))</h1>\n"
        if let author, !author.isEmpty { html += "<span class=\"rich_media_meta_text\">\(escape(author))</span>\n" }
        // The body is the account's own HTML, shown as sent.
        html += "<div class=\"rich_media_content\" id=\"js_content\">\n\(content)\n</div>\n"
        if let sourceURL, !sourceURL.isEmpty {
            html += "<a id=\"js_view_source\" href=\"\(escape(sourceURL))\">阅读原文</a>\n"
        }
        html += "</body></html>\n"
        return Array(html.utf8)
    }

    static func weChatNotice(_ notice: String) -> [UInt8] {
        Array("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>微信公众平台</title></head><body><p class=\"weui-msg__title\">\(escape(notice))</p></body></html>".utf8)
    }

    /// A Weibo status page (weibo.com/<uid>/<id>): the post's text, its links as links.
    static func weiboStatus(text: String, links: [String]) -> [UInt8] {
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>微博正文</title></head>\n<body>\n"
        html += "<div class=\"WB_text\">\(escape(text))</div>\n"
        for link in links { html += "<a href=\"\(escape(link))\">\(escape(link))</a>\n" }
        html += "</body></html>\n"
        return Array(html.utf8)
    }

    static func notFound() -> [UInt8] {
        Array("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head><body><p>您访问的页面不存在</p></body></html>".utf8)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func response(_ body: [UInt8], status: Int = 200) -> SimulatorResponse {
        var response = SimulatorResponse(status: .init(statusCode: status))
        response.headers.add(name: "content-type", value: "text/html; charset=utf-8")
        response.body = body
        return response
    }
}
