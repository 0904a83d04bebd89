import ArgumentParser
import GongkaiAudit
import GongkaiService
import GongkaiCore

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Working days (工作日) by the State Council holiday calendar, including makeup working days (调休).",
        discussion: "Data: 2019–2026 are built in; a <YYYY>.yaml in the calendar directory (--calendar, GONGKAI_CALENDAR) adds a year or replaces a built-in one. A year without data is an error, never a guess.\n" + ExitStatus.helpText,
        subcommands: [IsWorkday.self, AddWorkdays.self])

    struct CalendarOptions: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(help: "Directory of <YYYY>.yaml files added over the built-in 2019–2026 (env GONGKAI_CALENDAR; default none).")
        var calendar: String?

        func load() throws -> WorkCalendar {
            let settings = try global.settings(["calendar": calendar])
            return try WorkCalendar.standard(adding: settings.calendar)
        }
    }

    struct IsWorkday: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "is-workday", abstract: "Say whether DATE is a working day.")
        @OptionGroup var options: CalendarOptions
        @Argument(help: "Date, YYYY-MM-DD.") var date: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let day = try Parse.date(date)
                let workday = try options.load().isWorkday(day)
                if json { printJSON(WorkdayAnswer(date: "\(day)", workday: workday)) } else {
                    print("\(day) \(workday ? "is a working day" : "is not a working day")")
                }
            }
        }
    }

    struct AddWorkdays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-workdays", abstract: "The N-th working day after DATE (DATE itself not counted).")
        @OptionGroup var options: CalendarOptions
        @Argument(help: "Date, YYYY-MM-DD.") var date: String
        @Argument(help: "Number of working days, 0 or more.") var count: Int
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let day = try Parse.date(date)
                let result = try options.load().addWorkdays(count, to: day)
                if json { printJSON(AddedWorkdays(date: "\(day)", workdays: count, result: "\(result)")) } else {
                    print(result)
                }
            }
        }
    }
}

/// `calendar is-workday --json`: the answer as a JSON boolean.
struct WorkdayAnswer: Encodable {
    var date: String
    var workday: Bool
}

/// `calendar add-workdays --json`: the count as a JSON number.
struct AddedWorkdays: Encodable {
    var date: String
    var workdays: Int
    var result: String
}
