import ArgumentParser
import Foundation
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
            discussion: """
                An item counts in the year it was first submitted (Beijing time), a withdrawal in the year it was requested.
                --format gov prints part 二 (主动公开政府信息情况) of the national template (国办公开办函〔2021〕30号) \
                with gongkai's counts as an appendix; gov-html, gov-csv and gov-json print the same as HTML, CSV and JSON. \
                Its notes say how each cell is counted.
                \(ExitStatus.helpText)
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The year, e.g. 2026.") var year: Int
        @Option(help: "table, json, csv (UTF-8 with BOM), or the national template: gov, gov-html, gov-csv, gov-json.")
        var format: String = "table"
        @Option(help: "zh or en.") var lang: String = "zh"
        @Option(help: "Write the report to this file instead of standard output.") var output: String?

        /// The national template's encodings, by `--format` value.
        static let govFormats: [String: GovAnnualReportRenderer.Format] = [
            "gov": .table, "gov-html": .html, "gov-csv": .csv, "gov-json": .json,
        ]

        func run() async throws {
            guard (2000...9999).contains(year) else { throw ValidationError("--year must be a four-digit year") }
            guard ["table", "json", "csv"].contains(format) || Self.govFormats[format] != nil else {
                throw ValidationError("--format must be table, json, csv, gov, gov-html, gov-csv or gov-json")
            }
            guard let language = ReportLanguage(rawValue: lang) else { throw ValidationError("--lang must be zh or en") }
            try await reporting(json: format == "json" || format == "gov-json") {
                let text = try await OutboxConsole.with(try global.settings()) { console in
                    if let gov = Self.govFormats[format] {
                        let report = try await GovAnnualReport.build(
                            year: year, store: console.store, channels: console.channels, calendar: console.calendar,
                            policy: console.deadlines, now: console.clock.now())
                        return GovAnnualReportRenderer.render(report, format: gov, language: language)
                    }
                    let report = try await AnnualReport.build(
                        year: year, store: console.store, channels: console.channels, calendar: console.calendar,
                        policy: console.deadlines, now: console.clock.now())
                    let lines = report.lines(chinese: language == .zh)
                    switch format {
                    case "json":
                        return JSONOutput.string(report)
                    case "csv":
                        let header = language == .zh ? "项目,数量" : "figure,count"
                        return "\u{FEFF}" + ([header] + lines.map { "\($0.0),\($0.1)" }).joined(separator: "\r\n") + "\r\n"
                    default:
                        var table = TextTable(language == .zh ? ["项目", "数量"] : ["figure", "count"])
                        for (label, value) in lines { table.add([label, value]) }
                        return table.render()
                    }
                }
                try write(text)
            }
        }

        /// Prints `text`, or writes it to `--output`. A CSV ends with its own CRLF, so no newline is added.
        private func write(_ text: String) throws {
            guard let output else {
                print(text, terminator: text.hasSuffix("\r\n") ? "" : "\n")
                return
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw GongkaiError(.configuration, "cannot write \(output): \(error.localizedDescription)", field: "output")
            }
        }
    }
}
