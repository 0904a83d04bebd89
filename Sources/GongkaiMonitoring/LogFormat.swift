import Foundation
public import GongkaiCore
public import Logging

/// How the process writes its log to standard error: `text` (swift-log's
/// `StreamLogHandler`, for a person at a terminal) or `json` (one object per
/// line, ``JSONLogHandler``, for journald/Loki/Elasticsearch).
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// A handler factory for `LoggingSystem.bootstrap` and for loggers made before or without it.
    public func handler(label: String) -> any LogHandler {
        switch self {
        case .text: return StreamLogHandler.standardError(label: label)
        case .json: return JSONLogHandler(label: label)
        }
    }
}

/// A swift-log handler that writes one JSON object per line: `time` (RFC 3339,
/// +08:00, as every machine-readable time gongkai writes), `level`, `label`,
/// `message`, and each metadata key as a field of its own (a key that would
/// shadow one of those four gets a `metadata.` prefix).
///
/// Every line is scrubbed on its way out, whatever the call site passed: an
/// 18-character ID number (身份证号) is masked as public channels show it, and a
/// webhook secret (`whsec_…`), a bearer token or a WeChat `access_token=` is replaced by `[redacted]`.
/// The call sites log no secret to begin with; this is the net under them.
public struct JSONLogHandler: LogHandler {
    /// Where finished lines go; the default is standard error.
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink
    private let clock: any WallClock

    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil, clock: any WallClock = SystemWallClock(),
        sink: @escaping Sink = JSONLogHandler.standardError
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.clock = clock
        self.sink = sink
    }

    /// One `write(2)` per line, so lines from concurrent tasks never interleave.
    public static let standardError: Sink = { line in
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
        if let error = event.error, fields["error"] == nil { fields["error"] = .string("\(error)") }
        var line = "{\"time\":"
        Self.appendString(Timestamp.rfc3339(clock.now()), to: &line)
        line += ",\"level\":"
        Self.appendString(event.level.rawValue, to: &line)
        line += ",\"label\":"
        Self.appendString(label, to: &line)
        line += ",\"message\":"
        Self.appendString(event.message.description, to: &line)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += ","
            Self.appendString(Self.reserved.contains(key) ? "metadata." + key : key, to: &line)
            line += ":"
            Self.append(value, to: &line)
        }
        line += "}\n"
        sink(line)
    }

    private static let reserved: Set<String> = ["time", "level", "label", "message"]

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .stringConvertible(let convertible):
            // Numbers and booleans stay numbers and booleans: a log query can compare them.
            switch convertible {
            case let bool as Bool: line += bool ? "true" : "false"
            case let number as any BinaryInteger: line += "\(number)"
            case let number as Double where number.isFinite: line += "\(number)"
            default: appendString(convertible.description, to: &line)
            }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                append(element, to: &line)
            }
            line += "]"
        case .dictionary(let values):
            line += "{"
            for (index, (key, element)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                append(element, to: &line)
            }
            line += "}"
        }
    }

    /// A JSON string literal of `text`, scrubbed (``scrubbed(_:)``).
    private static func appendString(_ text: String, to line: inout String) {
        line += "\""
        let text = scrubbed(text)
        // Most values (ids, states, numbers) need no escape: appended whole, not scalar by scalar.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            line += text
            line += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// `text` with ID numbers masked and webhook secrets and bearer tokens redacted.
    public static func scrubbed(_ text: String) -> String {
        guard mayNeedScrubbing(text) else { return text }
        var text = PrivacyMasking.maskIDNumbers(in: text)
        for marker in ["whsec_", "Bearer ", "access_token="] where text.contains(marker) {
            var result = ""
            var rest = Substring(text)
            while let range = rest.range(of: marker) {
                result += rest[..<range.lowerBound]
                result += marker + "[redacted]"
                rest = rest[range.upperBound...].drop { !$0.isWhitespace && $0 != "\"" && $0 != "," }
            }
            result += rest
            text = result
        }
        return text
    }

    /// One pass over the bytes: no run of 17 digits (every ID number has one) and none of the
    /// redacted markers' telling characters, so the usual value skips the masking passes.
    private static func mayNeedScrubbing(_ text: String) -> Bool {
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if digits >= 17 { return true }
            case UInt8(ascii: "_"), UInt8(ascii: "="), UInt8(ascii: "B"):
                return true
            default:
                digits = 0
            }
        }
        return false
    }
}
