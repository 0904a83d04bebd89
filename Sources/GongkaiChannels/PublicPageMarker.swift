import Foundation

/// The version mark an adapter leaves in the HTML it publishes, so that a
/// citizen's view of the page can be tied to one version of one item.
///
/// It is an HTML comment at the end of the body: readers do not see it, and
/// portal CMSs and the provincial platform keep comments in an article's
/// HTML. Where a platform drops it (WeChat may rewrite the body), the
/// public-page check falls back to the title and 文号 shown.
public struct PublicPageMarker: Sendable, Equatable {
    public var itemID: String
    public var version: Int
    /// The first ``hashLength`` hex characters of the version's content hash.
    public var hashPrefix: String

    public static let prefix = "gongkai-version:"
    public static let hashLength = 16

    public init(itemID: String, version: Int, contentHash: String) {
        self.itemID = itemID
        self.version = version
        self.hashPrefix = String(contentHash.prefix(Self.hashLength))
    }

    /// `<!-- gongkai-version:<item>/<version>/<hash prefix> -->`.
    public var htmlComment: String { "<!-- \(Self.prefix)\(itemID)/\(version)/\(hashPrefix) -->" }

    /// `body` with the mark of `itemID`'s `version` at its end: what portal and platform articles carry.
    public static func marked(_ body: String, itemID: String, version: Int, contentHash: String) -> String {
        body + "\n" + PublicPageMarker(itemID: itemID, version: version, contentHash: contentHash).htmlComment
    }

    /// Whether `contentHash` is the hash this mark names.
    public func names(contentHash: String) -> Bool { contentHash.hasPrefix(hashPrefix) && !hashPrefix.isEmpty }

    /// Every mark in `html`, in order; malformed ones are skipped.
    public static func all(in html: String) -> [PublicPageMarker] {
        var found: [PublicPageMarker] = []
        var rest = html[...]
        while let start = rest.range(of: prefix) {
            rest = rest[start.upperBound...]
            var token = rest.prefix { !$0.isWhitespace && !"<>\"'".contains($0) }
            if token.hasSuffix("--") { token = token.dropLast(2) }
            let parts = token.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, let version = Int(parts[1]), version > 0,
                parts[2].count == hashLength, parts[2].allSatisfy(\.isHexDigit)
            else { continue }
            found.append(PublicPageMarker(itemID: String(parts[0]), version: version, contentHash: String(parts[2]).lowercased()))
        }
        return found
    }
}
