import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiAudit
import GongkaiSimulators
import GongkaiStore
public import Logging
import NIOCore

extension Bench {
    /// Reconciliation at scale: `items` delivered items preloaded into the
    /// outbox and the same articles put straight into the portal simulator (in
    /// a shuffled order, as a platform lists in its own), then one `reconcile`
    /// of the outbox against the portal's paged listing over HTTP. Prints the
    /// time, and the RSS before and sampled every 50 ms during the
    /// reconciliation (the simulator's articles are already in "before").
    public static func reconcilePhase(items count: Int, options: Options, logger: Logger) async throws {
        let token = "bench-portal-token"
        let portal = PortalSimulator(token: token, logger: logger)
        try await portal.start()
        let definition = ChannelDefinition(
            id: "portal", kind: .portal, endpoint: portal.endpoint, credentials: ["apiToken": .environment("BENCH_PORTAL")],
            options: ["column": "zcwj", "pageSize": "100"], concurrency: 32, timeout: 10_000)
        let environment = ["BENCH_PORTAL": token]
        try await withWorkspace(options) { workspace in
            let fillStart = ContinuousClock.now
            guard let filler = workspace.store as? any OutboxPreloading else { return }
            try await filler.preloadDelivered(items: count, channelIDs: [definition.id], now: SystemWallClock().now())
            var generator = SplitMix64(seed: 7)
            // The ids and hash preloadDelivered writes.
            let itemIDs = (1...count).map { String(format: "preload-%09d", $0) }
            portal.seedPublished(
                itemIDs: itemIDs.shuffled(using: &generator), column: "zcwj", version: 1,
                contentHash: String(repeating: "0", count: 64))
            let fillSeconds = (ContinuousClock.now - fillStart).seconds
            print(line("reconcile fill", "\(format(fillSeconds)) s", "(\(count) delivered rows preloaded, the same articles in the portal simulator)"))

            let adapter = try ChannelAdapterFactory.make(definition, environment: environment)
            // The simulator sorts all its articles on the first listing (hundreds of MiB at a
            // million, freed after): done here, so that the figures are the reconciliation's.
            _ = try await adapter.list(cursor: nil, deadline: .now() + .seconds(60))
            let sampler = RSSSampler(every: .milliseconds(50))
            let before = MachineInfo.currentRSSMegabytes()
            let samplerTask = Task { await sampler.run() }
            let start = ContinuousClock.now
            let report = try await Reconciler(store: workspace.store, channels: [(definition, adapter)]).run()
            let seconds = (ContinuousClock.now - start).seconds
            await adapter.shutdown()
            samplerTask.cancel()
            let inSync = report.channels.first?.count(.inSync) ?? 0
            print(
                line(
                    "reconcile", "\(format(seconds)) s for \(count) items",
                    "(\(rate(Double(count) / seconds)) items/s; \(inSync) in sync, exit \(report.exitStatus); "
                        + "RSS \(before) MiB before, \(sampler.describe()) during, +\(max(0, sampler.highest - before)) MiB)"))
        }
        await portal.stop()
    }
}
