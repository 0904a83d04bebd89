import Foundation

/// The working-day (工作日) calendar of the People's Republic of China.
///
/// Disclosure deadlines are counted in working days, which depend on the
/// State Council's yearly holiday notice: holidays fall on weekdays and some
/// Saturdays and Sundays become working days (调休). A year without its
/// notice is therefore unknown, and every query touching it throws instead of
/// guessing from weekends alone, which would put deadlines days off around
/// 春节 and 国庆节.
///
/// Queries are O(1) (``isWorkday(_:)``, ``workdays(from:to:)``) or
/// O(log days) (``addWorkdays(_:to:)``) and never allocate: the loaded years
/// are flattened into a running count of working days.
public struct WorkCalendar: Sendable {
    /// The first and last year loaded, or nil when none is; years inside the
    /// range may still be missing if the input skipped them.
    public let years: ClosedRange<Int>?

    /// Day number of 1 January of the first year.
    private let firstDay: Int
    /// Whether each year of ``years`` was loaded, indexed from its lower bound.
    private let loaded: [Bool]
    /// `running[k]` is the number of working days in the `k` days from
    /// `firstDay`, so any range is counted with one subtraction. Int32 keeps
    /// the table small; it can never exceed 366 × 9999.
    private let running: [Int32]
    /// Where an operator adds a missing year, named in the error that asks for it.
    private let addsYearsIn: String?

    /// Builds the calendar from per-year data. When a year appears more than
    /// once, the last one wins, as a later notice supersedes an earlier one.
    ///
    /// - Parameter addsYearsIn: the directory a missing year's file belongs
    ///   in, for the error that asks for it.
    public init(years: [YearCalendar], addsYearsIn: String? = nil) {
        self.addsYearsIn = addsYearsIn
        var byYear: [Int: YearCalendar] = [:]
        for year in years { byYear[year.year] = year }
        guard let first = byYear.keys.min(), let last = byYear.keys.max() else {
            self.years = nil
            firstDay = 0
            loaded = []
            running = [0]
            return
        }
        // YearCalendar guarantees 1...9999, so these dates always exist.
        let start = CalendarDate(year: first, month: 1, day: 1)!.dayNumber
        let end = CalendarDate(year: last, month: 12, day: 31)!.dayNumber
        var running: [Int32] = []
        running.reserveCapacity(end - start + 2)
        running.append(0)
        var count: Int32 = 0
        for dayNumber in start...end {
            let day = CalendarDate(dayNumber: dayNumber)
            // Years missing from the input count nothing; every query checks
            // that the years it spans are loaded before reading this table.
            if let calendar = byYear[day.year] {
                let isWorkday =
                    calendar.workdays.contains(day) || (!day.isWeekend && !calendar.holidays.contains(day))
                if isWorkday { count += 1 }
            }
            running.append(count)
        }
        self.years = first...last
        self.firstDay = start
        self.loaded = (first...last).map { byYear[$0] != nil }
        self.running = running
    }

    /// Loads only the `<YYYY>.yaml` files of `directory`, without the
    /// embedded years (see ``standard(adding:)`` for the calendar gongkai uses).
    ///
    /// A directory without any year file is an error naming it; the files
    /// are read as ``years(in:)`` reads them.
    public static func load(directory: String) throws(GongkaiError) -> WorkCalendar {
        let years = try years(in: directory)
        guard !years.isEmpty else {
            throw YearCalendar.error(
                "no <YYYY>.yaml working-day calendar files in \(directory)")
        }
        return WorkCalendar(years: years, addsYearsIn: directory)
    }

    /// Every `<YYYY>.yaml` file of `directory`, each parsed by
    /// ``YearCalendar/parse(_:file:expectedYear:)``.
    ///
    /// Hidden files and files not ending in `.yaml` are ignored; a `.yaml`
    /// file not named after a four-digit year, a file whose `year:` differs
    /// from its name, and an unreadable directory are errors, each naming the
    /// file or directory.
    public static func years(in directory: String) throws(GongkaiError) -> [YearCalendar] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw YearCalendar.error("cannot read the working-day calendar directory \(directory): \(error)")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var years: [YearCalendar] = []
        for name in names.sorted() where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
            let path = base + name
            guard let year = yearNamed(name) else {
                throw YearCalendar.error("\(path): a working-day calendar file must be named <YYYY>.yaml")
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw YearCalendar.error("cannot read \(path): \(error)")
            }
            years.append(try YearCalendar.parse(text, file: path, expectedYear: year))
        }
        return years
    }

    /// The year a `<YYYY>.yaml` file is named after, or nil for any other name.
    static func yearNamed(_ name: String) -> Int? {
        guard name.hasSuffix(".yaml") else { return nil }
        let stem = name.dropLast(".yaml".count)
        guard stem.count == 4, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(stem)
    }

    /// Whether `day` is a working day.
    ///
    /// - Throws: A `configuration` error when `day`'s year is not loaded.
    public func isWorkday(_ day: CalendarDate) throws(GongkaiError) -> Bool {
        try requireLoaded(day.year...day.year)
        let index = day.dayNumber - firstDay
        return running[index + 1] != running[index]
    }

    /// The `n`-th working day after `day` (`day` itself is not counted), or
    /// `day` when `n` is 0; e.g. the last day of a "20 个工作日" time limit
    /// that starts the day after receipt.
    ///
    /// - Throws: An `invalidField` error when `n` is negative; a
    ///   `configuration` error when the count runs through a year that is
    ///   not loaded.
    public func addWorkdays(_ n: Int, to day: CalendarDate) throws(GongkaiError) -> CalendarDate {
        guard n >= 0 else {
            throw GongkaiError(
                .invalidField, "cannot add \(n) working days: the count must be 0 or more", field: "calendar")
        }
        if n == 0 { return day }
        let firstCounted = day.adding(days: 1)
        try requireLoaded(firstCounted.year...firstCounted.year)
        let lastYear = years?.upperBound ?? firstCounted.year  // non-nil: a year is loaded
        let startIndex = firstCounted.dayNumber - firstDay
        let before = Int(running[startIndex])
        // Compared as a difference so that a huge n cannot overflow.
        guard n <= Int(running[running.count - 1]) - before else {
            // The answer lies after the last loaded year: name the first
            // missing year on the way, which is the file to add.
            try requireLoaded(firstCounted.year...lastYear)
            throw missingYear(lastYear + 1)
        }
        let target = before + n
        // Smallest m with running[m] >= target; day m - 1 is the target-th
        // working day because running grows by at most one per day.
        var low = startIndex + 1
        var high = running.count - 1
        while low < high {
            let middle = (low + high) / 2
            if Int(running[middle]) < target { low = middle + 1 } else { high = middle }
        }
        let result = CalendarDate(dayNumber: firstDay + low - 1)
        try requireLoaded(firstCounted.year...result.year)
        return result
    }

    /// Working days in `(from, to]`: after `from`, up to and including `to`.
    ///
    /// Negative when `to` is before `from` (`-workdays(from: to, to: from)`),
    /// so `workdays(from: deadline, to: today)` reads "late by N working days"
    /// when positive. Zero when the days are equal.
    ///
    /// - Throws: A `configuration` error when a counted day's year is not loaded.
    public func workdays(from: CalendarDate, to: CalendarDate) throws(GongkaiError) -> Int {
        if from == to { return 0 }
        let (low, high) = from < to ? (from, to) : (to, from)
        try requireLoaded(low.adding(days: 1).year...high.year)
        let count = Int(running[high.dayNumber - firstDay + 1]) - Int(running[low.dayNumber - firstDay + 1])
        return from < to ? count : -count
    }

    /// The error for a query about a year without data: it says which file
    /// to add, because the fix is always to transcribe that year's notice.
    func missingYear(_ year: Int) -> GongkaiError {
        let fix =
            if let addsYearsIn {
                "add \(addsYearsIn.hasSuffix("/") ? addsYearsIn : addsYearsIn + "/")\(year).yaml from the State Council notice"
            } else {
                "add \(year).yaml from the State Council notice to a directory and name it in the calendar setting (GONGKAI_CALENDAR)"
            }
        return GongkaiError(.configuration, "no working-day calendar for \(year): \(fix)", field: "calendar")
    }

    /// Throws for the first year of `range` that is not loaded.
    private func requireLoaded(_ range: ClosedRange<Int>) throws(GongkaiError) {
        for year in range {
            guard let years, years.contains(year), loaded[year - years.lowerBound] else {
                throw missingYear(year)
            }
        }
    }
}
