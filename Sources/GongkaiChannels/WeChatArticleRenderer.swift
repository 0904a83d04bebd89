import Foundation
public import GongkaiCore

/// Turns a disclosure item into one `draft/add` article within WeChat's limits.
///
/// WeChat counts its limits in 字 without saying how; we read them strictly
/// as UTF-16 code units (what the editor's JavaScript counts, never fewer than
/// characters) and only ever cut between characters.
public enum WeChatArticleRenderer {
    /// Title limit (UTF-16 units).
    public static let maxTitle = 32
    /// Author limit (UTF-16 units).
    public static let maxAuthor = 16
    /// Digest limit (UTF-16 units).
    public static let maxDigest = 128
    /// `content` must be shorter than this.
    public static let contentLimit = 20_000
    /// The only image host WeChat accepts inside content (images uploaded with `uploadimg`).
    public static let imageHost = "mmbiz.qpic.cn"

    /// The article fields, ready for `draft/add`.
    public struct Article: Sendable, Equatable {
        /// At most 32 units.
        public var title: String
        /// From the summary (or the body's text), at most 128 units.
        public var digest: String
        /// Body HTML plus the catalogue footer, fewer than 20,000 units.
        public var content: String
        /// The portal article (阅读原文), when there is one.
        public var contentSourceURL: String?
        /// External images dropped from the body.
        public var droppedImages: Int
        /// The body was too long and was replaced by an excerpt pointing to 阅读原文.
        public var excerpted: Bool
    }

    /// Renders `item`; throws a permanent error naming `body` when the content
    /// is too long and there is no portal article to point readers to.
    public static func render(_ item: DisclosureItem, canonicalURL: String?, itemID: String?, channelID: String?)
        throws(DeliveryError) -> Article
    {
        let title = fitted(item.title.trimmingCharacters(in: .whitespacesAndNewlines), maxUTF16: maxTitle)
        let summary = item.summary.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        let digestSource = summary.isEmpty ? ChannelText.plainText(fromHTML: item.body) : summary
        let digest = fitted(digestSource.replacingOccurrences(of: "\n", with: " "), maxUTF16: maxDigest)
        let (body, dropped) = removingExternalImages(item.body)
        let footer = footer(item, droppedImages: dropped, hasSource: canonicalURL != nil)
        var content = body + footer
        var excerpted = false
        if content.utf16.count >= contentLimit {
            guard canonicalURL != nil else {
                throw DeliveryError(
                    SendFailure(
                        permanent: true,
                        message: "content too long for WeChat: the rendered body is \(content.utf16.count) characters, "
                            + "draft/add takes fewer than \(contentLimit); shorten `body`, or publish the item on the portal "
                            + "first so WeChat can carry an excerpt with 阅读原文"),
                    itemID: itemID, channelID: channelID)
            }
            content = excerpt(of: item.body, footer: footer)
            excerpted = true
        }
        return Article(
            title: title, digest: digest, content: content, contentSourceURL: canonicalURL, droppedImages: dropped,
            excerpted: excerpted)
    }

    /// At most `maxUTF16` UTF-16 units, cut between characters; a cut text ends with "…".
    public static func fitted(_ text: String, maxUTF16: Int) -> String {
        guard text.utf16.count > maxUTF16 else { return text }
        var kept = ""
        var used = 1  // the ellipsis
        for character in text {
            let size = character.utf16.count
            if used + size > maxUTF16 { break }
            kept.append(character)
            used += size
        }
        return kept + "…"
    }

    /// The body without `<img>` tags whose source is not on WeChat's image host, and how many went.
    public static func removingExternalImages(_ html: String) -> (String, Int) {
        guard let imageTag = try? NSRegularExpression(pattern: "<img\\b[^>]*>", options: [.caseInsensitive]),
            let source = try? NSRegularExpression(pattern: "\\bsrc\\s*=\\s*[\"']?([^\"'\\s>]+)", options: [.caseInsensitive])
        else { return (html, 0) }
        let text = html as NSString
        var result = ""
        var last = 0
        var dropped = 0
        for match in imageTag.matches(in: html, range: NSRange(location: 0, length: text.length)) {
            let tag = text.substring(with: match.range)
            let tagText = tag as NSString
            var allowed = false
            if let found = source.firstMatch(in: tag, range: NSRange(location: 0, length: tagText.length)),
                let host = URL(string: tagText.substring(with: found.range(at: 1)))?.host?.lowercased()
            {
                allowed = host == imageHost
            }
            if !allowed {
                result += text.substring(with: NSRange(location: last, length: match.range.location - last))
                last = match.range.location + match.range.length
                dropped += 1
            }
        }
        result += text.substring(from: last)
        return (result, dropped)
    }

    /// 文号 / 索引号 / 发布机构 / 发布日期, and where the rest is.
    static func footer(_ item: DisclosureItem, droppedImages: Int, hasSource: Bool) -> String {
        var lines: [String] = []
        if let number = item.documentNumber, !number.isEmpty { lines.append("文号：" + escaped(number)) }
        lines.append("索引号：" + escaped(item.indexNumber))
        lines.append("发布机构：" + escaped(item.publisher.name))
        lines.append("发布日期：" + escaped(item.publishOn))
        if droppedImages > 0 {
            lines.append(
                "（正文中 \(droppedImages) 张图片未在公众号显示" + (hasSource ? "，请点击“阅读原文”查看。）" : "。）"))
        }
        if let count = item.attachments?.count, count > 0, hasSource {
            lines.append("附件 \(count) 个，请点击“阅读原文”查看。")
        }
        if hasSource { lines.append("点击“阅读原文”查看原文。") }
        return "<hr/>" + lines.map { "<p>" + $0 + "</p>" }.joined()
    }

    /// Whole paragraphs of the body as plain text, as many as fit, then a note pointing to 阅读原文.
    static func excerpt(of html: String, footer: String) -> String {
        let note = "<p>（全文较长，以上为节选，请点击“阅读原文”查看全文。）</p>"
        let budget = contentLimit - 1 - note.utf16.count - footer.utf16.count
        var content = ""
        for paragraph in ChannelText.plainText(fromHTML: html).split(separator: "\n") {
            var block = "<p>" + escaped(String(paragraph)) + "</p>"
            if content.utf16.count + block.utf16.count > budget {
                // A first paragraph longer than everything: cut it between characters.
                guard content.isEmpty else { break }
                block = "<p>" + escaped(fitted(String(paragraph), maxUTF16: max(1, (budget - 7) / 6))) + "</p>"
            }
            content += block
        }
        return content + note + footer
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
