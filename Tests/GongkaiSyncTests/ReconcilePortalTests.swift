import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import GongkaiStore
import GongkaiSync
import Logging
import Testing

/// Reconciliation end to end: the engine publishes to the portal simulator
/// over HTTP, the test tampers with the simulator, and `reconcile` must see
/// each tampering, repair it, and then find nothing.
@Suite("Reconcile against the portal simulator")
struct ReconcilePortalTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    struct Portal {
        let simulator: PortalSimulator
        let definition: ChannelDefinition
        let store: SQLiteOutboxStore
        let console: OutboxConsole

        init() async throws {
            simulator = PortalSimulator(token: "portal-test-token", logger: ReconcilePortalTests.logger)
            try await simulator.start()
            definition = ChannelDefinition(
                id: "portal", kind: .portal, endpoint: simulator.endpoint,
                credentials: ["apiToken": .environment("PORTAL_TOKEN")], options: ["column": "zcwj", "pageSize": "3"],
                retry: try RetrySchedule(delays: [50, 100], jitter: 0, minimumThrottleDelay: 50), concurrency: 4,
                // Not tighter: a full run on two loaded cores once took over 2 s for a listing
                // page, and the audit then failed as if the portal were down.
                timeout: 10_000)
            store = try SQLiteOutboxStore.inMemory()
            console = OutboxConsole(store: store, channels: [definition], actor: "tester")
        }

        /// A fresh adapter: the engine shuts its adapters down when it stops.
        func adapter() throws -> any ChannelAdapter {
            try ChannelAdapterFactory.make(definition, environment: ["PORTAL_TOKEN": "portal-test-token"])
        }

        /// Reconciles with a fresh adapter, released afterwards.
        func reconcile(repair: Bool = false) async throws -> ReconcileReport {
            let adapter = try adapter()
            let report = try await Reconciler(store: store, channels: [(definition, adapter)]).run(repair: repair, actor: "auditor")
            await adapter.shutdown()
            return report
        }

        func deliverAll() async throws {
            let pulse = Pulse()
            let engine = DeliveryEngine(
                store: store, channels: [ChannelRuntime(definition: definition, adapter: try adapter())],
                configuration: EngineConfiguration(workerID: "w", pollInterval: 20), logger: ReconcilePortalTests.logger,
                onRecorded: { _, _ in pulse.fire() })
            let task = Task { try await engine.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let seen = pulse.generation
                if try await store.deliveries(DeliveryFilter(states: [.pending, .sending, .retrying])).isEmpty { break }
                await pulse.wait(after: seen)
            }
            engine.stop()
            try await task.value
        }

        func close() async {
            await simulator.stop()
        }
    }

    static func notice(_ id: String, title: String = "关于开展森林草原防火检查的通知") -> DisclosureItem {
        var item = SampleDisclosures.notice
        item.id = id
        item.title = title
        return item
    }

    @Test func tamperingIsFoundRepairedAndThenGone() async throws {
        let portal = try await Portal()
        _ = try await portal.console.submit(["deleted", "stale", "zombie", "fine"].map { Self.notice($0) })
        try await portal.deliverAll()
        _ = try await portal.console.submit([Self.notice("stale", title: "关于开展森林草原防火检查的通知（修订）")])
        _ = try await portal.console.withdraw(itemID: "zombie", reason: "已废止")
        try await portal.deliverAll()
        let first = try await portal.reconcile()
        #expect(first.exitStatus == 0, "\(first.channels) \(first.rows)")
        let rows = try await portal.store.deliveries(DeliveryFilter())
        #expect(rows.allSatisfy { $0.state == .delivered || $0.state == .withdrawn }, "\(rows)")

        #expect(portal.simulator.removeBehindOurBack(externalID: "gk-deleted"))
        #expect(portal.simulator.setStale(externalID: "gk-stale", version: 1, contentHash: String(repeating: "a", count: 64)))
        #expect(portal.simulator.restoreWithdrawn(externalID: "gk-zombie"))
        let foreign = portal.simulator.addForeignArticle(column: "zcwj", title: "编辑自行发布的文章")

        let report = try await portal.reconcile()
        let byItem = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.itemID ?? $0.remoteID ?? "?", $0.status) })
        #expect(byItem["deleted"] == .missing)
        #expect(byItem["stale"] == .differs)
        #expect(byItem["zombie"] == .extra)
        #expect(byItem[foreign.id] == .extra)
        #expect(byItem["fine"] == nil)
        #expect(report.channels.first?.count(.inSync) == 1)
        #expect(report.exitStatus == 1)

        let repaired = try await portal.reconcile(repair: true)
        #expect(repaired.rows.filter { $0.repair?.hasPrefix("enqueued") == true }.count == 3)
        try await portal.deliverAll()
        #expect(portal.simulator.removeBehindOurBack(externalID: foreign.externalID))
        let after = try await portal.reconcile()
        #expect(after.differenceCount == 0)
        #expect(after.exitStatus == 0)
        #expect(portal.simulator.article(externalID: "gk-stale")?.version == 2)
        #expect(portal.simulator.article(externalID: "gk-zombie") == nil)
        await portal.close()
    }

    @Test func aPortalThatIsDownMakesTheAuditFail() async throws {
        let portal = try await Portal()
        _ = try await portal.console.submit([Self.notice("a")])
        try await portal.deliverAll()
        await portal.simulator.stop()
        let report = try await portal.reconcile()
        #expect(report.channels.first?.method == "failed")
        #expect(report.rows.first?.status == .unchecked)
        #expect(report.exitStatus == 2)
    }
}
