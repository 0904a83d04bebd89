public import Crypto
public import Foundation

/// The canonical bytes of an item and the content hash derived from them.
///
/// The hash decides whether a re-submission is a new version, so it must not
/// change with key order or with workflow state: ``DisclosureItem/review`` is
/// left out, because approving an item does not change what is published.
public enum ItemCanonicalForm {
    /// Sorted-key JSON of the item as submitted (review included).
    public static func document(_ item: DisclosureItem) -> [UInt8] {
        Array(try! encoder.encode(item))
    }

    /// Hex SHA-256 of the item's published content (review excluded).
    public static func contentHash(_ item: DisclosureItem) -> String {
        var content = item
        content.review = .approved
        let bytes = try! encoder.encode(content)
        return SHA256.hash(data: bytes).map { byteHex[Int($0)] }.joined()
    }

    private static let byteHex: [String] = (0..<256).map { String(format: "%02x", $0) }

    // JSONEncoder is Sendable: one shared encoder serves every thread.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
