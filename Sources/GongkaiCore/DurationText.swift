/// Reads and writes the human duration notation used in channel files and CLI
/// flags, such as `250ms`, `5s`, `5m`, `2h`, `1d` and `1h30m`.
///
/// Durations are `Int64` milliseconds everywhere else in gongkai; this is the
/// only place that knows the text form, so configuration and output agree.
///
/// Rules for ``milliseconds(_:)``:
/// - Units are `ms`, `s`, `m`, `h`, `d` (lowercase, because `M` could mean months).
/// - Components must go from larger to smaller units without repeats
///   (`1h30m`, not `30m1h` or `1m1m`), so a typo such as `5m5m` is caught
///   rather than silently summed, and every value has exactly one spelling.
/// - A plain integer means seconds, matching how most platforms document timeouts.
/// - Only whole numbers: fractions such as `1.5s` would need a rounding rule
///   the operator cannot see, so `1500ms` is required instead.
/// - Surrounding spaces are ignored; inner spaces, signs and empty text are rejected.
///
/// Errors are ``GongkaiError`` with code ``GongkaiError/Code/invalidField`` and
/// no `field`: only the caller knows which setting the text came from.
public enum DurationText {
    private struct Unit {
        let symbol: String
        let milliseconds: Int64
    }

    // Ordered largest first; the index doubles as the rank that enforces ordering.
    private static let units: [Unit] = [
        Unit(symbol: "d", milliseconds: 86_400_000),
        Unit(symbol: "h", milliseconds: 3_600_000),
        Unit(symbol: "m", milliseconds: 60_000),
        Unit(symbol: "s", milliseconds: 1_000),
        Unit(symbol: "ms", milliseconds: 1),
    ]

    /// Parses a duration such as `5s`, `1h30m` or `250ms` into milliseconds.
    ///
    /// - Parameter text: the duration text; a bare integer is read as seconds.
    /// - Returns: the duration in milliseconds, never negative.
    /// - Throws: ``GongkaiError`` (`.invalidField`, `field` nil) when the text is
    ///   empty, negative, uses an unknown unit, repeats or misorders units, or overflows.
    public static func milliseconds(_ text: String) throws(GongkaiError) -> Int64 {
        let bytes = trimmed(Array(text.utf8))
        guard !bytes.isEmpty else {
            throw invalid(text, "is empty")
        }
        if bytes[0] == UInt8(ascii: "-") {
            throw invalid(text, "is negative; durations cannot be negative")
        }

        var index = 0
        if bytes.allSatisfy(isDigit) {
            let seconds = try number(bytes, &index, text)
            return try multiply(seconds, 1_000, text)
        }

        var total: Int64 = 0
        var previousRank = -1
        while index < bytes.count {
            guard isDigit(bytes[index]) else {
                throw invalid(text, "must start each part with a number (e.g. 1h30m)")
            }
            let amount = try number(bytes, &index, text)
            let unitStart = index
            while index < bytes.count, isLetter(bytes[index]) {
                index += 1
            }
            guard unitStart < index else {
                throw invalid(text, "is missing a unit after \(amount) (use ms, s, m, h or d)")
            }
            let symbol = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let rank = units.firstIndex(where: { $0.symbol == symbol }) else {
                throw invalid(text, "has unknown unit \"\(symbol)\" (use ms, s, m, h or d)")
            }
            guard rank > previousRank else {
                throw invalid(text, "must list units from largest to smallest, each once (e.g. 1h30m)")
            }
            previousRank = rank
            let part = try multiply(amount, units[rank].milliseconds, text)
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else {
                throw invalid(text, "is too large")
            }
            total = sum
        }
        return total
    }

    /// Formats milliseconds in the shortest readable form that
    /// ``milliseconds(_:)`` reads back to the same value.
    ///
    /// Examples: `5000` → `5s`, `5400000` → `1h30m`, `250` → `250ms`, `0` → `0s`.
    /// Negative values get a leading `-` so they stay visible in diagnostics,
    /// even though they cannot be parsed back.
    public static func format(_ ms: Int64) -> String {
        if ms == 0 {
            return "0s"
        }
        // The magnitude keeps Int64.min from trapping on negation.
        var remaining = ms.magnitude
        var text = ms < 0 ? "-" : ""
        for unit in units {
            let size = UInt64(unit.milliseconds)
            let count = remaining / size
            if count > 0 {
                text += "\(count)\(unit.symbol)"
                remaining -= count * size
            }
        }
        return text
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var slice = bytes[...]
        while let first = slice.first, isSpace(first) {
            slice = slice.dropFirst()
        }
        while let last = slice.last, isSpace(last) {
            slice = slice.dropLast()
        }
        return Array(slice)
    }

    private static func number(
        _ bytes: [UInt8], _ index: inout Int, _ text: String
    ) throws(GongkaiError) -> Int64 {
        var value: Int64 = 0
        while index < bytes.count, isDigit(bytes[index]) {
            let digit = Int64(bytes[index] - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else {
                throw invalid(text, "is too large")
            }
            value = next
            index += 1
        }
        return value
    }

    private static func multiply(_ amount: Int64, _ factor: Int64, _ text: String) throws(GongkaiError) -> Int64 {
        let (product, overflow) = amount.multipliedReportingOverflow(by: factor)
        guard !overflow else {
            throw invalid(text, "is too large")
        }
        return product
    }

    private static func invalid(_ text: String, _ problem: String) -> GongkaiError {
        GongkaiError(.invalidField, "duration \"\(text)\" \(problem)")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
