/// 索引号 (catalogue index number): `<9- or 18-char organisation code>/<YYYY>-<5-digit serial>`,
/// e.g. `000014349/2018-00222`.
///
/// The disclosure platform files items in its 政府信息公开目录 by this number and
/// refuses other shapes, so it is checked by hand here (no regular expression
/// engine: it runs for every item of a bulk submission).
public enum IndexNumber {
    /// The shape, for messages and documentation.
    public static let format = "<9- or 18-char organisation code>/<YYYY>-<5-digit serial>, e.g. 000014349/2018-00222"

    /// Whether `text` has the index-number shape.
    public static func isValid(_ text: String) -> Bool {
        problem(with: text) == nil
    }

    /// Why `text` is not an index number, or nil when it is.
    public static func problem(with text: String) -> String? {
        let characters = Array(text.unicodeScalars)
        guard !characters.isEmpty else { return "is empty" }
        guard let slash = characters.firstIndex(of: "/") else {
            return "missing '/' between organisation code and year; expected \(format)"
        }
        let code = characters[..<slash]
        guard code.count == 9 || code.count == 18 else {
            return "organisation code before '/' must be 9 or 18 characters, got \(code.count)"
        }
        for (offset, scalar) in code.enumerated() where !isCodeCharacter(scalar) {
            return "character '\(scalar)' at position \(offset + 1) of the organisation code must be 0-9 or A-Z"
        }
        let rest = characters[(slash + 1)...]
        guard let dash = rest.firstIndex(of: "-") else {
            return "missing '-' between year and serial; expected \(format)"
        }
        let year = characters[(slash + 1)..<dash]
        guard year.count == 4, year.allSatisfy(isDigit) else {
            return "year after '/' must be 4 digits, got '\(String(String.UnicodeScalarView(year)))'"
        }
        let serial = characters[(dash + 1)...]
        guard serial.count == 5, serial.allSatisfy(isDigit) else {
            return "serial after '-' must be 5 digits, got '\(String(String.UnicodeScalarView(serial)))'"
        }
        return nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 48 && scalar.value <= 57
    }

    private static func isCodeCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || (scalar.value >= 65 && scalar.value <= 90)
    }
}
