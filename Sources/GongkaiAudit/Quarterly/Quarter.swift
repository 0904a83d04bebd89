import Foundation
public import GongkaiCore

/// A calendar quarter (季度) in Beijing time, written `2026Q4`.
///
/// Inspections are quarterly (每季度检查一次): a quarter starts at 00:00 China
/// Standard Time on its first day and ends just before the next one starts.
public struct Quarter: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    /// 1 to 4.
    public let number: Int

    public init?(year: Int, number: Int) {
        guard (1...4).contains(number), (1970...9999).contains(year) else { return nil }
        self.year = year
        self.number = number
    }

    /// Reads `2026Q4` (also `2026q4` and `2026-Q4`); nil for anything else.
    public init?(_ text: String) {
        let upper = text.uppercased().replacingOccurrences(of: "-Q", with: "Q")
        let parts = upper.split(separator: "Q", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 1, let year = Int(parts[0]),
            let number = Int(parts[1])
        else { return nil }
        self.init(year: year, number: number)
    }

    /// The quarter that Beijing day `day` falls in.
    public init(containing day: CalendarDate) {
        year = day.year
        number = (day.month - 1) / 3 + 1
    }

    /// The quarter the instant `millis` (Unix ms) falls in, in Beijing time.
    public init(containingMillis millis: Int64) {
        self.init(containing: CalendarDate.beijingDay(ofMillis: millis))
    }

    /// The last quarter that has ended by `millis`: the one before the current one.
    public static func lastEnded(before millis: Int64) -> Quarter {
        Quarter(containingMillis: millis).previous
    }

    public var firstDay: CalendarDate { CalendarDate(year: year, month: number * 3 - 2, day: 1)! }

    public var lastDay: CalendarDate { next.firstDay.adding(days: -1) }

    /// 00:00 Beijing time on the first day, in Unix ms.
    public var startMillis: Int64 { firstDay.beijingStartMillis }

    /// 00:00 Beijing time on the day after the last day: the quarter is `[startMillis, endMillis)`.
    public var endMillis: Int64 { next.firstDay.beijingStartMillis }

    public var next: Quarter {
        number == 4 ? Quarter(year: year + 1, number: 1)! : Quarter(year: year, number: number + 1)!
    }

    public var previous: Quarter {
        number == 1 ? Quarter(year: year - 1, number: 4)! : Quarter(year: year, number: number - 1)!
    }

    public func contains(_ millis: Int64) -> Bool { millis >= startMillis && millis < endMillis }

    public func contains(_ day: CalendarDate) -> Bool { day >= firstDay && day <= lastDay }

    public var description: String { "\(year)Q\(number)" }

    /// `2026年第四季度` or `2026 Q4`.
    public func label(chinese: Bool) -> String {
        chinese ? "\(year)年第\(["一", "二", "三", "四"][number - 1])季度" : "\(year) Q\(number)"
    }

    public static func < (lhs: Quarter, rhs: Quarter) -> Bool {
        (lhs.year, lhs.number) < (rhs.year, rhs.number)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let quarter = Quarter(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a quarter like 2026Q4: \(text)")
        }
        self = quarter
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
