/// 统一社会信用代码 (unified social credit code), GB 32100-2015.
///
/// The credit-sharing platform (信用中国) rejects a whole batch for one bad
/// code, so gongkai checks the check character before anything is queued.
/// Only the character set, the length and the check character are checked:
/// the registration-authority and region parts change with administrative
/// divisions and are not something a static table here could keep right.
public enum CreditCode {
    /// The 31 characters a code may use (no I, O, S, V, Z); a character's
    /// value is its index here.
    public static let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    /// Weight of position i (0-based) is 3^i mod 31.
    static let weights: [Int] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    private static let alphabetBytes: [UInt8] = Array(alphabet.utf8)

    /// ASCII byte → value, -1 when the byte is not in the alphabet.
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, byte) in alphabetBytes.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    /// Whether `code` is a well-formed code with the right check character.
    public static func isValid(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { bytes in
            guard bytes.count == 18, let check = checkValue(bytes) else { return false }
            return value(of: bytes[17]) == check
        }
    }

    /// The check character for the first 17 characters of a code, or nil when
    /// `first17` is not 17 characters of the alphabet.
    public static func checkCharacter(forFirst17 first17: String) -> Character? {
        var first17 = first17
        return first17.withUTF8 { bytes in
            guard bytes.count == 17, let check = checkValue(bytes) else { return nil }
            return Character(Unicode.Scalar(alphabetBytes[check]))
        }
    }

    /// Why `code` is not a valid credit code, in words an operator can act on,
    /// or nil when it is valid.
    public static func problem(with code: String) -> String? {
        if isValid(code) { return nil }
        let characters = Array(code)
        guard !characters.isEmpty else { return "is empty" }
        guard characters.count == 18 else {
            return "must be 18 characters, got \(characters.count)"
        }
        for (index, character) in characters.enumerated() {
            if let ascii = character.asciiValue, value(of: ascii) != nil { continue }
            let position = index + 1
            if character.isLowercase, let upper = character.uppercased().first, let ascii = upper.asciiValue,
                value(of: ascii) != nil
            {
                return "lower-case '\(character)' at position \(position); credit codes use upper-case letters"
            }
            return "character '\(character)' at position \(position) is not allowed "
                + "(a credit code uses 0-9 and A-Y without I, O, S, V, Z)"
        }
        let expected = checkCharacter(forFirst17: String(characters[0..<17])) ?? "?"
        return "wrong check character '\(characters[17])': expected '\(expected)'"
    }

    private static func value(of byte: UInt8) -> Int? {
        guard byte < 128 else { return nil }
        let v = values[Int(byte)]
        return v < 0 ? nil : Int(v)
    }

    /// The check value for the first 17 bytes, nil when one is outside the alphabet.
    private static func checkValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var sum = 0
        for index in 0..<17 {
            guard let v = value(of: bytes[index]) else { return nil }
            sum += v * weights[index]
        }
        let check = 31 - sum % 31
        return check == 31 ? 0 : check
    }
}
