public import GongkaiCore
public import GongkaiStore

/// Items, routes and outcomes for the store contract. The store does not validate (the console
/// does), so these only need to be well-formed enough to route.
public enum StoreFixtures {
    public static let t0: Int64 = 1_790_000_000_000

    public static func item(
        _ id: String, kind: DisclosureItem.Kind = .notice, title: String = "关于开展森林防火宣传月活动的通知",
        attribute: DisclosureItem.Attribute = .proactive, review: DisclosureItem.Review = .approved,
        idNumber: String? = nil
    ) -> DisclosureItem {
        var item = DisclosureItem(
            id: id, kind: kind, category: .execution, title: title, summary: "摘要",
            body: "<p>正文 \(title)</p>", publisher: .init(name: "某某市林业局", code: "11220000013544381Y"),
            indexNumber: "000014349/2026-00001", topic: "林业", genre: "通知", writtenOn: "2026-03-01",
            publishOn: "2026-03-02", attribute: attribute,
            withheldReason: attribute == .withheld ? "涉及国家秘密" : nil, review: review)
        if let idNumber {
            item.subject = .init(name: "张三", type: .naturalPerson, idNumber: idNumber)
        }
        return item
    }

    public static let publicRoute = ChannelRoute(channelID: "hub", audience: .public, rule: .everything, canWithdraw: true)
    public static let governmentRoute = ChannelRoute(
        channelID: "credit", audience: .government, rule: RoutingRule(kinds: [.penalty, .licence]), canWithdraw: true)
    public static let robotRoute = ChannelRoute(channelID: "robot", audience: .public, rule: .everything, canWithdraw: false)
    public static let routes = [publicRoute, robotRoute]

    public static let fastRetry = try! RetrySchedule(delays: [1_000, 2_000], jitter: 0)

    public static func success(_ claimed: ClaimedDelivery, at now: Int64, canWithdraw: Bool = true) -> SendOutcome {
        SendOutcome(
            deliveryID: claimed.record.id, itemID: claimed.record.itemID,
            channelID: claimed.record.channelID, operation: claimed.operation, version: claimed.version,
            result: .delivered(remoteID: "r-\(claimed.record.itemID)", remoteURL: nil), httpStatus: 200,
            startedAt: now, durationMillis: 3, trigger: claimed.trigger, schedule: fastRetry, randomUnit: 0.5,
            canWithdraw: canWithdraw)
    }

    /// The adapter's own quota had no room: nothing was sent, come back in `wait` ms.
    public static func deferral(_ claimed: ClaimedDelivery, at now: Int64, wait: Int64) -> SendOutcome {
        SendOutcome(
            deliveryID: claimed.record.id, itemID: claimed.record.itemID,
            channelID: claimed.record.channelID, operation: claimed.operation, version: claimed.version,
            result: .deferred(retryAfter: wait, reason: "the robot's send window is full"), httpStatus: nil,
            startedAt: now, durationMillis: 0, trigger: claimed.trigger, schedule: fastRetry, randomUnit: 0.5,
            canWithdraw: true)
    }

    public static func failure(_ claimed: ClaimedDelivery, at now: Int64, permanent: Bool = false, status: Int = 503)
        -> SendOutcome
    {
        SendOutcome(
            deliveryID: claimed.record.id, itemID: claimed.record.itemID,
            channelID: claimed.record.channelID, operation: claimed.operation, version: claimed.version,
            result: .failed(SendFailure(permanent: permanent, message: "HTTP \(status)")), httpStatus: status,
            startedAt: now, durationMillis: 3, trigger: claimed.trigger, schedule: fastRetry, randomUnit: 0.5,
            canWithdraw: true)
    }
}
