import Foundation
public import GongkaiAudit
public import GongkaiChannels
import GongkaiCore
public import GongkaiStore

/// `gongkai inspect` and the daemon's quarterly run: builds the quarterly check
/// (``QuarterlyInspection``) with the settings' calendar, deadlines and
/// thresholds and the last public-page check kept, and keeps it in
/// ``GongkaiSettings/inspectionReportsPath``.
///
/// Every report is kept: one set of files per quarter, `<quarter>.json` (read
/// back by `inspect --kept`) beside `<quarter>.zh.html`, `.en.html`,
/// `.zh.csv` and `.en.csv` to file as they are. Nothing is ever deleted.
public enum QuarterlyInspectionRun {
    public static func build(
        quarter: Quarter, settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], now: Int64
    ) async throws -> QuarterlyInspection {
        try await QuarterlyInspection.build(
            quarter: quarter, store: store, channels: channels, calendar: try settings.workCalendar(),
            policy: settings.deadlines, thresholds: settings.inspectionThresholds,
            publicPages: ReconcileRun.lastPublic(settings: settings), now: now)
    }

    /// The file of `quarter`'s report in `format` and `language` (JSON has one language).
    public static func path(
        of quarter: Quarter, format: QuarterlyInspectionRenderer.Format, language: ReportLanguage = .zh,
        settings: GongkaiSettings
    ) -> String {
        let name = format == .json ? "\(quarter).json" : "\(quarter).\(language.rawValue).\(format.rawValue)"
        return URL(fileURLWithPath: settings.inspectionReportsPath).appendingPathComponent(name).path
    }

    /// Whether `quarter`'s report is kept.
    public static func isKept(_ quarter: Quarter, settings: GongkaiSettings) -> Bool {
        FileManager.default.fileExists(atPath: path(of: quarter, format: .json, settings: settings))
    }

    /// Writes the report in every format and language, each file atomically; the
    /// JSON last, so that a kept JSON means the whole set is there.
    public static func save(_ report: QuarterlyInspection, settings: GongkaiSettings) throws {
        let directory = settings.inspectionReportsPath
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for format in [QuarterlyInspectionRenderer.Format.html, .csv] {
                for language in ReportLanguage.allCases {
                    let text = QuarterlyInspectionRenderer.render(report, format: format, language: language)
                    try Data(text.utf8).write(
                        to: URL(fileURLWithPath: path(of: report.quarter, format: format, language: language, settings: settings)),
                        options: .atomic)
                }
            }
            try Data(JSONOutput.string(report).utf8).write(
                to: URL(fileURLWithPath: path(of: report.quarter, format: .json, settings: settings)), options: .atomic)
        } catch {
            throw GongkaiError(
                .configuration, "cannot write the quarterly check to \(directory): \(error.localizedDescription)",
                field: "inspect.reports")
        }
    }

    /// The kept report of `quarter`.
    public static func kept(_ quarter: Quarter, settings: GongkaiSettings) throws -> QuarterlyInspection {
        let file = path(of: quarter, format: .json, settings: settings)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw GongkaiError(
                .conflict,
                "no quarterly check kept for \(quarter) at \(file): the daemon writes one after each quarter ends; run `gongkai inspect --quarter \(quarter) --save`",
                field: "quarter")
        }
        do {
            return try JSONDecoder().decode(QuarterlyInspection.self, from: data)
        } catch {
            throw GongkaiError(.configuration, "\(file) is not a quarterly check", field: "inspect.reports")
        }
    }

    /// The quarters whose reports are kept, oldest first.
    public static func keptQuarters(settings: GongkaiSettings) -> [Quarter] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: settings.inspectionReportsPath)) ?? []
        return names.compactMap { name in
            name.hasSuffix(".json") ? Quarter(String(name.dropLast(5))) : nil
        }.sorted()
    }

    /// The daemon's step: once a quarter has ended, writes its report if none is
    /// kept yet. Returns the quarter written, or nil when there was nothing to do.
    public static func writeEndedQuarter(
        settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], now: Int64
    ) async throws -> [Quarter] {
        let owed = owedQuarters(now: now, settings: settings)
        for quarter in owed {
            let report = try await build(quarter: quarter, settings: settings, store: store, channels: channels, now: now)
            try save(report, settings: settings)
        }
        return owed
    }

    /// Most quarters caught up at once (two years), however long the daemon was stopped.
    public static let catchUpLimit = 8

    /// The ended quarters that have no report, oldest first: every one since the newest
    /// kept report (a daemon stopped across several quarter ends owes each of them), or,
    /// where none is kept within ``catchUpLimit`` quarters, only the last ended one (a
    /// first start writes no history it was not running for).
    static func owedQuarters(now: Int64, settings: GongkaiSettings) -> [Quarter] {
        var owed: [Quarter] = []
        var quarter = Quarter.lastEnded(before: now)
        while !isKept(quarter, settings: settings) {
            guard owed.count < catchUpLimit else { return [owed[0]] }
            owed.append(quarter)
            quarter = quarter.previous
        }
        return owed.reversed()
    }
}
