import GongkaiAudit
public import GongkaiChannels
import GongkaiCore
public import GongkaiStore
public import Logging
public import ServiceLifecycle

/// The daemon's periodic reconciliation (`reconcile.interval`): runs every
/// channel's check, keeps the report for `gongkai reconcile --last`, and logs
/// the verdict. It never repairs on its own; that is an operator's decision.
///
/// With `publicPages`, the same loop on `reconcile.publicInterval` runs the
/// public-page check instead, kept beside the last report: fetching every
/// public page politely takes much longer than asking the platforms' APIs.
public struct ReconcileService: Service {
    let settings: GongkaiSettings
    let store: any OutboxStore
    let channels: [ChannelDefinition]
    let logger: Logger
    let publicPages: Bool

    public init(
        settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], logger: Logger,
        publicPages: Bool = false
    ) {
        self.settings = settings
        self.store = store
        self.channels = channels
        self.logger = logger
        self.publicPages = publicPages
    }

    public func run() async throws {
        let interval = publicPages ? settings.publicPageInterval : settings.reconcileInterval
        guard interval > 0 else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(interval))
                }
            } catch {
                return
            }
            if publicPages {
                await checkPublicPages()
                continue
            }
            do {
                let report = try await ReconcileRun.run(
                    settings: settings, store: store, channels: channels, repair: false, actor: "daemon-reconcile")
                let level: Logger.Level = report.exitStatus == 0 ? .info : .warning
                logger.log(
                    level: level, "reconciliation finished",
                    metadata: [
                        "differences": "\(report.differenceCount)", "auditFailed": "\(report.auditFailed)",
                        "report": "\(settings.lastReportPath)",
                    ])
            } catch {
                logger.error("reconciliation failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func checkPublicPages() async {
        do {
            let report = try await ReconcileRun.inspectPublicPages(settings: settings, store: store, channels: channels)
            try ReconcileRun.savePublic(report, settings: settings)
            logger.log(
                level: report.findingCount == 0 ? .info : .warning, "public-page check finished",
                metadata: [
                    "pages": "\(report.channels.reduce(0) { $0 + $1.pages })", "findings": "\(report.findingCount)",
                    "report": "\(settings.lastPublicReportPath)",
                ])
        } catch {
            logger.error("public-page check failed", metadata: ["error": "\(error)"])
        }
    }
}
