import ArgumentParser
import GongkaiAudit
import GongkaiService
import GongkaiCore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports for auditors.", subcommands: [Annual.self])

    struct Annual: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "annual",
            abstract: "Counts for the annual disclosure report (政府信息公开工作年度报告).",
            discussion: "An item counts in the year it was first submitted (Beijing time), a withdrawal in the year it was requested.\n"
                + ExitStatus.helpText)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The year, e.g. 2026.") var year: Int
        @Option(help: "table, json or csv (UTF-8 with BOM).") var format: String = "table"
        @Option(help: "zh or en.") var lang: String = "zh"

        func run() async throws {
            guard (2000...9999).contains(year) else { throw ValidationError("--year must be a four-digit year") }
            guard ["table", "json", "csv"].contains(format) else { throw ValidationError("--format must be table, json or csv") }
            guard let language = ReportLanguage(rawValue: lang) else { throw ValidationError("--lang must be zh or en") }
            try await reporting(json: format == "json") {
                try await OutboxConsole.with(try global.settings()) { console in
                    let report = try await AnnualReport.build(
                        year: year, store: console.store, channels: console.channels, calendar: console.calendar,
                        policy: console.deadlines, now: console.clock.now())
                    let lines = report.lines(chinese: language == .zh)
                    switch format {
                    case "json":
                        printJSON(report)
                    case "csv":
                        let header = language == .zh ? "项目,数量" : "figure,count"
                        print("\u{FEFF}" + ([header] + lines.map { "\($0.0),\($0.1)" }).joined(separator: "\r\n"), terminator: "\r\n")
                    default:
                        var table = TextTable(language == .zh ? ["项目", "数量"] : ["figure", "count"])
                        for (label, value) in lines { table.add([label, value]) }
                        print(table.render())
                    }
                }
            }
        }
    }
}
