public import GongkaiChannels
import Foundation

/// What a fetched public page shows, read the way the check needs it: its
/// readable text, the links in it, and the version marks adapters leave.
public struct PublicPageContent: Sendable, Equatable {
    /// The page's text with tags dropped and entities decoded.
    public var text: String
    /// Absolute http(s) addresses of the page's `<a href>` links, first
    /// occurrence order, without fragments; anchors, `mailto:`, `tel:` and
    /// `javascript:` links are not links a citizen can follow to a page.
    public var links: [String]
    public var markers: [PublicPageMarker]

    public init(html: String, pageURL: String) {
        text = ChannelText.plainText(fromHTML: html)
        markers = PublicPageMarker.all(in: html)
        links = Self.links(in: html, base: URL(string: pageURL))
    }

    /// Whether the page text contains `phrase`, ignoring white space (pages
    /// break and indent titles freely) and full-width/half-width spaces.
    public func shows(_ phrase: String) -> Bool {
        let wanted = Self.squeezed(phrase)
        return !wanted.isEmpty && Self.squeezed(text).contains(wanted)
    }

    static func squeezed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }

    static func links(in html: String, base: URL?) -> [String] {
        var seen = Set<String>()
        var links: [String] = []
        let lower = html.lowercased()
        var index = lower.startIndex
        while let tag = lower.range(of: "<a", range: index..<lower.endIndex) {
            index = tag.upperBound
            guard let end = lower.range(of: ">", range: tag.upperBound..<lower.endIndex) else { break }
            // Same offsets in both strings: lowercased() keeps ASCII markup in place.
            let attributes = String(html[tag.upperBound..<end.lowerBound])
            index = end.upperBound
            guard let href = attribute("href", in: attributes), let url = resolve(href, base: base) else { continue }
            if seen.insert(url).inserted { links.append(url) }
        }
        return links
    }

    /// The value of `name="…"`, `name='…'` or `name=…` in a tag's attribute text.
    static func attribute(_ name: String, in attributes: String) -> String? {
        let lower = attributes.lowercased()
        var search = lower.startIndex
        while let found = lower.range(of: name, range: search..<lower.endIndex) {
            search = found.upperBound
            // A whole attribute name: not the tail of another (data-href).
            if found.lowerBound > lower.startIndex {
                let before = lower[lower.index(before: found.lowerBound)]
                guard before.isWhitespace else { continue }
            }
            var cursor = found.upperBound
            while cursor < lower.endIndex, lower[cursor].isWhitespace { cursor = lower.index(after: cursor) }
            guard cursor < lower.endIndex, lower[cursor] == "=" else { continue }
            cursor = lower.index(after: cursor)
            while cursor < lower.endIndex, lower[cursor].isWhitespace { cursor = lower.index(after: cursor) }
            guard cursor < lower.endIndex else { return nil }
            let quote = attributes[cursor]
            if quote == "\"" || quote == "'" {
                let start = attributes.index(after: cursor)
                guard let close = attributes[start...].firstIndex(of: quote) else { return nil }
                return decodeEntities(String(attributes[start..<close]))
            }
            let value = attributes[cursor...].prefix { !$0.isWhitespace && $0 != ">" }
            return decodeEntities(String(value))
        }
        return nil
    }

    static func decodeEntities(_ text: String) -> String {
        text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#38;", with: "&")
    }

    static func resolve(_ href: String, base: URL?) -> String? {
        let trimmed = href.trimmingCharacters(in: .whitespacesAndNewlines)
        let lowered = trimmed.lowercased()
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#"),
            !["mailto:", "tel:", "javascript:", "data:"].contains(where: { lowered.hasPrefix($0) })
        else { return nil }
        guard let url = URL(string: trimmed, relativeTo: base)?.absoluteURL,
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        else { return nil }
        components.fragment = nil
        return components.string
    }
}
