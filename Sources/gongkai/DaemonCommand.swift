import ArgumentParser
import GongkaiAudit
import GongkaiServer
import GongkaiService

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Deliver the outbox to every channel until SIGTERM/SIGINT (drains in-flight sends, releases leases).",
        discussion: ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Lease owner name (env GONGKAI_WORKER_ID; default host-pid-random).") var workerID: String?
    @Option(help: "How often idle workers look for work, e.g. 500ms (env GONGKAI_POLL_INTERVAL).") var pollInterval: String?
    @Option(help: "Lease on a claimed delivery, e.g. 20s; the daemon renews it every quarter while it holds the row (env GONGKAI_LEASE).") var lease: String?
    @Option(help: "Most deliveries claimed per transaction (env GONGKAI_CLAIM_BATCH).") var claimBatch: String?
    @Option(help: "Time allowed to drain in-flight sends on SIGTERM, e.g. 30s (env GONGKAI_SHUTDOWN_GRACE).") var shutdownGrace: String?
    @Option(help: "Reconcile every channel this often and keep the report, e.g. 1h; 0 = never (env GONGKAI_RECONCILE_INTERVAL).")
    var reconcileInterval: String?
    @Option(help: "Check the public pages (what citizens see) this often and keep the result, e.g. 1d; 0 = never (env GONGKAI_RECONCILE_PUBLIC_INTERVAL).")
    var publicInterval: String?
    @Option(help: "on: write each quarter's check into inspect.reports once the quarter has ended (default); off: never (env GONGKAI_INSPECT_QUARTERLY).")
    var inspectQuarterly: String?
    @OptionGroup var inspect: InspectOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await reporting {
            let settings = try global.settings(
                [
                    "daemon.workerID": workerID, "daemon.pollInterval": pollInterval, "daemon.lease": lease,
                    "daemon.claimBatch": claimBatch, "daemon.shutdownGrace": shutdownGrace,
                    "reconcile.interval": reconcileInterval, "reconcile.publicInterval": publicInterval,
                    "inspect.quarterly": inspectQuarterly,
                ].merging(server.settings) { $1 }.merging(inspect.settings) { $1 })
            let logger = global.logger(settings)
            try await Daemon.run(settings: settings, logger: logger) { database, channels in
                try GongkaiServer.service(settings: settings, database: database, channels: channels, logger: logger)
            }
        }
    }
}
