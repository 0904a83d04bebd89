/// One year of the State Council's holiday arrangement (国务院办公厅关于某年部分节假日安排的通知).
///
/// Only the exceptions to the ordinary week are stored: days off that would
/// otherwise be working days (and, harmlessly, weekend days inside a holiday
/// period), and the Saturdays and Sundays made working days by 调休. Every
/// other Monday–Friday is a working day and every other weekend day is not.
///
/// The value is always consistent: every date lies in ``year``, no date is in
/// both sets, and every makeup working day is a Saturday or Sunday.
public struct YearCalendar: Sendable, Hashable {
    /// The calendar year, 1...9999.
    public let year: Int
    /// Days off, possibly including weekend days inside a holiday period.
    public let holidays: Set<CalendarDate>
    /// Weekend days that are working days (调休上班).
    public let workdays: Set<CalendarDate>

    /// Creates a year from already-known dates, rejecting the same
    /// inconsistencies ``parse(_:file:expectedYear:)`` rejects.
    public init(
        year: Int, holidays: some Sequence<CalendarDate>, workdays: some Sequence<CalendarDate>
    ) throws(GongkaiError) {
        let context = "calendar for \(year)"
        guard (1...9999).contains(year) else {
            throw YearCalendar.error("\(context): the year must be 1...9999")
        }
        let holidays = Set(holidays)
        let workdays = Set(workdays)
        for day in holidays {
            if let problem = YearCalendar.problem(with: day, asWorkday: false, in: year) {
                throw YearCalendar.error("\(context): \(problem)")
            }
        }
        for day in workdays {
            if let problem = YearCalendar.problem(with: day, asWorkday: true, in: year) {
                throw YearCalendar.error("\(context): \(problem)")
            }
        }
        if let day = holidays.intersection(workdays).min() {
            throw YearCalendar.error("\(context): \(day) is listed as both a holiday and a working day")
        }
        self.year = year
        self.holidays = holidays
        self.workdays = workdays
    }

    /// Parses one `<YYYY>.yaml` calendar file (embedded, or in the `calendar` directory).
    ///
    /// The format is deliberately a tiny subset of YAML so that GongkaiCore
    /// needs no YAML library and every accepted file reads the same in any
    /// YAML tool:
    ///
    /// ```yaml
    /// # comment
    /// year: 2025
    /// holidays:
    ///   - 2025-01-01  # optional trailing comment
    /// workdays:
    ///   - 2025-01-26
    /// ```
    ///
    /// `year:` comes first; `holidays:` and `workdays:` must both appear once
    /// (an empty list may be written `workdays: []`). Errors name `file` and
    /// the 1-based line, e.g. `/etc/gongkai/calendar/2027.yaml:12: …`.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - file: The name to report in errors, usually the file's path.
    ///   - expectedYear: The year the file name promises; a different
    ///     `year:` is an error, since a copied file left unedited would
    ///     otherwise silently stand in for the wrong year.
    public static func parse(_ text: String, file: String, expectedYear: Int? = nil) throws(GongkaiError)
        -> YearCalendar
    {
        var parser = Parser(file: file, expectedYear: expectedYear)
        var lineNumber = 0
        // "\r\n" is a single Character in Swift, so it must be matched as well.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for rawLine in lines {
            lineNumber += 1
            try parser.consume(rawLine, line: lineNumber)
        }
        return try parser.finish()
    }

    /// Why `day` cannot be in this year's list, or nil when it can.
    static func problem(with day: CalendarDate, asWorkday: Bool, in year: Int) -> String? {
        if day.year != year {
            return "\(day) is not in \(year)"
        }
        if asWorkday && !day.isWeekend {
            return "\(day) is a \(weekdayNames[day.weekday - 1]); a makeup working day (workdays) "
                + "must be a Saturday or Sunday, since ordinary weekdays are working days already"
        }
        return nil
    }

    static func error(_ message: String) -> GongkaiError {
        GongkaiError(.configuration, message, field: "calendar")
    }

    private static let weekdayNames = [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]

    private init(uncheckedYear year: Int, holidays: Set<CalendarDate>, workdays: Set<CalendarDate>) {
        self.year = year
        self.holidays = holidays
        self.workdays = workdays
    }

    /// Line-by-line state of ``parse(_:file:expectedYear:)``.
    private struct Parser {
        enum Section { case holidays, workdays }

        let file: String
        let expectedYear: Int?
        var year: Int?
        var section: Section?
        var holidays: [CalendarDate: Int] = [:]  // date → line, for "listed on line N" messages
        var workdays: [CalendarDate: Int] = [:]
        var seenHolidays = false
        var seenWorkdays = false

        init(file: String, expectedYear: Int?) {
            self.file = file
            self.expectedYear = expectedYear
        }

        func fail(_ line: Int, _ message: String) -> GongkaiError {
            YearCalendar.error("\(file):\(line): \(message)")
        }

        mutating func consume(_ rawLine: Substring, line: Int) throws(GongkaiError) {
            var content = rawLine
            if let hash = content.firstIndex(of: "#") { content = content[..<hash] }
            while let last = content.last, last == " " || last == "\t" || last == "\r" { content.removeLast() }
            if content.isEmpty { return }
            if content.first == " " || content.first == "\t" {
                try item(content, line: line)
            } else {
                try key(content, line: line)
            }
        }

        mutating func key(_ content: Substring, line: Int) throws(GongkaiError) {
            guard let colon = content.firstIndex(of: ":") else {
                throw fail(line, "expected \"year:\", \"holidays:\" or \"workdays:\", found \"\(content)\"")
            }
            let name = content[..<colon]
            let value = content[content.index(after: colon)...].drop(while: { $0 == " " })
            switch name {
            case "year":
                guard year == nil else { throw fail(line, "\"year:\" appears twice") }
                guard value.count == 4, value.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(value),
                    number >= 1
                else {
                    throw fail(line, "\"year:\" must be a four-digit year, found \"\(value)\"")
                }
                if let expectedYear, expectedYear != number {
                    throw fail(line, "year: \(number) does not match the file name, which is for \(expectedYear)")
                }
                year = number
                section = nil
            case "holidays", "workdays":
                let isHolidays = name == "holidays"
                guard year != nil else { throw fail(line, "\"year:\" must come before \"\(name):\"") }
                guard !(isHolidays ? seenHolidays : seenWorkdays) else {
                    throw fail(line, "\"\(name):\" appears twice")
                }
                if isHolidays { seenHolidays = true } else { seenWorkdays = true }
                switch value {
                case "": section = isHolidays ? .holidays : .workdays
                case "[]": section = nil
                default:
                    throw fail(line, "write the dates of \"\(name):\" as \"  - YYYY-MM-DD\" lines below it")
                }
            default:
                throw fail(line, "unknown key \"\(name)\" (expected year, holidays or workdays)")
            }
        }

        mutating func item(_ content: Substring, line: Int) throws(GongkaiError) {
            let body = content.drop(while: { $0 == " " })
            if body.first == "\t" || content.first == "\t" {
                throw fail(line, "indent with spaces, not tabs")
            }
            guard body.first == "-", body.dropFirst().first == " " else {
                throw fail(line, "expected a list item \"  - YYYY-MM-DD\", found \"\(body)\"")
            }
            guard let year, let section else {
                throw fail(line, "a date must follow \"holidays:\" or \"workdays:\"")
            }
            let text = String(body.dropFirst(2).drop(while: { $0 == " " }))
            guard let day = CalendarDate(text) else {
                throw fail(line, "\"\(text)\" is not a real date in YYYY-MM-DD form")
            }
            let isWorkday = section == .workdays
            if let problem = YearCalendar.problem(with: day, asWorkday: isWorkday, in: year) {
                throw fail(line, problem)
            }
            let listName = isWorkday ? "workdays" : "holidays"
            if let earlier = isWorkday ? workdays[day] : holidays[day] {
                throw fail(line, "\(day) is listed twice under \(listName) (first on line \(earlier))")
            }
            if let other = isWorkday ? holidays[day] : workdays[day] {
                throw fail(
                    line,
                    "\(day) is in both holidays and workdays (line \(other) and here); "
                        + "a day is either off or a working day")
            }
            if isWorkday { workdays[day] = line } else { holidays[day] = line }
        }

        func finish() throws(GongkaiError) -> YearCalendar {
            guard let year else { throw YearCalendar.error("\(file): no \"year:\" line") }
            for (seen, name) in [(seenHolidays, "holidays"), (seenWorkdays, "workdays")] where !seen {
                throw YearCalendar.error("\(file): no \"\(name):\" list (write \"\(name): []\" if there are none)")
            }
            return YearCalendar(
                uncheckedYear: year, holidays: Set(holidays.keys), workdays: Set(workdays.keys))
        }
    }
}
