import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiStore
import GongkaiSync
import Logging
import Synchronization
import Testing

/// A linked channel (WeChat here) waits for the portal URL; when the portal's
/// delivery dies, the waiting row stays `blocked`. Before this, nothing said so:
/// `status` showed a blocked row with an empty error column and `channels list`
/// nothing at all (both fail on that behaviour).
@Suite("A dead portal delivery is named as the blocker")
struct PortalBlockerTests {
    struct FixedClock: WallClock {
        var millis: Int64
        func now() -> Int64 { millis }
    }

    static let t0: Int64 = 1_780_000_000_000
    static let channels = [
        ChannelDefinition(id: "portal", kind: .portal, endpoint: "http://127.0.0.1:9/", secret: .environment("X")),
        ChannelDefinition(id: "wechat", kind: .wechat, endpoint: "http://127.0.0.1:9/", secret: .environment("X")),
    ]

    static func outcome(_ claimed: ClaimedDelivery, _ result: SendOutcome.Result, at now: Int64) -> SendOutcome {
        SendOutcome(
            deliveryID: claimed.record.id, itemID: claimed.record.itemID, channelID: claimed.record.channelID,
            operation: claimed.operation, version: claimed.version, result: result, httpStatus: 500, startedAt: now,
            durationMillis: 3, trigger: claimed.trigger, schedule: .standard, randomUnit: 0.5, canWithdraw: true,
            setsCanonicalURL: true)
    }

    /// Submits `item`, then the portal's delivery of it fails for good.
    static func submitWithADeadPortal(_ item: DisclosureItem, console: OutboxConsole, store: SQLiteOutboxStore)
        async throws -> [ClaimedDelivery]
    {
        _ = try await console.submit([item])
        let portal = try await store.claim(
            channelID: "portal", audience: .public, owner: "w", limit: 1, leaseMillis: 1000, now: t0 + 1)
        try #require(portal.count == 1)
        try await store.complete(
            [outcome(portal[0], .failed(SendFailure(permanent: true, message: "HTTP 500: 栏目不存在")), at: t0 + 2)],
            owner: "w", now: t0 + 3)
        return portal
    }

    @Test func statusAndChannelsListNameTheDeadPortalDeliveryAndAResendFreesTheWaitingOne() async throws {
        let store = try SQLiteOutboxStore.inMemory()
        let console = OutboxConsole(store: store, channels: Self.channels, clock: FixedClock(millis: Self.t0), actor: "ops")
        let item = SampleDisclosures.policy
        let portal = try await Self.submitWithADeadPortal(item, console: console, store: store)

        let (_, deliveries) = try await console.itemStatus(item.id)
        let wechat = try #require(deliveries.first { $0.channelID == "wechat" })
        #expect(wechat.state == .blocked)
        let blockers = console.portalBlockers(of: deliveries)
        let blocker = try #require(blockers[wechat.id])
        #expect(blocker.deliveryID == portal[0].record.id && blocker.channelID == "portal" && blocker.state == .dead)
        #expect(blocker.lastError == "HTTP 500: 栏目不存在")
        #expect(blockers[portal[0].record.id] == nil, "the portal's own row is not blocked by itself")
        #expect(blocker.text.contains("portal delivery \(portal[0].record.id)") && blocker.text.contains("resend or recover"))

        let views = try await console.channelViews()
        #expect(views.first { $0.id == "wechat" }?.waitingForDeadPortal == DeadPortalWait(count: 1, itemIDs: [item.id]))
        #expect(views.first { $0.id == "portal" }?.waitingForDeadPortal == nil)

        // The portal resent and published: the linked row is free, and nothing names a blocker.
        _ = try await console.resend(itemID: item.id, channelID: "portal", force: false)
        #expect(try await console.deadPortalWaits().isEmpty)
        let again = try await store.claim(
            channelID: "portal", audience: .public, owner: "w", limit: 1, leaseMillis: 1000, now: Self.t0 + 10)
        try #require(again.count == 1)
        try await store.complete(
            [Self.outcome(again[0], .delivered(remoteID: "a-1", remoteURL: "https://www.example.gov.cn/a-1.html"), at: Self.t0 + 11)],
            owner: "w", now: Self.t0 + 12)
        let (_, after) = try await console.itemStatus(item.id)
        #expect(after.first { $0.channelID == "wechat" }?.state == .pending)
        #expect(console.portalBlockers(of: after).isEmpty)
    }

    @Test func aPortalStillRetryingIsNoBlocker() async throws {
        let store = try SQLiteOutboxStore.inMemory()
        let console = OutboxConsole(store: store, channels: Self.channels, clock: FixedClock(millis: Self.t0), actor: "ops")
        _ = try await console.submit([SampleDisclosures.policy])
        let (_, deliveries) = try await console.itemStatus(SampleDisclosures.policy.id)
        #expect(deliveries.contains { $0.state == .blocked })
        #expect(console.portalBlockers(of: deliveries).isEmpty)
        #expect(try await console.deadPortalWaits().isEmpty)
    }

    /// Before, reconcile counted the held WeChat row as in sync ("not shown, as
    /// expected") and `--repair` had nothing to do with it.
    @Test func reconcileListsTheHeldRowAndRepairResendsThePortal() async throws {
        let store = try SQLiteOutboxStore.inMemory()
        let console = OutboxConsole(store: store, channels: Self.channels, clock: FixedClock(millis: Self.t0), actor: "ops")
        let item = SampleDisclosures.policy
        let portal = try await Self.submitWithADeadPortal(item, console: console, store: store)
        let reconciler = Reconciler(
            store: store,
            channels: [
                (Self.channels[0], ReconcileTests.ReceiptOnly(inner: ReconcileTests.ListingPlatform(channelID: "portal"))),
                (Self.channels[1], ReconcileTests.ReceiptOnly(inner: ReconcileTests.ListingPlatform(channelID: "wechat"))),
            ],
            clock: FixedClock(millis: Self.t0 + 5))
        let report = try await reconciler.run(repair: true)
        let held = try #require(report.rows.first { $0.channelID == "wechat" && $0.itemID == item.id })
        #expect(held.status == .missing)
        #expect(held.blockedBy?.deliveryID == portal[0].record.id)
        #expect(held.detail.contains("portal delivery \(portal[0].record.id)") && held.detail.contains("dead"))
        #expect(held.repair?.contains("the portal's resend") == true)
        let after = try await store.deliveries(DeliveryFilter(itemID: item.id, channelID: "portal"))
        #expect(after.first?.state == .pending, "repair resent the portal's delivery")
    }

    /// The latest day from which `due` is `n` working days away.
    static func day(workdays n: Int, before due: CalendarDate, _ calendar: WorkCalendar) throws -> CalendarDate {
        var day = due
        while try calendar.workdays(from: day, to: due) < n { day = day.adding(days: -1) }
        return day
    }

    /// `withoutPortal:` lets a linked channel publish before the deadline rather than
    /// wait for a portal that is down; before, nothing ever released it.
    @Test func aLinkedChannelPublishesWithoutThePortalOnceTheDeadlineIsClose() async throws {
        let store = try SQLiteOutboxStore.inMemory()
        let calendar = try WorkCalendar.standard()
        var wechat = Self.channels[1]
        wechat.withoutPortal = PortalFallback(withinWorkdays: 1, fallbackURL: "https://www.example.gov.cn/zwgk/")
        let channels = [Self.channels[0], wechat]
        let submitted = CalendarDate("2026-11-02")!
        let noon = { (day: CalendarDate) in Int64(day.dayNumber) * 86_400_000 + 4 * 3_600_000 }
        let console = OutboxConsole(
            store: store, channels: channels, clock: FixedClock(millis: noon(submitted)), actor: "ops", calendar: calendar)
        let item = SampleDisclosures.policy
        _ = try await console.submit([item])
        let due = try #require(try await store.item(id: item.id)?.dueOn.flatMap(CalendarDate.init))

        // Two working days before the due day: still waiting.
        let early = OutboxConsole(
            store: store, channels: channels, clock: FixedClock(millis: noon(try Self.day(workdays: 2, before: due, calendar))),
            actor: "daemon", calendar: calendar)
        #expect(try await early.releasePortalWaitsNearDeadline().isEmpty)
        // One working day before: released, audited, and due now.
        let close = OutboxConsole(
            store: store, channels: channels, clock: FixedClock(millis: noon(try Self.day(workdays: 1, before: due, calendar))),
            actor: "daemon", calendar: calendar)
        let released = try await close.releasePortalWaitsNearDeadline()
        #expect(released.map(\.channelID) == ["wechat"])
        let row = try #require(try await store.deliveries(DeliveryFilter(itemID: item.id, channelID: "wechat")).first)
        #expect(row.state == .pending)
        let audit = try await store.auditLog(itemID: item.id, limit: 5)
        let entry = try #require(audit.first { $0.action == "publish-without-portal" })
        #expect(entry.actor == "daemon" && entry.detail?.contains("https://www.example.gov.cn/zwgk/") == true)
        // Through the worker, the released row goes out with the fallback link as its 阅读原文.
        let adapter = EngineAdapterContractTests.ScriptedAdapter(channelID: "wechat", batchSize: 1) { _ in
            .success(DeliveryReceipt(remoteID: "a-1", remoteURL: "https://mp.weixin.qq.com/s/a-1", httpStatus: 200))
        }
        let (recorded, record) = AsyncStream.makeStream(of: Void.self)
        let engine = DeliveryEngine(
            store: store, channels: [ChannelRuntime(definition: wechat, adapter: adapter)],
            configuration: EngineConfiguration(workerID: "w", pollInterval: 20),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onRecorded: { _, _ in record.yield() })
        let run = Task { try await engine.run() }
        var results = recorded.makeAsyncIterator()
        _ = await results.next()
        engine.stop()
        try await run.value
        let sent = try #require(adapter.requests.withLock { $0 }.first)
        #expect(sent.itemID == item.id && sent.canonicalURL == "https://www.example.gov.cn/zwgk/")
        #expect(try await store.deliveries(DeliveryFilter(itemID: item.id, channelID: "wechat")).first?.state == .delivered)

        // A channel without the setting keeps waiting however late it is.
        #expect(try await OutboxConsole(
            store: store, channels: Self.channels, clock: FixedClock(millis: noon(due.adding(days: 30))), actor: "daemon",
            calendar: calendar
        ).releasePortalWaitsNearDeadline().isEmpty)
    }
}
