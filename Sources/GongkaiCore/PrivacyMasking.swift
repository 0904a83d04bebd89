/// De-identification (去标识化) of items bound for public channels.
///
/// The plans require natural persons' ID numbers, phone numbers and addresses
/// to be masked on every public channel, while the credit-sharing feed (a
/// government-to-government exchange) gets the full record. Masking errs on
/// the side of hiding: an ID-number-looking run is masked even with a wrong
/// check digit, because a mistyped number still identifies a person.
/// Organisation credit codes are public information and are left alone.
///
/// The scanners work on UTF-8 bytes without regular expressions; every
/// pattern they look for is ASCII digits or whole CJK characters, so byte
/// matches always fall on character boundaries.
public enum PrivacyMasking {
    /// The replacement for a masked run.
    public static let mask = "****"

    /// A copy of `item` fit for public channels: the subject's ID number, its
    /// legal representative's ID number, and every ID number, phone number
    /// and address in the free text (title, summary, body, penalty
    /// facts/content/remarks and the suspended or revoked licence, licence
    /// content/remarks) masked.
    public static func maskedForPublic(_ item: DisclosureItem) -> DisclosureItem {
        var copy = item
        copy.title = maskText(item.title)
        copy.summary = item.summary.map(maskText)
        copy.body = maskText(item.body)
        if var subject = copy.subject {
            subject.idNumber = subject.idNumber.map(maskIDNumber)
            // The 法定代表人 is a natural person too: the name is public, the number is not.
            subject.legalRepresentativeIDNumber = subject.legalRepresentativeIDNumber.map(maskIDNumber)
            copy.subject = subject
        }
        if var penalty = copy.penalty {
            penalty.facts = maskText(penalty.facts)
            penalty.content = maskText(penalty.content)
            penalty.remarks = penalty.remarks.map(maskText)
            // A revoked 驾驶证's number is its holder's ID number.
            penalty.suspendedOrRevokedLicence = penalty.suspendedOrRevokedLicence.map(maskText)
            copy.penalty = penalty
        }
        if var licence = copy.licence {
            licence.content = maskText(licence.content)
            licence.remarks = licence.remarks.map(maskText)
            copy.licence = licence
        }
        return copy
    }

    /// Whether `item` may go to public channels at all.
    ///
    /// No for records about minors (they never go public, masked or not), and
    /// no unless the item is 主动公开: 依申请公开 items are never pushed and
    /// 不予公开 items never leave. Review state is not considered here: a
    /// pending item is "not yet", not "never".
    public static func isPublishableOnPublicChannels(_ item: DisclosureItem) -> Bool {
        item.subject?.minor != true && item.attribute == .proactive
    }

    /// Masks one ID number: an 18-character number keeps its first 6 (region)
    /// and last 4 characters, `110101********803X`. Other lengths (old
    /// 15-digit numbers, passports) keep proportionally less.
    public static func maskIDNumber(_ number: String) -> String {
        let characters = Array(number)
        let count = characters.count
        switch count {
        case 11...:
            return String(characters[0..<6]) + String(repeating: "*", count: count - 10) + String(characters[(count - 4)...])
        case 5...10:
            return String(characters[0]) + String(repeating: "*", count: count - 3) + String(characters[(count - 2)...])
        default:
            return String(repeating: "*", count: count)
        }
    }

    /// Masks ID numbers, phone numbers and addresses in free text (plain or HTML).
    public static func maskText(_ text: String) -> String {
        guard mayNeedMasking(text) else { return text }
        var bytes = Array(text.utf8)
        var changed = false
        if let masked = bytes.withUnsafeBufferPointer(maskIDNumbers) { bytes = masked; changed = true }
        if let masked = bytes.withUnsafeBufferPointer(maskPhones) { bytes = masked; changed = true }
        if let masked = bytes.withUnsafeBufferPointer(maskAddresses) { bytes = masked; changed = true }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// Masks every 18-character ID-number-looking run (17 digits and a digit
    /// or X, with a real birth date in positions 7-14, not part of a longer
    /// run of letters and digits) as `110101********803X`.
    ///
    /// A run that is a valid credit code but not a valid ID number is an
    /// organisation's code and is kept.
    public static func maskIDNumbers(in text: String) -> String {
        apply(maskIDNumbers, to: text)
    }

    /// Masks mainland mobile numbers (`1[3-9]` and 9 more digits, not part of
    /// a longer digit run; also `+86`/`86`-prefixed and `138-1234-5678` /
    /// `138 1234 5678` forms) as `138****1234`, and landlines
    /// (`0` + 2-3 digit area code, `-`, 7-8 digits) as `0431-****6666`.
    public static func maskPhones(in text: String) -> String {
        apply(maskPhones, to: text)
    }

    /// Masks the address after `住址：`, `家庭住址：`, `地址：` (or with `:`):
    /// the text is kept up to and including the first 区, 县 or 市 and the rest
    /// is replaced by `****`, up to the next 。，；、）(or ASCII `,;)`), line
    /// break or `<`. HTML tags right after the label are skipped; URLs
    /// (`地址：https://…`) are left alone.
    public static func maskAddresses(in text: String) -> String {
        apply(maskAddresses, to: text)
    }

    // MARK: - Byte scanners; each returns nil when nothing changed.

    private typealias Bytes = UnsafeBufferPointer<UInt8>

    private static func apply(_ scanner: (Bytes) -> [UInt8]?, to text: String) -> String {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer(scanner).map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// Every pattern needs an ASCII digit or 址; most titles have neither.
    private static func mayNeedMasking(_ text: String) -> Bool {
        let zhiLead = zhi[0]
        return text.utf8.contains { ($0 >= 48 && $0 <= 57) || $0 == zhiLead }
    }

    private static func maskIDNumbers(_ b: Bytes) -> [UInt8]? {
        var out: [UInt8] = []
        var changed = false
        var i = 0
        let n = b.count
        while i < n {
            guard isAlphanumeric(b[i]) else {
                if changed { out.append(b[i]) }
                i += 1
                continue
            }
            var j = i
            while j < n, isAlphanumeric(b[j]) { j += 1 }
            if j - i == 18, looksLikeIDNumber(b[i..<j]) {
                if !changed {
                    out.reserveCapacity(n)
                    out.append(contentsOf: b[0..<i])
                    changed = true
                }
                out.append(contentsOf: b[i..<(i + 6)])
                out.append(contentsOf: repeatElement(UInt8(ascii: "*"), count: 8))
                out.append(contentsOf: b[(j - 4)..<j])
            } else if changed {
                out.append(contentsOf: b[i..<j])
            }
            i = j
        }
        return changed ? out : nil
    }

    private static func looksLikeIDNumber(_ run: Slice<Bytes>) -> Bool {
        let s = run.startIndex
        for k in s..<(s + 17) where !isDigit(run[k]) { return false }
        let last = run[s + 17]
        guard isDigit(last) || last == UInt8(ascii: "X") || last == UInt8(ascii: "x") else { return false }
        func number(_ from: Int, _ count: Int) -> Int {
            run[(s + from)..<(s + from + count)].reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        let year = number(6, 4)
        guard (1900...2099).contains(year), CalendarDate(year: year, month: number(10, 2), day: number(12, 2)) != nil
        else { return false }
        let text = String(decoding: run, as: UTF8.self)
        if CreditCode.isValid(text),
            ResidentIDNumber.checkCharacter(forFirst17: String(text.prefix(17))) != Character(Unicode.Scalar(last))
        {
            return false
        }
        return true
    }

    private static func maskPhones(_ b: Bytes) -> [UInt8]? {
        var out: [UInt8] = []
        var changed = false
        var i = 0
        let n = b.count
        func begin(at position: Int) {
            if !changed {
                out.reserveCapacity(n)
                out.append(contentsOf: b[0..<position])
                changed = true
            }
        }
        func maskedRun(_ keep: Range<Int>, _ tail: Range<Int>, separator: UInt8? = nil) {
            out.append(contentsOf: b[keep])
            if let separator { out.append(separator) }
            out.append(contentsOf: mask.utf8)
            if let separator { out.append(separator) }
            out.append(contentsOf: b[tail])
        }
        func digitRunEnd(_ from: Int) -> Int {
            var j = from
            while j < n, isDigit(b[j]) { j += 1 }
            return j
        }
        while i < n {
            guard isDigit(b[i]) else {
                if changed { out.append(b[i]) }
                i += 1
                continue
            }
            let j = digitRunEnd(i)
            let length = j - i
            if length == 11, isMobileStart(b, i) {
                begin(at: i)
                maskedRun(i..<(i + 3), (j - 4)..<j)
                i = j
                continue
            }
            if length == 13, b[i] == UInt8(ascii: "8"), b[i + 1] == UInt8(ascii: "6"), isMobileStart(b, i + 2) {
                begin(at: i)
                maskedRun(i..<(i + 5), (j - 4)..<j)
                i = j
                continue
            }
            if length == 3, isMobileStart(b, i), j < n, b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: " ") {
                let separator = b[j]
                let second = digitRunEnd(j + 1)
                if second - (j + 1) == 4, second < n, b[second] == separator {
                    let third = digitRunEnd(second + 1)
                    if third - (second + 1) == 4 {
                        begin(at: i)
                        maskedRun(i..<j, (second + 1)..<third, separator: separator)
                        i = third
                        continue
                    }
                }
            }
            if length == 3 || length == 4, b[i] == UInt8(ascii: "0"), j < n, b[j] == UInt8(ascii: "-") {
                let local = digitRunEnd(j + 1)
                if local - (j + 1) == 7 || local - (j + 1) == 8 {
                    begin(at: i)
                    out.append(contentsOf: b[i...j])
                    out.append(contentsOf: mask.utf8)
                    out.append(contentsOf: b[(local - 4)..<local])
                    i = local
                    continue
                }
            }
            if changed { out.append(contentsOf: b[i..<j]) }
            i = j
        }
        return changed ? out : nil
    }

    private static func isMobileStart(_ b: Bytes, _ i: Int) -> Bool {
        b[i] == UInt8(ascii: "1") && b[i + 1] >= UInt8(ascii: "3") && b[i + 1] <= UInt8(ascii: "9")
    }

    private static let zhu = Array("住".utf8)
    private static let di = Array("地".utf8)
    private static let zhi = Array("址".utf8)
    private static let fullColon = Array("：".utf8)
    private static let fullSpace = Array("　".utf8)
    /// Multi-byte characters that end an address.
    private static let terminators: [[UInt8]] = ["。", "，", "；", "）", "、"].map { Array($0.utf8) }
    /// Characters up to which an address is kept.
    private static let divisionMarks: [[UInt8]] = ["区", "县", "市"].map { Array($0.utf8) }

    private static func maskAddresses(_ b: Bytes) -> [UInt8]? {
        // Statics hoisted: each static access is a lazy-initialisation check.
        let (zhu, di, zhi, fullColon, fullSpace) = (Self.zhu, Self.di, Self.zhi, Self.fullColon, Self.fullSpace)
        let (terminators, divisionMarks, mask) = (Self.terminators, Self.divisionMarks, Self.mask)
        let (zhuLead, diLead, zhiMiddle) = (zhu[0], di[0], zhi[1])
        var out: [UInt8] = []
        var changed = false
        var copied = 0  // b[..<copied] is already in `out` once changed
        var i = 0
        let n = b.count
        while i < n {
            // Key on 址's rare middle byte rather than the common CJK lead bytes.
            guard b[i] == zhiMiddle, i >= 4, matches(b, i - 1, zhi), b[i - 4] == zhuLead || b[i - 4] == diLead,
                matches(b, i - 4, zhu) || matches(b, i - 4, di)
            else {
                i += 1
                continue
            }
            var start = i + 2  // just past 址
            if matches(b, start, fullColon) {
                start += 3
            } else if start < n, b[start] == UInt8(ascii: ":") {
                start += 1
            } else {
                i += 1
                continue
            }
            // Skip spaces and tags between the label and the address itself.
            while start < n {
                if b[start] == 0x20 || b[start] == 0x09 {
                    start += 1
                } else if matches(b, start, fullSpace) {
                    start += 3
                } else if b[start] == UInt8(ascii: "<"), let close = b[start...].firstIndex(of: UInt8(ascii: ">")) {
                    start = close + 1
                } else {
                    break
                }
            }
            var end = start
            while end < n, !isAddressEnd(b, end, terminators) { end += 1 }
            let value = b[start..<end]
            i = end
            if value.isEmpty || value.starts(with: "http".utf8) || value.starts(with: "www.".utf8) {
                continue
            }
            var keepEnd = start
            while keepEnd < end, !divisionMarks.contains(where: { matches(b, keepEnd, $0) }) { keepEnd += 1 }
            keepEnd = keepEnd < end ? keepEnd + 3 : start
            let rest = b[keepEnd..<end]
            if rest.isEmpty || rest.elementsEqual(mask.utf8) { continue }
            if !changed {
                out.reserveCapacity(n)
                changed = true
            }
            out.append(contentsOf: b[copied..<keepEnd])
            out.append(contentsOf: mask.utf8)
            copied = end
        }
        guard changed else { return nil }
        out.append(contentsOf: b[copied..<n])
        return out
    }

    private static func isAddressEnd(_ b: Bytes, _ i: Int, _ terminators: [[UInt8]]) -> Bool {
        switch b[i] {
        case 0x0A, 0x0D, UInt8(ascii: "<"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ")"): return true
        case 0xE0...0xEF: return terminators.contains { matches(b, i, $0) }
        default: return false
        }
    }

    private static func matches(_ b: Bytes, _ i: Int, _ pattern: [UInt8]) -> Bool {
        guard i >= 0, i + pattern.count <= b.count else { return false }
        for k in 0..<pattern.count where b[i + k] != pattern[k] { return false }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}
