public import CoreMetrics
public import Foundation
public import GongkaiAudit
public import GongkaiChannels
import GongkaiCore
import GongkaiMonitoring
public import GongkaiStore
import Logging

/// `gongkai reconcile` and the daemon's periodic run: builds the channels'
/// adapters, reconciles, sets the reconciliation gauges (``ReconcileMetrics``),
/// keeps the report for `--last`, releases the adapters.
public enum ReconcileRun {
    public static func run(
        settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], channelFilter: String? = nil,
        repair: Bool, keepInSyncRows: Bool = false, publicPages: Bool = false, actor: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        metrics: any MetricsFactory = MetricsSystem.factory, progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> ReconcileReport {
        let selected = channels.filter { channelFilter == nil || $0.id == channelFilter }
        if let channelFilter, selected.isEmpty {
            throw GongkaiError(.unknownChannel, "no channel with this id", channel: channelFilter, field: "channel")
        }
        let adapters = try await ChannelAdapterFactory.makeAll(selected, environment: environment)
        var reconciler = Reconciler(store: store, channels: adapters)
        reconciler.keepInSyncRows = keepInSyncRows
        reconciler.deadlines = settings.deadlines
        reconciler.calendar = try settings.workCalendar()
        var report: ReconcileReport
        do {
            report = try await reconciler.run(repair: repair, actor: actor, progress: progress)
        } catch {
            for (_, adapter) in adapters { await adapter.shutdown() }
            throw error
        }
        for (_, adapter) in adapters { await adapter.shutdown() }
        if publicPages {
            report.publicPages = try await inspectPublicPages(
                settings: settings, store: store, channels: selected, keepInSyncRows: keepInSyncRows, progress: progress)
            if channelFilter == nil, let pages = report.publicPages { try savePublic(pages, settings: settings) }
        }
        ReconcileMetrics.record(report, factory: metrics)
        if channelFilter == nil { try save(report, to: settings.lastReportPath) }
        return report
    }

    /// The public-page view alone (`reconcile.publicInterval`, or `--public` within a run).
    public static func inspectPublicPages(
        settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], keepInSyncRows: Bool = false,
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> PublicPageReport {
        let fetcher = PublicWebFetcher(timeout: settings.publicPageTimeout, hostInterval: settings.publicPageHostInterval)
        var inspector = PublicPageInspector(store: store, channels: channels, fetcher: fetcher)
        inspector.keepInSyncRows = keepInSyncRows
        do {
            let report = try await inspector.run(progress: progress)
            await fetcher.shutdown()
            return report
        } catch {
            await fetcher.shutdown()
            throw error
        }
    }

    /// Keeps the public-page check for `reconcile --last`, which shows it beside the last report.
    public static func savePublic(_ report: PublicPageReport, settings: GongkaiSettings) throws {
        do {
            try Data(JSONOutput.string(report).utf8).write(
                to: URL(fileURLWithPath: settings.lastPublicReportPath), options: .atomic)
        } catch {
            throw GongkaiError(
                .configuration,
                "cannot write the public-page report to \(settings.lastPublicReportPath): \(error.localizedDescription)",
                field: "reconcile.lastReport")
        }
    }

    /// The last public-page check kept, if any.
    public static func lastPublic(settings: GongkaiSettings) -> PublicPageReport? {
        FileManager.default.contents(atPath: settings.lastPublicReportPath)
            .flatMap { try? JSONDecoder().decode(PublicPageReport.self, from: $0) }
    }

    /// Writes the report atomically (a reader never sees half a file).
    public static func save(_ report: ReconcileReport, to path: String) throws {
        do {
            try Data(JSONOutput.string(report).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw GongkaiError(.configuration, "cannot write the reconciliation report to \(path): \(error.localizedDescription)", field: "reconcile.lastReport")
        }
    }

    /// The report the last full run kept.
    public static func last(settings: GongkaiSettings) throws -> ReconcileReport {
        try load(settings.lastReportPath)
    }

    /// The report kept at `path`, in today's shape or the one earlier versions wrote.
    public static func load(_ path: String) throws -> ReconcileReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GongkaiError(
                .conflict, "no reconciliation report yet at \(path): run `gongkai reconcile` or set reconcile.interval for the daemon",
                field: "reconcile.lastReport")
        }
        do {
            return try JSONDecoder().decode(ReconcileReport.self, from: data)
        } catch {
            throw GongkaiError(.configuration, "\(path) is not a reconciliation report", field: "reconcile.lastReport")
        }
    }
}
