public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore

/// The counts the 政府信息公开工作年度报告 needs for one year: items proactively
/// disclosed by kind and category and per channel (consultations 征求意见,
/// their adoption reports 意见采纳情况 and responses 回应关切 among the kinds),
/// withdrawals, penalties and licences shared with the credit feed, late
/// deliveries, and consultations whose adoption report came late.
///
/// An item counts in the year it was first submitted (Beijing time); a
/// withdrawal in the year it was requested. Built by paging through the
/// outbox, so memory stays flat however large the year.
public struct AnnualReport: Sendable, Codable, Equatable {
    public var year: Int
    public var itemsByKind: [String: Int] = [:]
    public var itemsByCategory: [String: Int] = [:]
    /// Items delivered per channel (current version confirmed).
    public var deliveredByChannel: [String: Int] = [:]
    public var withdrawals = 0
    /// Penalties and licences the credit-sharing feed confirmed.
    public var creditFeedPenalties = 0
    public var creditFeedLicences = 0
    /// Deliveries done after their legal deadline, or still open past it.
    public var lateDeliveries = 0
    /// Consultations whose adoption report (feedback) was shown after its due
    /// day, or is still owed past it, on some channel.
    public var lateFeedback = 0
    public var proactiveItems: Int { itemsByKind.values.reduce(0, +) }

    public init(year: Int) { self.year = year }

    /// Counts `year` from the outbox.
    public static func build(
        year: Int, store: any OutboxStore, channels: [ChannelDefinition], calendar: WorkCalendar?,
        policy: DeadlinePolicy, now: Int64, pageSize: Int = 1_000
    ) async throws -> AnnualReport {
        var report = AnnualReport(year: year)
        let creditChannels = Set(channels.filter { $0.kind == .creditFeed }.map(\.id))
        try await store.forEachItem(pageSize: pageSize) { item in
            let submittedInYear = DeliveryDeadline.day(of: item.createdAt).year == year
            let withdrawnInYear = item.withdrawnAt.map { DeliveryDeadline.day(of: $0).year == year } ?? false
            guard item.attribute == DisclosureItem.Attribute.proactive.rawValue, submittedInYear || withdrawnInYear
            else { return }
            if withdrawnInYear { report.withdrawals += 1 }
            guard submittedInYear else { return }
            report.itemsByKind[item.kind, default: 0] += 1
            report.itemsByCategory[item.category, default: 0] += 1
            var feedbackLate = false
            for delivery in try await store.deliveries(DeliveryFilter(itemID: item.id)) {
                if delivery.deliveredVersion != nil || (delivery.state == .withdrawn && delivery.attemptCount > 0) {
                    report.deliveredByChannel[delivery.channelID, default: 0] += 1
                    if creditChannels.contains(delivery.channelID) {
                        if item.kind == DisclosureItem.Kind.penalty.rawValue { report.creditFeedPenalties += 1 }
                        if item.kind == DisclosureItem.Kind.licence.rawValue { report.creditFeedLicences += 1 }
                    }
                }
                let shownOn = try await DeliveryDeadline.relatedShownOn(delivery, item: item, store: store)
                let deadline = DeliveryDeadline.evaluate(
                    delivery, item: item, calendar: calendar, policy: policy, now: now, relatedShownOn: shownOn)
                if case .late = deadline.status { report.lateDeliveries += 1 }
                if deadline.feedback?.state == .late { feedbackLate = true }
            }
            if feedbackLate { report.lateFeedback += 1 }
        }
        return report
    }

    /// Label/value lines in a fixed order, for the table and CSV.
    public func lines(chinese: Bool) -> [(String, String)] {
        var lines: [(String, String)] = [
            (chinese ? "年度" : "year", String(year)),
            (chinese ? "主动公开事项" : "items proactively disclosed", String(proactiveItems)),
        ]
        for kind in DisclosureItem.Kind.allCases {
            lines.append(((chinese ? "按类型：" : "by kind: ") + kind.rawValue, String(itemsByKind[kind.rawValue] ?? 0)))
        }
        for category in DisclosureItem.Category.allCases {
            lines.append(((chinese ? "按五公开：" : "by category: ") + category.rawValue, String(itemsByCategory[category.rawValue] ?? 0)))
        }
        for (channel, count) in deliveredByChannel.sorted(by: { $0.key < $1.key }) {
            lines.append(((chinese ? "按渠道发布：" : "delivered on channel: ") + channel, String(count)))
        }
        lines += [
            (chinese ? "撤回" : "withdrawals", String(withdrawals)),
            (chinese ? "报送信用中国：行政处罚" : "credit feed: penalties", String(creditFeedPenalties)),
            (chinese ? "报送信用中国：行政许可" : "credit feed: licences", String(creditFeedLicences)),
            (chinese ? "逾期投递" : "late deliveries", String(lateDeliveries)),
            (chinese ? "意见采纳情况逾期公布" : "consultations with late feedback", String(lateFeedback)),
        ]
        return lines
    }
}
