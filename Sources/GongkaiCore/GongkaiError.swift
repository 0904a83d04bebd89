/// The one error type gongkai reports to operators and callers.
///
/// It carries a stable machine-readable ``code``, a human message, and the
/// context it happened in (item, channel, field) so that a CLI user or an
/// auditor can tell what was wrong without reading logs. Secrets never go
/// into any of these fields.
public struct GongkaiError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of failure, used in `--json` output and exit codes.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input was not JSON, or not the JSON shape gongkai takes.
        public static let malformedJSON = Code(rawValue: "malformed-json")
        /// A required field is absent.
        public static let missingField = Code(rawValue: "missing-field")
        /// A field is present but its value breaks a rule.
        public static let invalidField = Code(rawValue: "invalid-field")
        /// A body or submission is larger than allowed.
        public static let oversized = Code(rawValue: "oversized")
        /// A channel id that no channel file declares.
        public static let unknownChannel = Code(rawValue: "unknown-channel")
        /// An item id the outbox does not hold.
        public static let unknownItem = Code(rawValue: "unknown-item")
        /// The configuration (gongkai.yaml, channel files, secrets) is wrong.
        public static let configuration = Code(rawValue: "configuration")
        /// The request conflicts with the item's current state.
        public static let conflict = Code(rawValue: "conflict")
        /// The store failed (I/O, constraint, corruption).
        public static let store = Code(rawValue: "store")
    }

    /// One problem with one field of a submitted item.
    public struct FieldIssue: Sendable, Equatable, Codable, CustomStringConvertible {
        /// JSON path of the field, e.g. `subject.creditCode` or `attachments[1].sha256`.
        public var field: String
        /// What is wrong, in words an operator understands.
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
        public var description: String { "\(field): \(message)" }
    }

    public var code: Code
    public var message: String
    public var item: String?
    public var channel: String?
    public var field: String?
    /// Every field problem found, when the error is about an item's content.
    public var issues: [FieldIssue]

    public init(
        _ code: Code, _ message: String, item: String? = nil, channel: String? = nil,
        field: String? = nil, issues: [FieldIssue] = []
    ) {
        self.code = code
        self.message = message
        self.item = item
        self.channel = channel
        self.field = field
        self.issues = issues
    }

    public var description: String {
        var context: [String] = []
        if let item { context.append("item \(item)") }
        if let channel { context.append("channel \(channel)") }
        if let field { context.append("field \(field)") }
        var text = "\(code): \(message)"
        if !context.isEmpty { text += " (" + context.joined(separator: ", ") + ")" }
        if issues.count > 1 || (issues.count == 1 && issues[0].field != field) {
            text += issues.map { "\n  - \($0.field): \($0.message)" }.joined()
        }
        return text
    }
}
