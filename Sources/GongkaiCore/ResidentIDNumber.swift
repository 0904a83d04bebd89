/// 公民身份号码 (resident identity number), GB 11643-1999.
///
/// Checked strictly because the credit-sharing platform validates it and
/// rejects the record otherwise: 18 characters, 17 digits and a check
/// character (a digit or upper-case X), with a birth date (positions 7-14)
/// that is a real day no later than today. The region code (positions 1-6) is
/// not checked against a table, because divisions are renamed and merged and
/// old numbers stay valid.
public enum ResidentIDNumber {
    /// Weights of positions 1-17.
    static let weights: [Int] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

    /// Check character for (weighted sum mod 11).
    private static let checkTable: [UInt8] = Array("10X98765432".utf8)

    /// The earliest birth year accepted; anything older is a typing error.
    static let earliestBirthYear = 1900

    /// Whether `number` is valid with a birth date no later than `today`.
    public static func isValid(_ number: String, today: CalendarDate) -> Bool {
        var number = number
        let fast: Bool = number.withUTF8 { bytes in
            guard bytes.count == 18, let check = checkByte(bytes), bytes[17] == check,
                let birth = birthDate(bytes)
            else { return false }
            return birth.year >= earliestBirthYear && birth <= today
        }
        return fast
    }

    /// Whether `number` is valid, with today taken from the system clock (Beijing time).
    public static func isValid(_ number: String) -> Bool {
        isValid(number, today: .today())
    }

    /// The check character for the first 17 digits, or nil when `first17` is
    /// not exactly 17 ASCII digits.
    public static func checkCharacter(forFirst17 first17: String) -> Character? {
        var first17 = first17
        return first17.withUTF8 { bytes in
            guard bytes.count == 17, let check = checkByte(bytes) else { return nil }
            return Character(Unicode.Scalar(check))
        }
    }

    /// The birth date encoded in positions 7-14, or nil when the number is not
    /// 18 characters or the date is not a real day.
    public static func birthDate(in number: String) -> CalendarDate? {
        var number = number
        return number.withUTF8 { bytes in bytes.count == 18 ? birthDate(bytes) : nil }
    }

    /// Why `number` is not a valid ID number, or nil when it is.
    public static func problem(with number: String, today: CalendarDate) -> String? {
        if isValid(number, today: today) { return nil }
        let characters = Array(number)
        guard !characters.isEmpty else { return "is empty" }
        guard characters.count == 18 else {
            if characters.count == 15, characters.allSatisfy(\.isASCIIDigit) {
                return "must be 18 characters, got 15 (the old 15-digit number must be converted to the 18-digit form)"
            }
            return "must be 18 characters, got \(characters.count)"
        }
        for index in 0..<17 where !characters[index].isASCIIDigit {
            return "character '\(characters[index])' at position \(index + 1) must be a digit"
        }
        let last = characters[17]
        if last == "x" { return "check character must be upper-case 'X', not 'x'" }
        guard last.isASCIIDigit || last == "X" else {
            return "check character '\(last)' at position 18 must be a digit or 'X'"
        }
        let birthText = String(characters[6..<14])
        guard let birth = birthDate(in: number) else {
            return "birth date \(birthText) (positions 7-14) is not a real date"
        }
        if birth.year < earliestBirthYear {
            return "birth date \(birth) (positions 7-14) is before \(earliestBirthYear)"
        }
        if birth > today { return "birth date \(birth) (positions 7-14) is in the future" }
        let expected = checkCharacter(forFirst17: String(characters[0..<17])) ?? "?"
        return "wrong check character '\(last)': expected '\(expected)'"
    }

    /// Why `number` is not valid, with today taken from the system clock (Beijing time).
    public static func problem(with number: String) -> String? {
        problem(with: number, today: .today())
    }

    private static func checkByte(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var sum = 0
        for index in 0..<17 {
            let digit = Int(bytes[index]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            sum += digit * weights[index]
        }
        return checkTable[sum % 11]
    }

    private static func birthDate(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        var value = 0
        for index in 6..<14 {
            let digit = Int(bytes[index]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return CalendarDate(year: value / 10_000, month: value / 100 % 100, day: value % 100)
    }
}

extension Character {
    /// 0-9 only; `isNumber` would also accept full-width and other scripts' digits.
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}
