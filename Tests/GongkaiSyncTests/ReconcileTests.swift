import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiChannels
import GongkaiCore
import GongkaiStore
import GongkaiSync
import Logging
import NIOCore
import Synchronization
import Testing

/// Reconciliation against a platform whose state the test tampers with. The
/// platform here is an in-process stand-in with a listing; the platform
/// adapters' own listings are tested against their simulators.
@Suite("Reconcile: outbox against what channels show")
struct ReconcileTests {
    /// Holds what was published, lists it in pages, and can be tampered with or taken down.
    final class ListingPlatform: ChannelAdapter {
        struct Shown: Sendable { var version: Int; var hash: String }
        let channelID: String
        var capabilities: ChannelCapabilities { [.publish, .update, .withdraw, .list] }
        let shown = Mutex<[String: Shown]>([:])
        let down = Atomic<Bool>(false)

        init(channelID: String) { self.channelID = channelID }

        func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
            shown.withLock { shown in
                switch request.operation {
                case .publish: shown[request.itemID] = Shown(version: request.version, hash: request.contentHash)
                case .withdraw: shown[request.itemID] = nil
                }
            }
            return DeliveryReceipt(remoteID: "art-" + request.itemID, remoteURL: "https://portal.example.gov.cn/" + request.itemID)
        }

        func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
            if down.load(ordering: .relaxed) {
                throw DeliveryError(SendFailure(permanent: false, message: "connection refused"), channelID: channelID)
            }
            let all = shown.withLock { $0.sorted { $0.key < $1.key } }
            let start = Int(cursor ?? "0") ?? 0
            let page = all.dropFirst(start).prefix(2)
            return ChannelListingPage(
                entries: page.map {
                    ChannelListingEntry(remoteID: "art-" + $0.key, itemID: $0.key, version: $0.value.version, contentHash: $0.value.hash)
                },
                nextCursor: start + 2 < all.count ? String(start + 2) : nil)
        }

        func shutdown() async {}
    }

    static func notice(_ id: String, title: String = "关于开展森林防火宣传月活动的通知") -> DisclosureItem {
        var item = SampleDisclosures.notice
        item.id = id
        item.title = title
        return item
    }

    /// One outbox, the listing platform and a receipt-only channel, with an engine to deliver.
    struct Setup {
        let store: SQLiteOutboxStore
        let console: OutboxConsole
        let platform: ListingPlatform
        let robot: ListingPlatform
        let definitions: [ChannelDefinition]

        init() throws {
            store = try SQLiteOutboxStore.inMemory()
            platform = ListingPlatform(channelID: "portal")
            robot = ListingPlatform(channelID: "robot")
            definitions = [
                ChannelDefinition(id: "portal", kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("X")),
                ChannelDefinition(id: "robot", kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("X")),
            ]
            console = OutboxConsole(store: store, channels: definitions, actor: "tester")
        }

        var reconciler: Reconciler {
            Reconciler(store: store, channels: [(definitions[0], platform), (definitions[1], ReceiptOnly(inner: robot))])
        }

        /// Delivers everything due, the way the daemon would.
        func deliverAll() async throws {
            let pulse = Pulse()
            let engine = DeliveryEngine(
                store: store,
                channels: [
                    ChannelRuntime(definition: definitions[0], adapter: platform),
                    ChannelRuntime(definition: definitions[1], adapter: ReceiptOnly(inner: robot)),
                ],
                configuration: EngineConfiguration(workerID: "w", pollInterval: 10),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
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
    }

    /// A channel that cannot list: reconciliation relies on receipts.
    struct ReceiptOnly: ChannelAdapter {
        let inner: ListingPlatform
        var channelID: String { inner.channelID }
        var capabilities: ChannelCapabilities { [.publish] }
        func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
            try await inner.deliver(request, deadline: deadline)
        }
        func shutdown() async {}
    }

    @Test func aConsistentOutboxReportsInSyncAndUnverifiableChannelsSaySo() async throws {
        let setup = try Setup()
        _ = try await setup.console.submit([Self.notice("a"), Self.notice("b"), Self.notice("c")])
        try await setup.deliverAll()
        let report = try await setup.reconciler.run()
        let portal = try #require(report.channels.first { $0.channelID == "portal" })
        #expect(portal.method == "listing")
        #expect(portal.count(.inSync) == 3)
        let robot = try #require(report.channels.first { $0.channelID == "robot" })
        #expect(robot.method == "receipts")
        #expect(robot.count(.unchecked) == 3)
        #expect(robot.count(.inSync) == 0)
        #expect(report.exitStatus == 0)
    }

    @Test func tamperedPlatformShowsEachClassAndRepairFixesIt() async throws {
        let setup = try Setup()
        _ = try await setup.console.submit([Self.notice("gone"), Self.notice("stale"), Self.notice("zombie"), Self.notice("ok")])
        try await setup.deliverAll()
        _ = try await setup.console.submit([Self.notice("stale", title: "关于开展森林防火宣传月活动的通知（修订）")])
        try await setup.deliverAll()
        _ = try await setup.console.withdraw(itemID: "zombie", reason: "已废止")
        try await setup.deliverAll()

        // Behind our back: an article deleted, an old version put back, a withdrawn one re-posted, a stranger added.
        setup.platform.shown.withLock { shown in
            shown["gone"] = nil
            shown["stale"]?.version = 1
            shown["zombie"] = .init(version: 1, hash: String(repeating: "0", count: 64))
            shown["stranger"] = .init(version: 1, hash: String(repeating: "1", count: 64))
        }
        let report = try await setup.reconciler.run()
        let classes = Dictionary(
            uniqueKeysWithValues: report.rows.filter { $0.channelID == "portal" }.map { ($0.itemID ?? "?", $0.status) })
        #expect(classes["gone"] == .missing)
        #expect(classes["stale"] == .differs)
        #expect(classes["zombie"] == .extra)
        #expect(classes["stranger"] == .extra)
        #expect(classes["ok"] == nil)  // in sync rows are counted, not listed
        #expect(report.exitStatus == 1)
        // Without --repair nothing changed.
        #expect(try await setup.store.deliveries(DeliveryFilter(states: [.pending])).isEmpty)

        let repaired = try await setup.reconciler.run(repair: true, actor: "auditor")
        let repairs = Dictionary(uniqueKeysWithValues: repaired.rows.filter { $0.channelID == "portal" }.map { ($0.itemID ?? "?", $0.repair ?? "") })
        #expect(repairs["gone"] == "enqueued: resend v1")
        #expect(repairs["stale"] == "enqueued: resend v2")
        #expect(repairs["zombie"] == "enqueued: withdrawal")
        #expect(repairs["stranger"]?.hasPrefix("needs manual action") == true)
        let audit = try await setup.store.auditLog(itemID: "gone", limit: 10)
        #expect(audit.contains { $0.actor == "auditor" && $0.action == "resend-force" })

        try await setup.deliverAll()
        setup.platform.shown.withLock { $0["stranger"] = nil }  // the manual action, done by hand
        let after = try await setup.reconciler.run()
        #expect(after.differenceCount == 0)
        #expect(after.exitStatus == 0)
    }

    @Test func aChannelThatCannotBeCheckedFailsTheAudit() async throws {
        let setup = try Setup()
        _ = try await setup.console.submit([Self.notice("a")])
        try await setup.deliverAll()
        setup.platform.down.store(true, ordering: .relaxed)
        let report = try await setup.reconciler.run()
        let portal = try #require(report.channels.first { $0.channelID == "portal" })
        #expect(portal.method == "failed")
        #expect(portal.failure?.contains("connection refused") == true)
        #expect(report.rows.contains { $0.channelID == "portal" && $0.status == .unchecked })
        #expect(report.exitStatus == 2)
    }

    @Test func reportsRenderInEveryFormat() async throws {
        let setup = try Setup()
        _ = try await setup.console.submit([Self.notice("a"), Self.notice("b")])
        try await setup.deliverAll()
        setup.platform.shown.withLock { $0["b"] = nil }
        let report = try await setup.reconciler.run()
        let csv = ReconcileRenderer.render(report, format: .csv, language: .zh)
        #expect(csv.hasPrefix("\u{FEFF}渠道,事项,状态"))
        #expect(csv.contains("portal,b,+,v1"))
        let html = ReconcileRenderer.render(report, format: .html, language: .en)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let summaryAt = try #require(html.range(of: "Summary by channel"))
        let rowsAt = try #require(html.range(of: "<h2>Rows"))
        #expect(summaryAt.lowerBound < rowsAt.lowerBound)
        #expect(html.contains("1 differences found"))
        let json = ReconcileRenderer.render(report, format: .json, language: .en)
        let decoded = try JSONDecoder().decode(ReconcileReport.self, from: Data(json.utf8))
        #expect(decoded == report)
        let table = ReconcileRenderer.render(report, format: .table, language: .zh)
        #expect(table.contains("平台缺失"))
        #expect(table.contains("结论：发现 1 处不一致"))
    }
}
