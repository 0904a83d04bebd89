/// How one item × channel compares between the outbox and the platform.
///
/// The raw value is the symbol tables print; JSON carries the lower-case
/// ``name`` (`in-sync`, `missing`, `extra`, `differs`, `unchecked`) and reads
/// the symbol too, which reports kept by earlier versions hold.
public enum ReconcileClass: String, Sendable, Codable, CaseIterable {
    /// `=` the platform shows what the outbox says it should.
    case inSync = "="
    /// `+` the outbox says it should be shown; the platform does not have it.
    case missing = "+"
    /// `-` the platform shows it, but it is withdrawn or unknown here.
    case extra = "-"
    /// `*` shown, but a different version or content hash.
    case differs = "*"
    /// `!` could not be checked (the channel cannot list, or failed to); the detail says why.
    case unchecked = "!"

    /// The class in JSON: a lower-case name, since `=`, `+`, `-`, `*`, `!` say nothing to a program.
    public var name: String {
        switch self {
        case .inSync: return "in-sync"
        case .missing: return "missing"
        case .extra: return "extra"
        case .differs: return "differs"
        case .unchecked: return "unchecked"
        }
    }

    /// The class of a JSON ``name`` or a table symbol.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name }) ?? Self(rawValue: name) else { return nil }
        self = found
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let found = Self(name: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown reconciliation class \(text)")
        }
        self = found
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    /// Whether the row is a difference that `--repair` or an operator must act on.
    public var isDifference: Bool { self == .missing || self == .extra || self == .differs }

    public func label(_ language: ReportLanguage) -> String {
        switch (self, language) {
        case (.inSync, .zh): return "一致"
        case (.missing, .zh): return "平台缺失"
        case (.extra, .zh): return "平台多出"
        case (.differs, .zh): return "版本不一致"
        case (.unchecked, .zh): return "无法核对"
        case (.inSync, .en): return "in sync"
        case (.missing, .en): return "missing on channel"
        case (.extra, .en): return "withdrawn or unknown here"
        case (.differs, .en): return "different version"
        case (.unchecked, .en): return "not checked"
        }
    }
}

/// The language of a printed report (`--lang`).
public enum ReportLanguage: String, Sendable, Codable, CaseIterable {
    case zh, en
}
