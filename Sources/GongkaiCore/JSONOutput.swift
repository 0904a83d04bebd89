public import Foundation

/// Stable JSON for `--json` output and the API's bodies: sorted keys, pretty, no escaped slashes.
///
/// What it encodes is plain JSON by construction, not Swift's encoding of its
/// own types: booleans are booleans, an enumeration is a lower-case string with
/// its details in named fields, an instant is ``JSONTime`` (RFC 3339 with the
/// agency's +08:00 offset) and a working day is a `YYYY-MM-DD` string. The
/// shapes are the `components/schemas` of the API's openapi.yaml.
public enum JSONOutput {
    public static func string(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// An instant in machine output: encoded as RFC 3339 in Beijing time
/// (`2026-11-20T15:04:05.123+08:00`), the agency's own clock, so that the day
/// a reader sees is the day deadlines are counted in.
///
/// Decodes that form, any RFC 3339 offset, and the Unix milliseconds that
/// reports written by earlier versions hold, so a kept file stays readable.
public struct JSONTime: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Unix milliseconds, as the store keeps time.
    public var millis: Int64

    public init(_ millis: Int64) { self.millis = millis }

    public var description: String { Timestamp.rfc3339(millis) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            millis = number
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = Timestamp.parseRFC3339(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
        }
        millis = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Timestamp.rfc3339(millis))
    }
}

extension Timestamp {
    /// The offset machine output writes times in: China Standard Time, which has no daylight saving.
    public static var beijingOffsetMillis: Int64 { CalendarDate.beijingOffsetMillis }

    /// Unix milliseconds as RFC 3339 in Beijing time, e.g. `2026-11-20T15:04:05.123+08:00`.
    public static func rfc3339(_ millis: Int64) -> String {
        let utc = iso8601(millis + beijingOffsetMillis)
        return String(utc.dropLast()) + "+08:00"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into Unix milliseconds; nil for anything else.
    public static func parseRFC3339(_ text: String) -> Int64? {
        let chars = Array(text.utf8)
        guard chars.count >= 20, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t"),
            chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            let day = CalendarDate(String(decoding: chars[0..<10], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard chars.indices.contains(index), (48...57).contains(chars[index]) else { return nil }
                value = value * 10 + Int64(chars[index] - 48)
            }
            return value
        }
        guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction: Int64 = 0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < chars.count, (48...57).contains(chars[index]) {
                if digits < 3 { fraction = fraction * 10 + Int64(chars[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { fraction *= 10 }
        }
        guard index < chars.count else { return nil }
        var offset: Int64 = 0
        switch chars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == chars.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == chars.count, chars[index + 3] == UInt8(ascii: ":"),
                let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6)
            else { return nil }
            offset = (hours * 60 + minutes) * 60_000 * (chars[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let local = Int64(day.dayNumber) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + fraction
        return local - offset
    }
}
