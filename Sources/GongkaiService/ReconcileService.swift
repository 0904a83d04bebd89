import GongkaiAudit
public import GongkaiChannels
import GongkaiCore
public import GongkaiStore
public import Logging
public import ServiceLifecycle

/// The daemon's periodic reconciliation (`reconcile.interval`): runs every
/// channel's check, keeps the report for `gongkai reconcile --last`, and logs
/// the verdict. It never repairs on its own; that is an operator's decision.
public struct ReconcileService: Service {
    let settings: GongkaiSettings
    let store: any OutboxStore
    let channels: [ChannelDefinition]
    let logger: Logger

    public init(settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], logger: Logger) {
        self.settings = settings
        self.store = store
        self.channels = channels
        self.logger = logger
    }

    public func run() async throws {
        let interval = settings.reconcileInterval
        guard interval > 0 else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(interval))
                }
            } catch {
                return
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
}
