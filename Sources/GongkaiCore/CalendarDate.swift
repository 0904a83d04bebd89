public import Foundation

/// A day in the proleptic Gregorian calendar, without time or time zone.
///
/// Disclosure dates (成文日期, 发布日期, 处罚决定日期 …) are calendar days, and
/// the legal deadlines are counted in whole (working) days, so a time-of-day
/// type would only invite off-by-one-hour bugs. Arithmetic is done on a
/// day number (days since 1970-01-01) with Howard Hinnant's civil-date
/// algorithms, so no `Calendar`, locale or time zone is involved and the type
/// is cheap enough to use in tight working-day loops.
///
/// Only years 1...9999 can be created from text or components; a date moved
/// outside that range by ``adding(days:)`` still computes correctly but its
/// ``description`` is no longer four-digit.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year, 1...9999 for dates made from text or components.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...31.
    public let day: Int

    /// Creates a date from components, or nil when they name no real day
    /// (e.g. 2023-02-29, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CalendarDate.daysInMonth(month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses strict `YYYY-MM-DD` (exactly ten ASCII characters, zero-padded),
    /// returning nil for anything else, including impossible days, so that a
    /// date that reaches the outbox is always a real one.
    public init?(_ text: String) {
        var text = text
        let parsed: (Int, Int, Int)? = text.withUTF8 { CalendarDate.parse($0) }
        guard let (y, m, d) = parsed, let date = CalendarDate(year: y, month: m, day: d) else {
            return nil
        }
        self = date
    }

    /// The date `dayNumber` days after 1970-01-01 (negative: before it).
    public init(dayNumber: Int) {
        // Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// The day on which `date` falls at the given UTC offset.
    ///
    /// The default offset is China Standard Time (UTC+8, no daylight saving),
    /// because the deadlines gongkai tracks run on Beijing time whatever the
    /// server's own time zone is.
    public init(_ date: Date, secondsEastOfUTC: Int = 8 * 3600) {
        let seconds = date.timeIntervalSince1970 + Double(secondsEastOfUTC)
        self.init(dayNumber: Int((seconds / 86_400).rounded(.down)))
    }

    /// China Standard Time's offset (UTC+8, no daylight saving), in milliseconds.
    public static let beijingOffsetMillis: Int64 = 8 * 3_600_000

    /// The Beijing day of a Unix-millisecond instant: the one place gongkai turns an
    /// instant into the day the disclosure rules count in.
    public static func beijingDay(ofMillis millis: Int64) -> CalendarDate {
        let shifted = millis + beijingOffsetMillis
        let day: Int64 = 86_400_000
        return CalendarDate(dayNumber: Int(shifted >= 0 ? shifted / day : (shifted - day + 1) / day))
    }

    /// The instant (Unix ms) this day begins in Beijing.
    public var beijingStartMillis: Int64 {
        Int64(dayNumber) * 86_400_000 - Self.beijingOffsetMillis
    }

    /// Today according to the system clock, in China Standard Time by default.
    public static func today(secondsEastOfUTC: Int = 8 * 3600) -> CalendarDate {
        CalendarDate(Date(), secondsEastOfUTC: secondsEastOfUTC)
    }

    /// Days since 1970-01-01; differences of day numbers are day counts.
    public var dayNumber: Int {
        // Hinnant, days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public var weekday: Int {
        let r = (dayNumber + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    /// Saturday or Sunday; whether it is a working day is the work calendar's
    /// call (调休 makes some weekends working days).
    public var isWeekend: Bool { weekday >= 6 }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CalendarDate {
        days == 0 ? self : CalendarDate(dayNumber: dayNumber + days)
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(to other: CalendarDate) -> Int {
        other.dayNumber - dayNumber
    }

    /// Whether `year` has a 29 February in the Gregorian calendar.
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Number of days in `month` (1...12) of `year`; 0 for a month out of range.
    public static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    /// Chronological order.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        if lhs.year != rhs.year { return lhs.year < rhs.year }
        if lhs.month != rhs.month { return lhs.month < rhs.month }
        return lhs.day < rhs.day
    }

    /// `YYYY-MM-DD`, the form every gongkai interface uses.
    public var description: String {
        guard (0...9999).contains(year) else {
            return "\(year)-\(CalendarDate.twoDigits(month))-\(CalendarDate.twoDigits(day))"
        }
        let zero = UInt8(ascii: "0")
        let bytes: [UInt8] = [
            zero + UInt8(year / 1000), zero + UInt8(year / 100 % 10),
            zero + UInt8(year / 10 % 10), zero + UInt8(year % 10), UInt8(ascii: "-"),
            zero + UInt8(month / 10), zero + UInt8(month % 10), UInt8(ascii: "-"),
            zero + UInt8(day / 10), zero + UInt8(day % 10),
        ]
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes from a `YYYY-MM-DD` string, rejecting impossible days.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a real date in YYYY-MM-DD form")
        }
        self = date
    }

    /// Encodes as a `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        return (y, m, d)
    }
}
