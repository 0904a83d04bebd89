import ArgumentParser
import Foundation
import GongkaiAudit
import GongkaiCore
import GongkaiService

/// The quarterly check's settings, shared by `inspect` and `daemon`.
struct InspectOptions: ParsableArguments {
    @Option(help: "Days the home page and news columns may go without a publication (env GONGKAI_INSPECT_HOME_PAGE_DAYS; default 14).")
    var inspectHomePageDays: String?
    @Option(help: "Days the notices and policy documents columns may go without one (env GONGKAI_INSPECT_NOTICE_DAYS; default 183).")
    var inspectNoticeDays: String?
    @Option(help: "Days a WeChat or Weibo account may go without an update (env GONGKAI_INSPECT_NEW_MEDIA_DAYS; default 14).")
    var inspectNewMediaDays: String?
    @Option(help: "Directory keeping every quarterly check (env GONGKAI_INSPECT_REPORTS; default <database>.inspections).")
    var inspectReports: String?

    var settings: [String: String?] {
        [
            "inspect.homePageDays": inspectHomePageDays, "inspect.noticeDays": inspectNoticeDays,
            "inspect.newMediaDays": inspectNewMediaDays, "inspect.reports": inspectReports,
        ]
    }
}

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "The quarterly check (季度检查) of the site and new-media accounts, to file.",
        discussion: """
            Per channel, the days since the last publication against the inspection thresholds (single-item-veto \
            risks first); the last public-page check (dead links, broken attachments, stale pages); the legal \
            deadlines due in the quarter, met or missed, per rule; the quarter's withdrawals and corrections and the \
            time each took to reach every channel. The daemon writes each quarter's report once it has ended and \
            keeps every one (inspect.reports).
            \(ExitStatus.helpText)
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var inspect: InspectOptions
    @Option(help: "The quarter, e.g. 2026Q4 (default: the last quarter that has ended, Beijing time).") var quarter: String?
    @Option(help: "table, json, csv (UTF-8 with BOM) or html.") var format: String = "table"
    @Option(help: "zh or en.") var lang: String = "zh"
    @Option(help: "Write the report to this file instead of standard output.") var output: String?
    @Flag(help: "Also keep the report in the reports directory (every format and language), as the daemon does.")
    var save = false
    @Flag(help: "Print the report kept for the quarter instead of making a new one.")
    var kept = false

    func run() async throws {
        guard let format = QuarterlyInspectionRenderer.Format(rawValue: format) else {
            throw ValidationError("--format must be table, json, csv or html")
        }
        guard let language = ReportLanguage(rawValue: lang) else { throw ValidationError("--lang must be zh or en") }
        let chosen: Quarter?
        if let quarter {
            guard let parsed = Quarter(quarter) else { throw ValidationError("--quarter must look like 2026Q4") }
            chosen = parsed
        } else {
            chosen = nil
        }
        if kept && save { throw ValidationError("--kept prints a kept report; it cannot --save") }
        try await reporting(json: format == .json) {
            let settings = try global.settings(inspect.settings)
            let report: QuarterlyInspection
            if kept {
                report = try QuarterlyInspectionRun.kept(
                    chosen ?? Quarter.lastEnded(before: SystemWallClock().now()), settings: settings)
            } else {
                report = try await OutboxConsole.with(settings) { console in
                    let now = console.clock.now()
                    return try await QuarterlyInspectionRun.build(
                        quarter: chosen ?? Quarter.lastEnded(before: now), settings: settings, store: console.store,
                        channels: console.channels, now: now)
                }
                if save { try QuarterlyInspectionRun.save(report, settings: settings) }
            }
            let text = QuarterlyInspectionRenderer.render(report, format: format, language: language)
            if let output {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw GongkaiError(.configuration, "cannot write \(output): \(error.localizedDescription)", field: "output")
                }
            } else {
                // The CSV carries its own line ends (CRLF), and the HTML its own last newline.
                print(text, terminator: format == .csv || format == .html ? "" : "\n")
            }
        }
    }
}
