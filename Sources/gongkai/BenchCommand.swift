public import ArgumentParser
import Foundation
import GongkaiAudit
import GongkaiService
public import GongkaiDemo
import GongkaiStore

extension Bench.Phase: ExpressibleByArgument {}

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the outbox against local simulators and print the figures (asserts nothing).",
        discussion: "Run a release build: swift run -c release gongkai bench")
    @Option(help: "Items per throughput phase.") var items: Int = 40_000
    @Option(help: "Webhook channels each item goes to.") var channels: Int = 2
    @Option(help: "Sends in flight per channel.") var concurrency: Int = 64
    @Option(help: "Share of 5xx answers in the fault phase.") var faultRate: Double = 0.2
    @Option(help: "Seconds of steady flow for the latency phase.") var latencySeconds: Int = 5
    @Option(help: "Items per second offered in the latency phase (keep it below the end-to-end rate).") var latencyRate: Int = 1_000
    @Option(help: "Items published to the portal simulator and then reconciled (0 skips the phase).") var reconcileItems: Int = 100_000
    @Flag(help: "Run only the reconcile phase (same as --phase reconcile).") var onlyReconcile = false
    @Option(
        name: .customLong("phase"),
        help: "Run only this phase; repeat for several: submit, e2e (includes submit), bookkeeping, bare, latency, faults, reconcile, api, metrics.")
    var phases: [Bench.Phase] = []
    @Option(help: "Measure on PostgreSQL: postgres://user@host:5432/database (each phase gets a gongkai_bench_ schema of its own, dropped after; password from GONGKAI_DATABASE_PASSWORD). Default: temporary SQLite files.")
    var database: String?
    @Option(help: "File holding the PostgreSQL password (env GONGKAI_DATABASE_PASSWORD_FILE).") var databasePasswordFile: String?
    @Option(help: "Also run the e2e phase with this many engines, each with its own connections, on one outbox.")
    var daemons: Int = 1
    @Option(help: "Also run the e2e phase after filling the outbox with this many delivered rows (e.g. 1000000); the metrics phase's store holds this many (default 1000000).")
    var preload: Int = 0

    func run() async throws {
        var options = Bench.Options(
            items: items, channels: channels, concurrency: concurrency, faultRate: faultRate,
            latencySeconds: latencySeconds, latencyRate: latencyRate)
        options.reconcileItems = reconcileItems
        guard (1...16).contains(daemons) else { throw ValidationError("--daemons must be 1 to 16") }
        guard preload >= 0 else { throw ValidationError("--preload must be 0 or more") }
        options.database = database
        options.daemons = daemons
        options.preload = preload
        options.databaseOptions.passwordFile =
            databasePasswordFile ?? ProcessInfo.processInfo.environment["GONGKAI_DATABASE_PASSWORD_FILE"]
        // Several engines each hold connections; leave the pool room for all their channels.
        options.databaseOptions.poolSize = max(10, channels * 4)
        if onlyReconcile { options.phases = [.reconcile] } else if !phases.isEmpty { options.phases = Set(phases) }
        try await Bench.run(options)
    }
}
