import Foundation
import Testing
@testable import GongkaiCore

private func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

/// The GongkaiError `body` throws, or nil. (Closures passed here infer
/// untyped `throws`, so any other error is recorded as a failure.)
private func thrown(_ body: () throws -> Void) -> GongkaiError? {
    do {
        try body()
        return nil
    } catch let error as GongkaiError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// Runs `body` on a fresh directory holding `files` (name → contents).
private func withDirectory(_ files: [String: String], _ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("gongkai-calendar-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for (name, text) in files {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    try body(directory.path)
}

private let embeddedDirectory = packageRoot.appendingPathComponent("Sources/GongkaiCore/Calendar").path

@Suite struct WorkCalendarTests {
    let calendar: WorkCalendar

    init() throws {
        calendar = try WorkCalendar.standard()
    }

    @Test func embedsEveryYearFrom2019Through2026() throws {
        #expect(calendar.years == 2019...2026)
        for year in 2019...2026 {
            let path = "\(embeddedDirectory)/\(year).yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let parsed = try YearCalendar.parse(text, file: path, expectedYear: year)
            #expect(parsed.year == year)
            #expect(parsed.holidays.count >= 20, "\(year) has only \(parsed.holidays.count) holidays")
            #expect(!parsed.workdays.isEmpty, "\(year)")
            #expect(text.contains("国办发明电〔"), "\(year).yaml must name its source notice")
        }
    }

    /// SwiftPM embeds every file of the directory, but each must be listed by
    /// hand: a year added to one and not the other fails here.
    @Test func theEmbeddedListIsTheDirectoryByteForByte() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: embeddedDirectory).filter { !$0.hasPrefix(".") }
        #expect(WorkCalendar.embeddedFiles.map(\.name) == names.sorted())
        for (name, bytes) in WorkCalendar.embeddedFiles {
            let file = try Data(contentsOf: URL(fileURLWithPath: "\(embeddedDirectory)/\(name)"))
            #expect(bytes == [UInt8](file), "\(name)")
        }
        #expect(try WorkCalendar.embeddedYears() == WorkCalendar.years(in: embeddedDirectory))
    }

    @Test func aDirectoryAddsAYearAndReplacesOneWholeLeavingTheOthersEmbedded() throws {
        // 2026-10-08 is a working day by the notice; this "corrected" 2026 makes it a day off and
        // drops every other exception, so a replaced year cannot be mistaken for a merged one.
        let corrected = "year: 2026\nholidays:\n  - 2026-10-08\nworkdays: []\n"
        let added = "year: 2027\nholidays:\n  - 2027-01-01\nworkdays:\n  - 2027-01-03\n"
        try withDirectory(["2026.yaml": corrected, "2027.yaml": added]) { directory in
            let merged = try WorkCalendar.standard(adding: directory)
            #expect(merged.years == 2019...2027)
            #expect(try !merged.isWorkday(day("2026-10-08")))
            #expect(try merged.isWorkday(day("2026-10-01")))  // 国庆节 is not in the corrected file
            #expect(try !merged.isWorkday(day("2027-01-01")))
            #expect(try merged.isWorkday(day("2027-01-03")))  // a Sunday the file makes a working day
            #expect(try !merged.isWorkday(day("2025-10-01")))  // 2025 is still the embedded one
            #expect(try merged.isWorkday(day("2025-09-28")))
            let missing = thrown { _ = try merged.isWorkday(day("2028-03-01")) }
            #expect(missing?.message == "no working-day calendar for 2028: add \(directory)/2028.yaml from the State Council notice")
        }
    }

    @Test func anAbsentDirectoryAddsNothingButABadFileIsAnError() throws {
        let absent = try WorkCalendar.standard(adding: "/nonexistent/gongkai-calendar")
        #expect(absent.years == 2019...2026)
        #expect(thrown { _ = try absent.isWorkday(day("2027-01-04")) }?.message.contains("/nonexistent/gongkai-calendar/2027.yaml") == true)
        try withDirectory(["2026.yaml": "year: 2026\nholidays:\n  - 2026-02-30\nworkdays: []\n"]) { directory in
            let error = thrown { _ = try WorkCalendar.standard(adding: directory) }
            #expect(error?.code == .configuration)
            #expect(error?.message.hasPrefix("\(directory)/2026.yaml:3:") == true)
        }
    }

    @Test(arguments: [
        // 2024 (国办发明电〔2023〕7号)
        "2024-01-01", "2024-02-13", "2024-02-12", "2024-02-16", "2024-04-04", "2024-05-01", "2024-05-03",
        "2024-06-10", "2024-09-16", "2024-09-17", "2024-10-01", "2024-10-07",
        // 2025 (国办发明电〔2024〕12号): 除夕 and 5月2日 are statutory from 2025 on
        "2025-01-01", "2025-01-28", "2025-02-03", "2025-02-04", "2025-04-04", "2025-05-02", "2025-05-05",
        "2025-06-02", "2025-10-01", "2025-10-06", "2025-10-08",
        // 2026 (国办发明电〔2025〕7号)
        "2026-01-01", "2026-01-02", "2026-02-16", "2026-02-20", "2026-02-23", "2026-04-06", "2026-05-04",
        "2026-05-05", "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-07",
    ])
    func weekdayHolidaysAreNotWorkdays(_ text: String) throws {
        #expect(!day(text).isWeekend, "\(text) should be a Monday to Friday")
        #expect(try calendar.isWorkday(day(text)) == false)
    }

    @Test(arguments: [
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29",
        "2024-10-12", "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11", "2026-01-04",
        "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    ])
    func makeupWeekendDaysAreWorkdays(_ text: String) throws {
        #expect(day(text).isWeekend, "\(text) should be a Saturday or Sunday")
        #expect(try calendar.isWorkday(day(text)))
    }

    @Test func ordinaryDays() throws {
        // 2024's 除夕 was only "encouraged" as leave, so it stayed a working day.
        #expect(try calendar.isWorkday(day("2024-02-09")))
        #expect(try calendar.isWorkday(day("2025-01-27")))
        #expect(try calendar.isWorkday(day("2025-02-05")))
        #expect(try calendar.isWorkday(day("2026-02-13")))
        #expect(try calendar.isWorkday(day("2026-12-31")))
        #expect(try !calendar.isWorkday(day("2025-01-25")))  // Saturday before the 01-26 makeup Sunday
        #expect(try !calendar.isWorkday(day("2025-10-12")))  // Sunday after the 10-11 makeup Saturday
        #expect(try !calendar.isWorkday(day("2020-02-01")))  // makeup day cancelled by the 2020 extension
        #expect(try calendar.isWorkday(day("2020-02-03")))
    }

    @Test func workdaysPerYear() throws {
        // Hand count: Mon–Fri days of the year, minus holidays on Mon–Fri, plus makeup days.
        // 2024: 262 − 19 + 8; 2025: 261 − 18 + 5; 2026: 261 − 19 + 6.
        for (year, expected) in [(2024, 251), (2025, 248), (2026, 248)] {
            let count = try calendar.workdays(from: day("\(year - 1)-12-31"), to: day("\(year)-12-31"))
            #expect(count == expected, "\(year)")
        }
    }

    @Test func addWorkdaysAcrossSpringFestival() throws {
        // 2025: Fri 01-24 → Sun 01-26 (makeup) 1, Mon 01-27 2, holiday 01-28..02-04,
        // Wed 02-05 3, Thu 4, Fri 5, Sat 02-08 (makeup) 6, Mon 02-10 7.
        let start = day("2025-01-24")
        #expect(try calendar.addWorkdays(0, to: start) == start)
        #expect(try calendar.addWorkdays(1, to: start) == day("2025-01-26"))
        #expect(try calendar.addWorkdays(2, to: start) == day("2025-01-27"))
        #expect(try calendar.addWorkdays(3, to: start) == day("2025-02-05"))
        #expect(try calendar.addWorkdays(6, to: start) == day("2025-02-08"))
        #expect(try calendar.addWorkdays(7, to: start) == day("2025-02-10"))
        // 2026: Fri 02-13 → Sat 02-14 (makeup) 1, holiday 02-15..02-23, Tue 02-24 2,
        // Fri 02-27 5, Sat 02-28 (makeup) 6, Mon 03-02 7.
        #expect(try calendar.addWorkdays(1, to: day("2026-02-13")) == day("2026-02-14"))
        #expect(try calendar.addWorkdays(2, to: day("2026-02-13")) == day("2026-02-24"))
        #expect(try calendar.addWorkdays(7, to: day("2026-02-13")) == day("2026-03-02"))
        // 2024: Thu 02-08 → Fri 02-09 (除夕, working) 1, holiday 02-10..02-17, Sun 02-18 (makeup) 2.
        #expect(try calendar.addWorkdays(2, to: day("2024-02-08")) == day("2024-02-18"))
        // Starting on a holiday: 2025-01-30 → Wed 02-05 1.
        #expect(try calendar.addWorkdays(1, to: day("2025-01-30")) == day("2025-02-05"))
    }

    @Test func addWorkdaysAcrossNationalDay() throws {
        // 2025: Fri 09-26 → Sun 09-28 (makeup) 1, Mon 2, Tue 09-30 3, holiday 10-01..10-08,
        // Thu 10-09 4, Fri 5, Sat 10-11 (makeup) 6, Mon 10-13 7, then five a week:
        // 10-17 11, 10-24 16, Thu 10-30 20.
        let start = day("2025-09-26")
        #expect(try calendar.addWorkdays(1, to: start) == day("2025-09-28"))
        #expect(try calendar.addWorkdays(3, to: start) == day("2025-09-30"))
        #expect(try calendar.addWorkdays(4, to: start) == day("2025-10-09"))
        #expect(try calendar.addWorkdays(6, to: start) == day("2025-10-11"))
        #expect(try calendar.addWorkdays(7, to: start) == day("2025-10-13"))
        #expect(try calendar.addWorkdays(20, to: start) == day("2025-10-30"))
        // 2024: Fri 09-27 → Sun 09-29 (makeup) 1, Mon 09-30 2, holiday 10-01..10-07,
        // Tue 10-08 3, Fri 10-11 6, Sat 10-12 (makeup) 7, Mon 10-14 8.
        #expect(try calendar.addWorkdays(3, to: day("2024-09-27")) == day("2024-10-08"))
        #expect(try calendar.addWorkdays(7, to: day("2024-09-27")) == day("2024-10-12"))
        #expect(try calendar.addWorkdays(8, to: day("2024-09-27")) == day("2024-10-14"))
        // 2026: Fri 09-18 → Sun 09-20 (makeup) 1, Mon–Thu 09-21..24 2–5, holiday 09-25..27,
        // Mon 09-28 6, Tue 09-29 7, Wed 09-30 8, holiday 10-01..10-07, Thu 10-08 9,
        // Fri 10-09 10, Sat 10-10 (makeup) 11, Mon 10-12 12.
        #expect(try calendar.addWorkdays(8, to: day("2026-09-18")) == day("2026-09-30"))
        #expect(try calendar.addWorkdays(9, to: day("2026-09-18")) == day("2026-10-08"))
        #expect(try calendar.addWorkdays(12, to: day("2026-09-18")) == day("2026-10-12"))
    }

    @Test func addWorkdaysAcrossYears() throws {
        // 2026-01-01..03 are off and Sunday 01-04 is a makeup day.
        #expect(try calendar.addWorkdays(1, to: day("2025-12-31")) == day("2026-01-04"))
        #expect(try calendar.addWorkdays(2, to: day("2025-12-31")) == day("2026-01-05"))
        // 2018-12-31 is outside the data but is not counted; 2019-01-01 is off.
        #expect(try calendar.addWorkdays(1, to: day("2018-12-31")) == day("2019-01-02"))
    }

    @Test func addWorkdaysAgreesWithDayByDayCounting() throws {
        let counts = [1, 5, 10, 15, 20, 30, 60, 200]
        var start = day("2019-01-01")
        while start < day("2025-06-01") {
            var found: [Int: CalendarDate] = [:]
            var current = start
            var count = 0
            while count < counts.last! {
                current = current.adding(days: 1)
                if try calendar.isWorkday(current) {
                    count += 1
                    if counts.contains(count) { found[count] = current }
                }
            }
            for n in counts {
                let end = try calendar.addWorkdays(n, to: start)
                #expect(end == found[n], "\(n) working days after \(start)")
                #expect(try calendar.workdays(from: start, to: end) == n)
                #expect(try calendar.workdays(from: end, to: start) == -n)
            }
            start = start.adding(days: 3)
        }
    }

    @Test func workdaysBetweenDays() throws {
        #expect(try calendar.workdays(from: day("2025-09-26"), to: day("2025-10-30")) == 20)
        #expect(try calendar.workdays(from: day("2025-10-30"), to: day("2025-09-26")) == -20)
        #expect(try calendar.workdays(from: day("2025-10-30"), to: day("2025-10-30")) == 0)
        // A whole holiday: no working day in (09-30, 10-08].
        #expect(try calendar.workdays(from: day("2025-09-30"), to: day("2025-10-08")) == 0)
        #expect(try calendar.workdays(from: day("2025-10-08"), to: day("2025-09-30")) == 0)
        // Late by one: the deadline 2025-02-05 and the next working day.
        #expect(try calendar.workdays(from: day("2025-02-05"), to: day("2025-02-06")) == 1)
        #expect(try calendar.workdays(from: day("2025-02-06"), to: day("2025-02-05")) == -1)
        // (2018-12-31, 2019-01-05] lies wholly in 2019: 01-02, 01-03, 01-04.
        #expect(try calendar.workdays(from: day("2018-12-31"), to: day("2019-01-05")) == 3)
    }

    @Test func negativeCountIsRejected() {
        #expect(thrown { _ = try calendar.addWorkdays(-1, to: day("2025-01-02")) }?.code == .invalidField)
    }

    @Test func yearsWithoutDataThrowInsteadOfGuessing() {
        let missing2027 = GongkaiError(
            .configuration,
            "no working-day calendar for 2027: add 2027.yaml from the State Council notice to a directory and name it in the calendar setting (GONGKAI_CALENDAR)",
            field: "calendar")
        #expect(thrown { _ = try calendar.isWorkday(day("2027-01-04")) } == missing2027)
        #expect(thrown { _ = try calendar.addWorkdays(1, to: day("2026-12-31")) } == missing2027)
        #expect(thrown { _ = try calendar.addWorkdays(300, to: day("2026-06-01")) } == missing2027)
        #expect(thrown { _ = try calendar.addWorkdays(Int.max, to: day("2026-06-01")) } == missing2027)
        #expect(thrown { _ = try calendar.workdays(from: day("2026-12-01"), to: day("2027-01-10")) } == missing2027)
        #expect(thrown { _ = try calendar.workdays(from: day("2027-01-10"), to: day("2026-12-01")) } == missing2027)
        let before = thrown { _ = try calendar.isWorkday(day("2018-12-31")) }
        #expect(before?.message.contains("add 2018.yaml") == true)
        #expect(before?.field == "calendar")
        #expect(thrown { _ = try calendar.workdays(from: day("2018-12-30"), to: day("2019-01-05")) } == before)
    }

    @Test func gapsBetweenYearsAreMissingYearsToo() throws {
        func year(_ year: Int) throws -> YearCalendar {
            let path = "\(embeddedDirectory)/\(year).yaml"
            return try YearCalendar.parse(String(contentsOfFile: path, encoding: .utf8), file: path)
        }
        let gappy = WorkCalendar(years: [try year(2026), try year(2024)])
        #expect(gappy.years == 2024...2026)
        let missing2025 = gappy.missingYear(2025)
        #expect(missing2025.message.contains("add 2025.yaml"))
        #expect(thrown { _ = try gappy.isWorkday(day("2025-06-03")) } == missing2025)
        #expect(thrown { _ = try gappy.addWorkdays(5, to: day("2024-12-30")) } == missing2025)
        #expect(thrown { _ = try gappy.addWorkdays(1000, to: day("2024-12-30")) } == missing2025)
        #expect(thrown { _ = try gappy.workdays(from: day("2024-12-01"), to: day("2026-01-10")) } == missing2025)
        #expect(try gappy.addWorkdays(1, to: day("2025-12-31")) == day("2026-01-04"))
        #expect(try gappy.isWorkday(day("2024-10-12")))

        let empty = WorkCalendar(years: [])
        #expect(empty.years == nil)
        #expect(thrown { _ = try empty.isWorkday(day("2025-01-02")) } == missing2025)
    }

    @Test func yearCalendarInitializerValidates() throws {
        let good = try YearCalendar(year: 2025, holidays: [day("2025-01-01")], workdays: [day("2025-01-26")])
        #expect(good.holidays == [day("2025-01-01")])
        let outside = thrown { _ = try YearCalendar(year: 2025, holidays: [day("2024-12-31")], workdays: []) }
        #expect(outside?.message.contains("2024-12-31 is not in 2025") == true)
        let wednesday = thrown { _ = try YearCalendar(year: 2025, holidays: [], workdays: [day("2025-01-01")]) }
        #expect(wednesday?.message.contains("Wednesday") == true)
        let both = thrown {
            _ = try YearCalendar(year: 2025, holidays: [day("2025-01-26")], workdays: [day("2025-01-26")])
        }
        #expect(both?.message.contains("both") == true)
    }

    struct Malformed: Sendable, CustomStringConvertible {
        let name: String
        let text: String
        let line: Int?
        let fragment: String
        var description: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(
            name: "impossible date", text: "year: 2025\nholidays:\n  - 2025-01-01\n  - 2025-02-30\nworkdays: []\n",
            line: 4, fragment: "\"2025-02-30\" is not a real date"),
        Malformed(
            name: "unpadded date", text: "year: 2025\nholidays:\n  - 2025-1-1\nworkdays: []\n", line: 3,
            fragment: "not a real date"),
        Malformed(
            name: "year differs from the file name",
            text: "# copied from last year\nyear: 2024\nholidays: []\nworkdays: []\n", line: 2,
            fragment: "year: 2024 does not match the file name"),
        Malformed(
            name: "makeup day on a Wednesday",
            text: "year: 2025\nholidays: []\nworkdays:\n  - 2025-01-26\n  - 2025-10-08  # oops\n", line: 5,
            fragment: "2025-10-08 is a Wednesday"),
        Malformed(
            name: "date in both lists",
            text: "year: 2025\nholidays:\n  - 2025-10-08\n  - 2025-10-11\nworkdays:\n  - 2025-10-11\n", line: 6,
            fragment: "2025-10-11 is in both holidays and workdays (line 4"),
        Malformed(
            name: "date outside the year", text: "year: 2025\nholidays:\n  - 2024-12-31\nworkdays: []\n", line: 3,
            fragment: "2024-12-31 is not in 2025"),
        Malformed(
            name: "date listed twice", text: "year: 2025\nholidays:\n  - 2025-05-01\n  - 2025-05-01\nworkdays: []\n",
            line: 4, fragment: "listed twice under holidays (first on line 3)"),
        Malformed(
            name: "unknown key", text: "year: 2025\nholiday:\n  - 2025-05-01\n", line: 2,
            fragment: "unknown key \"holiday\""),
        Malformed(
            name: "date before any list", text: "year: 2025\n  - 2025-05-01\nholidays: []\nworkdays: []\n", line: 2,
            fragment: "must follow"),
        Malformed(
            name: "list before year", text: "holidays:\n  - 2025-05-01\nyear: 2025\n", line: 1,
            fragment: "\"year:\" must come before"),
        Malformed(
            name: "tab indent", text: "year: 2025\nholidays:\n\t- 2025-05-01\nworkdays: []\n", line: 3,
            fragment: "tabs"),
        Malformed(
            name: "inline list", text: "year: 2025\nholidays: [2025-05-01]\nworkdays: []\n", line: 2,
            fragment: "\"  - YYYY-MM-DD\" lines"),
        Malformed(
            name: "missing year", text: "# nothing here\n", line: nil, fragment: "no \"year:\" line"),
        Malformed(
            name: "missing workdays", text: "year: 2025\nholidays:\n  - 2025-05-01\n", line: nil,
            fragment: "no \"workdays:\" list"),
    ]

    @Test(arguments: malformed)
    func malformedFilesNameFileAndLine(_ bad: Malformed) throws {
        try withDirectory(["2025.yaml": bad.text, "2024.yaml": "year: 2024\nholidays: []\nworkdays: []\n"]) {
            directory in
            let error = try #require(thrown { _ = try WorkCalendar.load(directory: directory) })
            #expect(error.code == .configuration)
            #expect(error.field == "calendar")
            let location = "\(directory)/2025.yaml" + (bad.line.map { ":\($0):" } ?? ":")
            #expect(error.message.hasPrefix(location), "\(error.message)")
            #expect(error.message.contains(bad.fragment), "\(error.message)")
        }
    }

    @Test func acceptsTheFormatsVariations() throws {
        let text = "# header\r\n\r\nyear: 2025   # the year\r\nworkdays: []\r\nholidays:  # days off\r\n"
            + "    -   2025-05-01   # Thursday\r\n  # a comment inside the list\r\n  - 2025-05-02\r\n"
        let parsed = try YearCalendar.parse(text, file: "x.yaml", expectedYear: 2025)
        #expect(parsed.holidays == [day("2025-05-01"), day("2025-05-02")])
        #expect(parsed.workdays.isEmpty)
    }

    @Test func directoryProblemsNameTheFileOrDirectory() throws {
        try withDirectory(["calendar.yaml": "year: 2025\nholidays: []\nworkdays: []\n"]) { directory in
            let error = thrown { _ = try WorkCalendar.load(directory: directory) }
            #expect(error?.message.contains("\(directory)/calendar.yaml") == true)
            #expect(error?.message.contains("<YYYY>.yaml") == true)
        }
        try withDirectory(["README.md": "notes\n"]) { directory in
            let error = thrown { _ = try WorkCalendar.load(directory: directory) }
            #expect(error?.message.contains("no <YYYY>.yaml") == true)
        }
        let missing = thrown { _ = try WorkCalendar.load(directory: "/nonexistent/gongkai-calendar") }
        #expect(missing?.message.contains("/nonexistent/gongkai-calendar") == true)
        // Non-YAML files and hidden files sit beside the data without harm.
        try withDirectory([
            "2025.yaml": "year: 2025\nholidays:\n  - 2025-05-02\nworkdays: []\n", "README.md": "notes\n",
            ".2024.yaml.swp": "junk",
        ]) { directory in
            let loaded = try WorkCalendar.load(directory: directory)
            #expect(loaded.years == 2025...2025)
            #expect(try !loaded.isWorkday(day("2025-05-02")))
        }
    }
}
