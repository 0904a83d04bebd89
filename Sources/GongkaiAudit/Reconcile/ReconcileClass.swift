/// How one item × channel compares between the outbox and the platform.
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
