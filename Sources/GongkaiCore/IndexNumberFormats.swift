public import Foundation

/// Which 索引号 shapes are accepted, per publisher: real agencies number their
/// catalogue in shapes other than the national `<code>/<YYYY>-<5 digits>`
/// (e.g. `01527918X-2020-153077`). A publisher without a format of its own is
/// held to the national shape (``IndexNumber``).
public struct IndexNumberFormats: Sendable, Equatable {
    /// One publisher's accepted shape: a regular expression the whole number must match.
    public struct Format: Sendable, Equatable, CustomStringConvertible {
        public let pattern: String
        private let expression: Compiled

        /// - Throws: ``GongkaiError`` naming `field` when `pattern` is not a regular expression.
        public init(_ pattern: String, field: String = "indexNumberFormats") throws(GongkaiError) {
            guard !pattern.isEmpty, let expression = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$") else {
                throw GongkaiError(.configuration, "\"\(pattern)\" is not a regular expression", field: field)
            }
            self.pattern = pattern
            self.expression = Compiled(expression)
        }

        public func matches(_ text: String) -> Bool {
            let range = NSRange(text.startIndex..., in: text)
            return expression.value.firstMatch(in: text, options: [], range: range) != nil
        }

        public var description: String { pattern }

        public static func == (lhs: Format, rhs: Format) -> Bool { lhs.pattern == rhs.pattern }
    }

    /// NSRegularExpression is immutable once made, and matching is thread-safe.
    private final class Compiled: @unchecked Sendable {
        let value: NSRegularExpression
        init(_ value: NSRegularExpression) { self.value = value }
    }

    /// Formats keyed by the publisher's 统一社会信用代码 or, for one without, its full name.
    public var byPublisher: [String: Format]

    public init(byPublisher: [String: Format] = [:]) {
        self.byPublisher = byPublisher
    }

    /// Every publisher on the national shape.
    public static let national = IndexNumberFormats()

    /// Why `number` is not an index number of `publisher`, or nil when it is.
    public func problem(with number: String, publisher: DisclosureItem.Publisher) -> String? {
        guard let (key, format) = format(for: publisher) else { return IndexNumber.problem(with: number) }
        if format.matches(number) { return nil }
        return "does not match the format configured for \(key) (indexNumberFormats): \(format.pattern)"
    }

    /// The shape a publisher's numbers must have, for messages.
    public func expected(for publisher: DisclosureItem.Publisher) -> String {
        format(for: publisher).map { "a match of \($0.format.pattern) (indexNumberFormats)" } ?? IndexNumber.format
    }

    /// The publisher's own format and the key it is configured under: its credit code first, then its name.
    private func format(for publisher: DisclosureItem.Publisher) -> (key: String, format: Format)? {
        if let code = publisher.code, let format = byPublisher[code] { return (code, format) }
        return byPublisher[publisher.name].map { (publisher.name, $0) }
    }
}
