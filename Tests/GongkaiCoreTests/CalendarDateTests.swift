import Foundation
import Testing
@testable import GongkaiCore

@Suite struct CalendarDateTests {
    @Test(arguments: ["2024-02-29", "2000-02-29", "2026-11-20", "0001-01-01", "9999-12-31", "2023-12-31", "2024-04-30"])
    func acceptsRealDates(_ text: String) throws {
        let date = try #require(CalendarDate(text))
        #expect(date.description == text)
    }

    @Test(arguments: [
        "2023-02-29", "1900-02-29", "2100-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-32",
        "2024-01-00", "2024-1-5", "2024-01-5", "24-01-05", "0000-01-01", " 2024-01-01", "2024-01-01 ",
        "2024/01/01", "2024-01-01T00:00", "２０２４-01-01", "+024-01-01", "2024--1-01", "", "20240101",
    ])
    func rejectsAnythingElse(_ text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func components() throws {
        let date = try #require(CalendarDate("2026-03-05"))
        #expect(date.year == 2026 && date.month == 3 && date.day == 5)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 10_000, month: 1, day: 1) == nil)
    }

    @Test func dayNumbersAndWeekdays() throws {
        let cases: [(String, Int, Int)] = [
            ("1970-01-01", 0, 4), ("1969-12-31", -1, 3), ("2000-03-01", 11_017, 3), ("2026-11-20", 20_777, 5),
            ("2026-10-20", 20_746, 2), ("0001-01-01", -719_162, 1), ("9999-12-31", 2_932_896, 5),
            ("2024-01-01", 19_723, 1), ("2024-01-07", 19_729, 7),
        ]
        for (text, number, weekday) in cases {
            let date = try #require(CalendarDate(text))
            #expect(date.dayNumber == number, "\(text)")
            #expect(date.weekday == weekday, "\(text)")
            #expect(CalendarDate(dayNumber: number) == date)
        }
        #expect(CalendarDate("2026-11-21")!.isWeekend)
        #expect(!CalendarDate("2026-11-20")!.isWeekend)
    }

    @Test func dayNumberRoundTripsAndIsContinuous() {
        for numbers in [Array(stride(from: -800_000, through: 3_000_000, by: 97)), Array(-2000...2000)] {
            var previous = CalendarDate(dayNumber: numbers[0] - 1)
            for number in numbers {
                let date = CalendarDate(dayNumber: number)
                #expect(date.dayNumber == number)
                #expect(previous < date)
                previous = date
            }
        }
        // Consecutive days step through every month end correctly.
        var date = CalendarDate("1999-12-25")!
        for _ in 0..<(366 * 5) {
            let next = date.adding(days: 1)
            #expect(next.dayNumber == date.dayNumber + 1)
            #expect(next.weekday == date.weekday % 7 + 1)
            if next.month == date.month {
                #expect(next.day == date.day + 1)
            } else {
                #expect(next.day == 1 && date.day == CalendarDate.daysInMonth(date.month, year: date.year))
            }
            date = next
        }
    }

    @Test func agreesWithFoundationCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for number in stride(from: -40_000, through: 60_000, by: 173) {
            let date = CalendarDate(dayNumber: number)
            let foundation = Date(timeIntervalSince1970: Double(number) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: foundation)
            #expect(parts.year == date.year && parts.month == date.month && parts.day == date.day)
            // Foundation: 1 = Sunday … 7 = Saturday.
            #expect((parts.weekday! + 5) % 7 + 1 == date.weekday)
        }
    }

    @Test func adding() {
        let date = CalendarDate("2024-02-28")!
        #expect(date.adding(days: 1).description == "2024-02-29")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(CalendarDate("2023-02-28")!.adding(days: 1).description == "2023-03-01")
        #expect(CalendarDate("2023-12-31")!.adding(days: 1).description == "2024-01-01")
        #expect(CalendarDate("2024-01-01")!.adding(days: -1).description == "2023-12-31")
        #expect(CalendarDate("2026-01-05")!.adding(days: 319).description == "2026-11-20")
        #expect(date.adding(days: 0) == date)
        #expect(CalendarDate("2026-01-01")!.days(to: CalendarDate("2027-01-01")!) == 365)
    }

    @Test func ordering() {
        let dates = ["2026-11-20", "2025-12-31", "2026-01-01", "2026-11-02", "2026-02-28"].map { CalendarDate($0)! }
        #expect(dates.sorted().map(\.description) == ["2025-12-31", "2026-01-01", "2026-02-28", "2026-11-02", "2026-11-20"])
        #expect(dates.sorted() == dates.sorted(by: { $0.dayNumber < $1.dayNumber }))
        #expect(Set(dates + dates).count == 5)
    }

    @Test func codableAsString() throws {
        struct Box: Codable { var on: CalendarDate }
        let data = try JSONEncoder().encode(Box(on: CalendarDate("2026-11-20")!))
        #expect(String(decoding: data, as: UTF8.self) == #"{"on":"2026-11-20"}"#)
        #expect(try JSONDecoder().decode(Box.self, from: data).on == CalendarDate("2026-11-20"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Box.self, from: Data(#"{"on":"2023-02-29"}"#.utf8))
        }
    }

    @Test func fromInstants() {
        #expect(CalendarDate(Date(timeIntervalSince1970: 0)).description == "1970-01-01")
        // 16:00 UTC is midnight in Beijing.
        #expect(CalendarDate(Date(timeIntervalSince1970: 16 * 3600)).description == "1970-01-02")
        #expect(CalendarDate(Date(timeIntervalSince1970: 16 * 3600), secondsEastOfUTC: 0).description == "1970-01-01")
        #expect(CalendarDate(Date(timeIntervalSince1970: -1), secondsEastOfUTC: 0).description == "1969-12-31")
        #expect(CalendarDate.today() >= CalendarDate("2024-01-01")!)
    }
}

/// The one Beijing-day computation (issue 11 §4).
@Suite("Beijing day")
struct BeijingDayTests {
    @Test func instantsFallOnTheirBeijingDay() {
        // 2026-03-01 15:59:59.999 UTC is 23:59:59.999 in Beijing; a millisecond later is the next day.
        let lastMillisecond: Int64 = 1_772_380_799_999
        #expect(CalendarDate.beijingDay(ofMillis: lastMillisecond).description == "2026-03-01")
        #expect(CalendarDate.beijingDay(ofMillis: lastMillisecond + 1).description == "2026-03-02")
        #expect(CalendarDate.beijingDay(ofMillis: lastMillisecond + 1).beijingStartMillis == lastMillisecond + 1)
        // Before 1970 in Beijing: floor, not truncation.
        #expect(CalendarDate.beijingDay(ofMillis: -28_800_001).description == "1969-12-31")
    }
}
