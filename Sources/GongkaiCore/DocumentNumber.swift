/// 发文字号 (document number) per GB/T 9704-2012: `<机关代字>〔YYYY〕N号`, e.g. `吉林发〔2023〕12号`.
///
/// The standard prescribes the hexagonal brackets 〔〕 (U+3014/U+3015) and a
/// serial without zero padding or 第; look-alike brackets are the most common
/// mistake in submitted items, so messages name the exact fix.
public enum DocumentNumber {
    /// The shape, for messages and documentation.
    public static let format = "<机关代字>〔YYYY〕N号, e.g. 吉林发〔2023〕12号"

    /// Brackets people type instead of 〔〕, with the pair to name in a message.
    private static let lookAlikeOpeners: [Character: String] = [
        "[": "[]", "［": "［］", "(": "()", "（": "（）", "【": "【】", "〖": "〖〗",
        "﹝": "﹝﹞", "〘": "〘〙", "{": "{}", "<": "<>", "〈": "〈〉", "《": "《》",
    ]
    private static let lookAlikeClosers: Set<Character> = [
        "]", "］", ")", "）", "】", "〗", "﹞", "〙", "}", ">", "〉", "》",
    ]

    /// Whether `text` is a well-formed document number.
    public static func isValid(_ text: String) -> Bool {
        parse(text) != nil
    }

    /// Splits a well-formed document number into its parts, or nil when it is not one.
    public static func parse(_ text: String) -> (agencyCode: String, year: Int, serial: Int)? {
        guard case .success(let parts) = analyse(text) else { return nil }
        return parts
    }

    /// Why `text` is not a well-formed document number, or nil when it is.
    public static func problem(with text: String) -> String? {
        guard case .failure(let problem) = analyse(text) else { return nil }
        return problem.message
    }

    private struct Problem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private static func analyse(_ text: String) -> Result<(agencyCode: String, year: Int, serial: Int), Problem> {
        let characters = Array(text)
        guard !characters.isEmpty else { return .failure(Problem("is empty")) }
        guard let open = characters.firstIndex(of: "〔") else {
            if let wrong = characters.first(where: { lookAlikeOpeners[$0] != nil }), let pair = lookAlikeOpeners[wrong] {
                return .failure(Problem("use 〔〕 (U+3014/U+3015) around the year, not \(pair); expected \(format)"))
            }
            return .failure(Problem("missing the year in 〔〕 (U+3014/U+3015); expected \(format)"))
        }
        let code = characters[..<open]
        guard !code.isEmpty else {
            return .failure(Problem("missing the agency code (机关代字) before 〔YYYY〕; expected \(format)"))
        }
        if code.contains(where: \.isWhitespace) {
            return .failure(Problem("agency code (机关代字) must not contain whitespace"))
        }
        guard let close = characters[(open + 1)...].firstIndex(of: "〕") else {
            if let wrong = characters[(open + 1)...].first(where: lookAlikeClosers.contains) {
                return .failure(Problem("close the year with 〕 (U+3015), not \(wrong)"))
            }
            return .failure(Problem("missing 〕 (U+3015) after the year"))
        }
        let yearText = characters[(open + 1)..<close]
        guard yearText.count == 4, yearText.allSatisfy(\.isASCIIDigit), let year = Int(String(yearText)) else {
            return .failure(Problem("year in 〔〕 must be 4 digits, got '\(String(yearText))'"))
        }
        let after = characters[(close + 1)...]
        guard after.last == "号" else {
            if after.contains("号") {
                return .failure(Problem("unexpected text after 号"))
            }
            return .failure(Problem("must end with 号; expected \(format)"))
        }
        let serialText = after.dropLast()
        if serialText.first == "第" {
            return .failure(Problem("drop 第 before the serial number (GB/T 9704 writes 〔\(year)〕12号)"))
        }
        guard !serialText.isEmpty else {
            return .failure(Problem("missing the serial number between 〕 and 号"))
        }
        guard serialText.allSatisfy(\.isASCIIDigit) else {
            if serialText.allSatisfy({ $0.isASCIIDigit || ("０"..."９").contains($0) }) {
                return .failure(Problem("serial number must use ASCII digits 0-9, got '\(String(serialText))'"))
            }
            return .failure(Problem("serial number must be digits, got '\(String(serialText))'"))
        }
        if serialText.first == "0" {
            let trimmed = serialText.drop(while: { $0 == "0" })
            if trimmed.isEmpty { return .failure(Problem("serial number must be positive, got \(String(serialText))")) }
            return .failure(
                Problem("serial number must not be zero-padded (GB/T 9704): write \(String(trimmed)), not \(String(serialText))"))
        }
        guard serialText.count <= 9, let serial = Int(String(serialText)) else {
            return .failure(Problem("serial number \(String(serialText)) is too long"))
        }
        return .success((String(code), year, serial))
    }
}
