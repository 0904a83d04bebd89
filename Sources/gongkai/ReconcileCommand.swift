import ArgumentParser
import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiChannels
import GongkaiCore
import GongkaiStore

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare every channel with the outbox: = in sync, + missing, - withdrawn or unknown here, * different version, ! not checked.",
        discussion: """
            Channels that can list (portal, platform, WeChat, Weibo, credit feed) are compared with their listing; \
            the others (robots, webhooks) only through our receipts, and say so. Without --repair nothing changes.
            \(ReconcileReport.exitStatusHelp)
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this channel.") var channel: String?
    @Option(help: "table, json, csv (UTF-8 with BOM) or html.") var format: String = "table"
    @Option(help: "zh or en.") var lang: String = "zh"
    @Option(help: "Write the report to this file instead of standard output.") var output: String?
    @Flag(help: "Enqueue what fixes each difference (resend for + and *, withdrawal for -) and record it in the audit log.")
    var repair = false
    @Flag(help: "Print the report the last full run kept (the daemon's periodic run or a manual one).")
    var last = false
    @Flag(help: "List in-sync rows too (memory then grows with the outbox).")
    var all = false
    @Flag(
        name: .customLong("public"),
        help: "Also check the public pages as a citizen sees them: current version, attachments (SHA-256), dead links.")
    var publicPages = false

    func run() async throws {
        guard let format = ReconcileRenderer.Format(rawValue: format) else {
            throw ValidationError("--format must be table, json, csv or html")
        }
        guard let language = ReportLanguage(rawValue: lang) else { throw ValidationError("--lang must be zh or en") }
        if last && repair { throw ValidationError("--last prints a kept report; it cannot --repair") }
        var status: Int32 = 0
        try await reporting(json: format == .json) {
            status = try await produce(format: format, language: language)
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs or loads the report, prints it, and returns its exit status.
    private func produce(format: ReconcileRenderer.Format, language: ReportLanguage) async throws -> Int32 {
        let settings = try global.settings()
        let report: ReconcileReport
        if last {
            var kept = try ReconcileRun.last(settings: settings)
            // The daemon checks public pages on their own interval; the latest check goes with the report.
            if kept.publicPages == nil { kept.publicPages = ReconcileRun.lastPublic(settings: settings) }
            report = kept
        } else {
            report = try await OutboxConsole.with(settings) { console in
                // Progress lines only on a terminal: a redirected report stays clean.
                var progress: (@Sendable (String) -> Void)?
                if isatty(STDERR_FILENO) == 1 {
                    progress = { line in FileHandle.standardError.write(Data("… \(line)\n".utf8)) }
                }
                return try await ReconcileRun.run(
                    settings: settings, store: console.store, channels: console.channels, channelFilter: channel,
                    repair: repair, keepInSyncRows: all, publicPages: publicPages, actor: console.actor,
                    progress: progress)
            }
        }
        let text = ReconcileRenderer.render(report, format: format, language: language)
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw GongkaiError(.configuration, "cannot write \(output): \(error.localizedDescription)", field: "output")
            }
        } else {
            print(text)
        }
        return report.exitStatus
    }
}
