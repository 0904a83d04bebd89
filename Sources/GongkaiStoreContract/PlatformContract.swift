import GongkaiCore
import GongkaiStore
import Testing

/// The store's part in the platform channels: the portal's URL as the item's
/// canonical URL, deliveries that wait for it, and asynchronous publishes.
extension OutboxStoreContract {
    enum Platform {
        typealias F = StoreFixtures
        static let t0 = StoreFixtures.t0

        static let portal = ChannelRoute(
            channelID: "portal", audience: .public, rule: .everything, canWithdraw: true, isCanonical: true)
        static let wechat = ChannelRoute(
            channelID: "wechat", audience: .public, rule: RoutingRule(kinds: [.policy, .notice]), canWithdraw: true,
            waitsForCanonical: true)
        static let routes = [portal, wechat]

        private static func portalSuccess(_ claimed: ClaimedDelivery, url: String?, at now: Int64) -> SendOutcome {
            SendOutcome(
                deliveryID: claimed.record.id, itemID: claimed.record.itemID, channelID: claimed.record.channelID,
                operation: claimed.operation, version: claimed.version,
                result: .delivered(remoteID: "article-1", remoteURL: url), httpStatus: 200, startedAt: now,
                durationMillis: 3, trigger: claimed.trigger, schedule: F.fastRetry, randomUnit: 0.5, canWithdraw: true,
                setsCanonicalURL: true)
        }

        static func aReleasedPortalWaitIsDueWithoutAURLAndAudited(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: Self.routes, actor: "t", now: t0)
            let nothing = try await store.releasePortalWait(
                itemID: "a", channelID: "portal", reason: "r", routes: Self.routes, actor: "daemon", now: t0 + 1)
            #expect(nothing.isEmpty, "the portal's own delivery does not wait for itself")
            let released = try await store.releasePortalWait(
                itemID: "a", channelID: "wechat", reason: "due soon", routes: Self.routes, actor: "daemon", now: t0 + 2)
            #expect(released.map(\.channelID) == ["wechat"])
            let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "a", channelID: "wechat")).first)
            #expect(row.state == .pending && row.holdReason == nil)
            let claimed = try await store.claim(channelID: "wechat", audience: .public, owner: "w", limit: 5, leaseMillis: 1000, now: t0 + 3)
            #expect(claimed.count == 1 && claimed.first?.canonicalURL == nil)
            let again = try await store.releasePortalWait(
                itemID: "a", channelID: "wechat", reason: "due soon", routes: Self.routes, actor: "daemon", now: t0 + 4)
            #expect(again.isEmpty)
            let audit = try await store.auditLog(itemID: "a", limit: 10)
            #expect(audit.filter { $0.action == "publish-without-portal" }.map(\.detail) == ["due soon"])
        }

        static func linkingChannelsWaitForThePortalURL(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: Self.routes, actor: "t", now: t0)
            let waiting = try #require(try await store.deliveries(DeliveryFilter(itemID: "a", channelID: "wechat")).first)
            #expect(waiting.state == .blocked)
            #expect(waiting.holdReason == ChannelRoute.canonicalHoldReason)
            #expect(try await store.claim(channelID: "wechat", audience: .public, owner: "w", limit: 5, leaseMillis: 1000, now: t0 + 1).isEmpty)

            let portal = try await store.claim(channelID: "portal", audience: .public, owner: "w", limit: 5, leaseMillis: 1000, now: t0 + 1)
            #expect(portal.count == 1)
            try await store.complete([portalSuccess(portal[0], url: "https://www.example.gov.cn/a.html", at: t0 + 2)], owner: "w", now: t0 + 2)

            let freed = try #require(try await store.deliveries(DeliveryFilter(itemID: "a", channelID: "wechat")).first)
            #expect(freed.state == .pending)
            #expect(freed.holdReason == nil)
            let claimed = try await store.claim(channelID: "wechat", audience: .public, owner: "w", limit: 5, leaseMillis: 1000, now: t0 + 3)
            #expect(claimed.first?.canonicalURL == "https://www.example.gov.cn/a.html")

            // A later version keeps the URL: nothing waits again.
            _ = try await store.submit(
                [PreparedItem(F.item("a", title: "关于开展森林防火宣传月活动的通知（修订）"))], routes: Self.routes, actor: "t", now: t0 + 4)
            let rows = try await store.deliveries(DeliveryFilter(itemID: "a"))
            #expect(!rows.contains { $0.state == .blocked })
        }

        static func nothingWaitsWhenThePortalDoesNotCarryTheItem(_ store: any OutboxStore) async throws {
            let narrowPortal = ChannelRoute(
                channelID: "portal", audience: .public, rule: RoutingRule(kinds: [.penalty]), canWithdraw: true,
                isCanonical: true)
            _ = try await store.submit([PreparedItem(F.item("n"))], routes: [narrowPortal, Self.wechat], actor: "t", now: t0)
            let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "n", channelID: "wechat")).first)
            #expect(row.state == .pending)
            let claimed = try await store.claim(channelID: "wechat", audience: .public, owner: "w", limit: 5, leaseMillis: 1000, now: t0 + 1)
            #expect(claimed.count == 1)
            #expect(claimed.first?.canonicalURL == nil)
        }

        static func approvalOfALinkingChannelStillWaitsForThePortal(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("p", review: .pending))], routes: Self.routes, actor: "t", now: t0)
            let approved = try await store.approve(itemID: "p", routes: Self.routes, actor: "reviewer", now: t0 + 1)
            let byChannel = Dictionary(uniqueKeysWithValues: approved.map { ($0.channelID, $0) })
            #expect(byChannel["portal"]?.state == .pending)
            #expect(byChannel["wechat"]?.state == .blocked)
            #expect(byChannel["wechat"]?.holdReason == ChannelRoute.canonicalHoldReason)
        }

        static func anAsynchronousPublishKeepsItsHandleAndIsCheckedAgain(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: [F.publicRoute], actor: "t", now: t0)
            let first = try await store.claim(channelID: "hub", audience: .public, owner: "w1", limit: 5, leaseMillis: 1000, now: t0 + 1)
            var accepted = F.success(first[0], at: t0 + 2)
            accepted.result = .inProgress(remoteID: "publish:v1:2247", checkAfter: 30_000)
            try await store.complete([accepted], owner: "w1", now: t0 + 2)

            let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "a")).first)
            #expect(row.state == .pending)
            #expect(row.remoteID == "publish:v1:2247")
            #expect(row.nextAttemptAt == t0 + 2 + 30_000)
            #expect(row.mayBeLive)
            #expect(try await store.claim(channelID: "hub", audience: .public, owner: "w2", limit: 5, leaseMillis: 1000, now: t0 + 10).isEmpty)

            // Another worker (a restarted daemon) picks it up with the handle.
            let again = try await store.claim(channelID: "hub", audience: .public, owner: "w2", limit: 5, leaseMillis: 1000, now: t0 + 30_002)
            #expect(again.first?.record.remoteID == "publish:v1:2247")
            try await store.complete([F.success(again[0], at: t0 + 30_003)], owner: "w2", now: t0 + 30_003)
            let attempts = try await store.attempts(itemID: "a", channelID: "hub")
            #expect(attempts.map(\.outcome) == ["in-progress", "ok"])
            let done = try #require(try await store.deliveries(DeliveryFilter(itemID: "a")).first)
            #expect(done.state == .delivered)
        }
    }
}
