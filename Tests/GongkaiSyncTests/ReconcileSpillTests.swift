import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiStore
import NIOCore
import Synchronization
import Testing

/// Reconcile spills each listing to a temporary file and keeps a page in
/// memory: the listing's size must not show in what it holds, the unmatched
/// entries must come out as before, and the file must go on every path out.
@Suite("Reconcile: a listing spilled to disk, not held")
struct ReconcileSpillTests {
    /// Lists the entries it is given, in that order and in pages, and notes
    /// what the spill directory holds while it is asked.
    final class ScriptedListing: ChannelAdapter {
        enum Interruption { case none, failAfterPage(Int), cancelAfterPage(Int) }
        let channelID = "portal"
        var capabilities: ChannelCapabilities { [.publish, .list] }
        let entries: [ChannelListingEntry]
        let pageSize: Int
        let spillDirectory: URL
        let interruption: Interruption
        /// Files in the spill directory at each listing call.
        let filesSeen = Mutex<[Int]>([])

        init(_ entries: [ChannelListingEntry], pageSize: Int, spillDirectory: URL, interruption: Interruption = .none) {
            self.entries = entries
            self.pageSize = pageSize
            self.spillDirectory = spillDirectory
            self.interruption = interruption
        }

        func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
            throw DeliveryError(SendFailure(permanent: true, message: "not in this test"), channelID: channelID)
        }

        func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: spillDirectory.path).count) ?? -1
            filesSeen.withLock { $0.append(files) }
            let start = Int(cursor ?? "0") ?? 0
            let page = start / pageSize
            switch interruption {
            case .failAfterPage(let last) where page > last:
                throw DeliveryError(SendFailure(permanent: false, message: "connection reset"), channelID: channelID)
            case .cancelAfterPage(let last) where page == last:
                withUnsafeCurrentTask { $0?.cancel() }
            case .none, .failAfterPage, .cancelAfterPage:
                break
            }
            let end = min(entries.count, start + pageSize)
            return ChannelListingPage(entries: Array(entries[start..<end]), nextCursor: end < entries.count ? String(end) : nil)
        }

        func shutdown() async {}
    }

    static let definition = ChannelDefinition(
        id: "portal", kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("X"))
    /// The content hash `preloadDelivered` gives every item.
    static let preloadHash = String(repeating: "0", count: 64)

    static func preloadedID(_ n: Int) -> String { String(format: "preload-%09d", n) }

    static func emptyDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-spill-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func files(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
    }

    /// An outbox of `count` items delivered to the portal.
    static func preloadedStore(_ count: Int) async throws -> SQLiteOutboxStore {
        let store = try SQLiteOutboxStore.inMemory()
        try await store.preloadDelivered(items: count, channelIDs: [definition.id], now: SystemWallClock().now())
        return store
    }

    @Test func aListingOfThousandsIsHeldAPageAtATime() async throws {
        let count = 3_000
        let store = try await Self.preloadedStore(count)
        let directory = try Self.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Listed in an order of its own, with every 7th item gone and 40 strangers among them.
        var generator = SplitMix64(seed: 11)
        var listed = (1...count).filter { $0 % 7 != 0 }.map {
            ChannelListingEntry(remoteID: "cms-\($0)", itemID: Self.preloadedID($0), version: 1, contentHash: Self.preloadHash)
        }
        listed += (1...40).map { ChannelListingEntry(remoteID: "foreign-\($0)", title: "编辑自发 \($0)") }
        listed.shuffle(using: &generator)
        let adapter = ScriptedListing(listed, pageSize: 100, spillDirectory: directory)
        let held = Mutex<[Int]>([])
        var reconciler = Reconciler(store: store, channels: [(Self.definition, adapter)])
        reconciler.pageSize = 100
        reconciler.spillDirectory = directory
        reconciler.onListingHeld = { count in held.withLock { $0.append(count) } }

        let report = try await reconciler.run()

        let portal = try #require(report.channels.first)
        #expect(portal.count(.inSync) == count - count / 7)
        #expect(portal.count(.missing) == count / 7)
        #expect(portal.count(.extra) == 40)
        let highest = held.withLock { $0.max() ?? 0 }
        #expect(highest > 0)
        #expect(highest <= 100, "the run held \(highest) listing entries at once, more than a page")
        // The listing was in a file while it was read (the old in-memory index wrote none), and is gone now.
        #expect(adapter.filesSeen.withLock { $0.last } == 1)
        #expect(try Self.files(in: directory).isEmpty)
    }

    @Test func unmatchedEntriesAreUnknownInListingOrder() async throws {
        let store = try await Self.preloadedStore(3)
        let directory = try Self.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (one, two, three) = (Self.preloadedID(1), Self.preloadedID(2), Self.preloadedID(3))
        let listed = [
            // An earlier copy of item 1: the later entry is the one its delivery matches.
            ChannelListingEntry(remoteID: "old-1", itemID: one, version: 1, contentHash: Self.preloadHash, title: "旧稿"),
            ChannelListingEntry(remoteID: "cms-7", title: "编辑自发"),
            ChannelListingEntry(remoteID: "art-3", itemID: three, version: 2),
            ChannelListingEntry(remoteID: "art-1", itemID: one, version: 1, contentHash: Self.preloadHash),
            ChannelListingEntry(remoteID: "x-9", itemID: "stranger", version: 4),
        ]
        var reconciler = Reconciler(
            store: store, channels: [(Self.definition, ScriptedListing(listed, pageSize: 2, spillDirectory: directory))])
        reconciler.pageSize = 2
        reconciler.spillDirectory = directory

        let report = try await reconciler.run()

        let rows = report.rows.map { [$0.itemID ?? "-", $0.remoteID ?? "-", $0.status.rawValue, $0.detail] }
        #expect(
            rows == [
                [two, "-", "+", "delivered v1 per our receipt, but the channel does not show it"],
                [three, "art-3", "*", "the channel shows v2; the outbox has v1"],
                [one, "old-1", "-", "shown on the channel but unknown to the outbox: 旧稿"],
                ["-", "cms-7", "-", "shown on the channel but unknown to the outbox: 编辑自发"],
                ["stranger", "x-9", "-", "shown on the channel but unknown to the outbox"],
            ])
        #expect(report.channels.first?.count(.inSync) == 1)
        #expect(report.rows.first { $0.remoteID == "x-9" }?.shownVersion == 4)
        #expect(try Self.files(in: directory).isEmpty)
    }

    @Test func aDeliveryMatchesByRemoteIDWhenTheListingNamesNoItem() async throws {
        let setup = try ReconcileTests.Setup()
        _ = try await setup.console.submit([ReconcileTests.notice("a"), ReconcileTests.notice("b")])
        try await setup.deliverAll()
        let hash = try #require(setup.platform.shown.withLock { $0["a"]?.hash })
        let directory = try Self.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The engine stored the remote ids art-a and art-b; this listing knows only those.
        let listed = [
            ChannelListingEntry(remoteID: "art-b", version: 1, contentHash: setup.platform.shown.withLock { $0["b"]?.hash }),
            ChannelListingEntry(remoteID: "art-a", version: 1, contentHash: hash),
        ]
        var reconciler = Reconciler(
            store: setup.store,
            channels: [(setup.definitions[0], ScriptedListing(listed, pageSize: 1, spillDirectory: directory))])
        reconciler.spillDirectory = directory
        let report = try await reconciler.run()
        #expect(report.channels.first?.count(.inSync) == 2)
        #expect(report.rows.isEmpty)
    }

    /// A reconcile of ten preloaded items whose listing (pages of 3) is interrupted, spilling into a fresh directory.
    static func interruptedRun(_ interruption: ScriptedListing.Interruption) async throws
        -> (reconciler: Reconciler, adapter: ScriptedListing, directory: URL)
    {
        let store = try await preloadedStore(10)
        let directory = try emptyDirectory()
        let listed = (1...10).map { ChannelListingEntry(remoteID: "cms-\($0)", itemID: preloadedID($0), version: 1) }
        let adapter = ScriptedListing(listed, pageSize: 3, spillDirectory: directory, interruption: interruption)
        var reconciler = Reconciler(store: store, channels: [(definition, adapter)])
        reconciler.spillDirectory = directory
        return (reconciler, adapter, directory)
    }

    @Test func theSpillFileIsRemovedWhenTheListingFails() async throws {
        let (reconciler, adapter, directory) = try await Self.interruptedRun(.failAfterPage(1))
        defer { try? FileManager.default.removeItem(at: directory) }

        let report = try await reconciler.run()

        #expect(report.channels.first?.method == "failed")
        #expect(report.exitStatus == 2)
        #expect(adapter.filesSeen.withLock { $0 } == [1, 1, 1])
        #expect(try Self.files(in: directory).isEmpty)
    }

    @Test func theSpillFileIsRemovedWhenTheRunIsCancelled() async throws {
        let (reconciler, adapter, directory) = try await Self.interruptedRun(.cancelAfterPage(1))
        defer { try? FileManager.default.removeItem(at: directory) }

        let run = Task { try await reconciler.run() }

        await #expect(throws: CancellationError.self) { try await run.value }
        #expect(adapter.filesSeen.withLock { $0.count } == 2)
        #expect(try Self.files(in: directory).isEmpty)
    }

    @Test func anUnwritableSpillDirectoryIsAStoreErrorNamingIt() async throws {
        let store = try await Self.preloadedStore(1)
        var reconciler = Reconciler(
            store: store,
            channels: [(Self.definition, ScriptedListing([], pageSize: 1, spillDirectory: URL(fileURLWithPath: "/")))])
        reconciler.spillDirectory = URL(fileURLWithPath: "/nonexistent-gongkai-\(UUID().uuidString)")
        let reconcile = reconciler
        let error = await #expect(throws: GongkaiError.self) { try await reconcile.run() }
        #expect(error?.code == .store)
        #expect(error?.message.contains("/nonexistent-gongkai-") == true)
    }
}
