import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiAudit
import GongkaiSimulators
import GongkaiStore
import GongkaiSync
public import Logging

extension Bench {
    /// Reconciliation at scale: `items` items published to the portal
    /// simulator through the engine, then one `reconcile` of the outbox
    /// against the portal's paged listing. Prints the time and the memory
    /// the reconciliation itself added.
    public static func reconcilePhase(items count: Int, options: Options, logger: Logger) async throws {
        let token = "bench-portal-token"
        let portal = PortalSimulator(token: token, logger: logger)
        try await portal.start()
        let definition = ChannelDefinition(
            id: "portal", kind: .portal, endpoint: portal.endpoint, credentials: ["apiToken": .environment("BENCH_PORTAL")],
            options: ["column": "zcwj", "pageSize": "100"], concurrency: 32, timeout: 10_000)
        let environment = ["BENCH_PORTAL": token]
        try await withWorkspace(options) { workspace in
            let console = OutboxConsole(store: workspace.store, channels: [definition], actor: "bench")
            for batch in SampleDisclosures.generated(count: count, seed: 7).chunked(1_000) { _ = try await console.submit(batch) }

            let publishStart = ContinuousClock.now
            let engine = try engine(store: workspace.store, channels: [definition], environment: environment, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.run() }
                while try await delivered(workspace.store) < count {
                    try await Task.sleep(for: .milliseconds(200))
                }
                engine.stop()
                try await group.waitForAll()
            }
            let publishSeconds = (ContinuousClock.now - publishStart).seconds
            print(line("portal publish", "\(rate(Double(count) / publishSeconds)) items/s", "(\(count) articles through the engine, for the reconcile phase)"))

            let sampler = RSSSampler()
            let samplerTask = Task { await sampler.run() }
            let before = MachineInfo.currentRSSMegabytes()
            let adapter = try ChannelAdapterFactory.make(definition, environment: environment)
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
                        + "RSS \(before) MiB before, \(sampler.describe()) during)"))
        }
        await portal.stop()
    }
}
