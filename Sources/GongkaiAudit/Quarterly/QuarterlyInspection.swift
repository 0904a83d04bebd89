public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore

/// How long a column or account may go without a new publication before an
/// inspection marks it (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号): the
/// home page and news-type columns two weeks, notices and policy documents six
/// months, a new-media account two weeks before the check. In calendar days.
public struct InspectionThresholds: Sendable, Equatable, Codable {
    public var homePageDays = 14
    /// Six months, counted as 183 days so that every half-year is covered.
    public var noticeDays = 183
    public var newMediaDays = 14

    public init() {}

    public static let standard = InspectionThresholds()

    public func days(_ column: InspectionColumn) -> Int {
        switch column {
        case .homePage: return homePageDays
        case .notices: return noticeDays
        case .newMedia: return newMediaDays
        }
    }
}

/// What an inspection looks at on a channel.
///
/// - `home-page`: the portal's home page and news-type columns (首页、动态要闻类栏目),
///   updated by any publication; two weeks without one is a single-item veto.
/// - `notices`: notices and policy documents (通知公告、政策文件类栏目: kinds
///   notice, policy, normative, interpretation) on the portal and the platform;
///   six months without one marks the column as not updated (栏目不更新, a veto
///   once more than five columns are so).
/// - `new-media`: a WeChat or Weibo account (政务新媒体); no update in the two
///   weeks before the check is a single-item veto.
public enum InspectionColumn: String, Sendable, Codable, CaseIterable {
    case homePage = "home-page"
    case notices
    case newMedia = "new-media"

    /// Kinds whose publication updates a notices and policy documents column.
    public static let noticeKinds: Set<String> = [
        DisclosureItem.Kind.notice.rawValue, DisclosureItem.Kind.policy.rawValue,
        DisclosureItem.Kind.normative.rawValue, DisclosureItem.Kind.interpretation.rawValue,
    ]

    /// Whether going stale here is a single-item veto (单项否决) on its own.
    public var isSingleItemVeto: Bool { self != .notices }

    /// The columns an inspection checks on `channel`; none for channels no
    /// citizen browses (robots, webhooks, the credit feed, internal audiences).
    public static func inspected(on channel: ChannelDefinition) -> [InspectionColumn] {
        guard channel.audience == .public else { return [] }
        switch channel.kind {
        case .portal: return [.homePage, .notices]
        case .platform: return [.notices]
        case .wechat, .weibo: return [.newMedia]
        case .webhook, .wecomRobot, .dingtalkRobot, .feishuRobot, .creditFeed: return []
        }
    }

    public func label(chinese: Bool) -> String {
        switch (self, chinese) {
        case (.homePage, true): return "首页及动态要闻类栏目"
        case (.notices, true): return "通知公告、政策文件类栏目"
        case (.newMedia, true): return "政务新媒体账号"
        case (.homePage, false): return "home page and news columns"
        case (.notices, false): return "notices and policy documents"
        case (.newMedia, false): return "new-media account"
        }
    }
}

/// The legal deadline rule a delivery is held to (``DeadlinePolicy``).
public enum DeadlineRule: String, Sendable, Codable, CaseIterable {
    case penaltyAndLicence = "penalty-and-licence"
    case general
    case interpretation
    case response
    case feedback
    case withdrawal

    public func workdays(_ policy: DeadlinePolicy) -> Int {
        switch self {
        case .penaltyAndLicence: return policy.penaltyAndLicenceWorkdays
        case .general: return policy.generalWorkdays
        case .interpretation: return policy.interpretationWorkdays
        case .response: return policy.responseWorkdays
        case .feedback: return policy.feedbackWorkdays
        case .withdrawal: return policy.withdrawalWorkdays
        }
    }

    public func label(chinese: Bool, policy: DeadlinePolicy) -> String {
        let days = workdays(policy)
        switch (self, chinese) {
        case (.penaltyAndLicence, true): return "行政处罚、行政许可（决定后 \(days) 个工作日内）"
        case (.general, true): return "主动公开信息（形成或变更后 \(days) 个工作日内）"
        case (.interpretation, true): return "政策解读（与政策文件同步，至迟 \(days) 个工作日）"
        case (.response, true): return "回应关切（\(days) 个工作日内，紧急的当日）"
        case (.feedback, true): return "意见采纳情况（征求意见截止后 \(days) 个工作日内）"
        case (.withdrawal, true): return "变更或撤销的处罚、许可撤回（\(days) 个工作日内）"
        case (.penaltyAndLicence, false): return "penalties and licences (\(days) workdays from the decision)"
        case (.general, false): return "proactive disclosure (\(days) workdays from formation or change)"
        case (.interpretation, false): return "policy interpretations (with the policy, at most \(days) workdays after)"
        case (.response, false): return "responses to public concerns (\(days) workdays; urgent: same day)"
        case (.feedback, false): return "adoption reports (\(days) workdays after comments close)"
        case (.withdrawal, false): return "withdrawals of changed or annulled penalties and licences (\(days) workdays)"
        }
    }

    /// A word or two for a table cell.
    public func shortLabel(chinese: Bool) -> String {
        switch (self, chinese) {
        case (.penaltyAndLicence, true): return "处罚许可"
        case (.general, true): return "主动公开"
        case (.interpretation, true): return "政策解读"
        case (.response, true): return "回应关切"
        case (.feedback, true): return "意见采纳"
        case (.withdrawal, true): return "撤回"
        case (_, false): return rawValue
        }
    }

    /// The rule of a delivery's own deadline.
    static func of(_ record: DeliveryRecord, item: ItemRecord) -> DeadlineRule {
        if record.operation == .withdraw || item.withdrawnAt != nil { return .withdrawal }
        switch DisclosureItem.Kind(rawValue: item.kind) {
        case .penalty, .licence: return .penaltyAndLicence
        case .interpretation: return .interpretation
        case .response: return .response
        default: return .general
        }
    }
}

/// The quarterly check (季度检查) of the site and the new-media accounts, as an
/// office files it: per channel and column, the days since the last
/// publication against the inspection thresholds, single-item-veto risks
/// first; the last public-page inspection (dead links, attachments that cannot
/// be downloaded, pages showing a stale version); the legal deadlines that fell
/// due in the quarter, met or missed, per rule; and each withdrawal and
/// correction of the quarter with the time it took to reach every channel.
///
/// Built from the outbox (the attempt log is the record of what reached each
/// channel and when), paging through the items so memory stays flat. In JSON
/// plain types: times RFC 3339, days `YYYY-MM-DD`, durations in milliseconds.
public struct QuarterlyInspection: Sendable, Codable, Equatable {
    public var quarter: Quarter
    /// When the report was made.
    public var generatedAt: JSONTime
    /// The instant the channels were judged at: the quarter's last moment, or
    /// the generation time while the quarter is still running.
    public var checkedAt: JSONTime
    public var checkedOn: CalendarDate
    public var complete: Bool
    public var thresholds: InspectionThresholds
    /// Single-item-veto risks first, then other columns past their threshold, then the rest.
    public var channels: [ChannelCheck] = []
    /// The last public-page inspection kept, when there is one.
    public var publicPages: PublicPageSummary?
    public var deadlines: [RuleTally] = []
    /// Missed deadlines, item by item (at most ``listLimit``).
    public var missed: [MissedDeadline] = []
    public var missedNotListed = 0
    public var withdrawals: [Propagation] = []
    public var corrections: [Propagation] = []
    /// Propagations beyond ``listLimit`` in each list, counted but not listed.
    public var propagationsNotListed = 0

    /// Rows a list keeps, so that a quarter with a mass correction stays readable and bounded.
    public static let listLimit = 500

    /// One column (or account) of one channel.
    public struct ChannelCheck: Sendable, Codable, Equatable {
        public var channelID: String
        public var channelName: String
        public var kind: String
        public var column: InspectionColumn
        public var thresholdDays: Int
        public var lastPublishedAt: JSONTime?
        public var lastItemID: String?
        /// Calendar days from the last publication to the check day; nil when nothing was ever published.
        public var daysSince: Int?
        /// Past the threshold, or never updated.
        public var overdue: Bool
        /// Overdue where that alone is a single-item veto (home page, new-media account).
        public var singleItemVeto: Bool
    }

    /// What the last public-page inspection found, summed over channels.
    public struct PublicPageSummary: Sendable, Codable, Equatable {
        public var checkedAt: JSONTime
        /// Whether that inspection ran within the quarter.
        public var withinQuarter: Bool
        public var pages = 0
        /// Pages showing another version or content (`*`).
        public var staleVersions = 0
        /// Pages not found (`+`).
        public var missing = 0
        /// Pages still shown although withdrawn (`-`).
        public var stillShownAfterWithdrawal = 0
        /// Pages that could not be fetched (`!`).
        public var unchecked = 0
        public var pagesWithDeadLinks = 0
        public var deadLinks = 0
        public var brokenAttachments = 0
        public var channels: [PublicPageReport.ChannelSummary] = []
    }

    /// The deadlines of one rule that fell due in the quarter, counted per delivery (item × channel).
    public struct RuleTally: Sendable, Codable, Equatable {
        public var rule: DeadlineRule
        public var workdays: Int
        public var met = 0
        public var missed = 0
        /// Due in the quarter and not yet done, but not yet late (the quarter is still running).
        public var open = 0
    }

    public struct MissedDeadline: Sendable, Codable, Equatable {
        public var rule: DeadlineRule
        public var itemID: String
        public var title: String
        public var channelID: String
        public var dueOn: CalendarDate
        /// The day it was done, when it was (late); nil while still not done.
        public var doneOn: CalendarDate?
        public var lateWorkdays: Int
    }

    /// A withdrawal or a correction (a new version) and how it reached each channel.
    public struct Propagation: Sendable, Codable, Equatable {
        public var itemID: String
        public var title: String
        public var kind: String
        /// The new version; nil for a withdrawal.
        public var version: Int?
        public var requestedAt: JSONTime
        public var reason: String?
        public var channels: [ChannelReach] = []
        /// When the last channel was reached; nil while one is still pending.
        public var completedAt: JSONTime?
        /// From the request to the last channel, in ms; nil while one is still pending.
        public var durationMillis: Int64?
        /// For a withdrawal with a legal deadline: whether it was met.
        public var deadline: DeadlineStatus?
    }

    public struct ChannelReach: Sendable, Codable, Equatable {
        public enum State: String, Sendable, Codable {
            /// The channel confirmed it.
            case done
            /// Not confirmed yet.
            case pending
            /// Nothing to do there: the channel never showed the item (a withdrawal), or it was withdrawn since (a correction).
            case notNeeded = "not-needed"
        }

        public var channelID: String
        public var state: State
        public var reachedAt: JSONTime?
        public var durationMillis: Int64?
    }

    /// Whether any column's staleness is a single-item veto risk.
    public var hasSingleItemVetoRisk: Bool { channels.contains { $0.singleItemVeto } }

    public var missedCount: Int { deadlines.reduce(0) { $0 + $1.missed } }

    /// Builds the report of `quarter` as of `now` (Unix ms).
    ///
    /// - Parameters:
    ///   - publicPages: the last public-page inspection kept (``PublicPageReport``), if any.
    ///   - pageSize: items read per page.
    public static func build(
        quarter: Quarter, store: any OutboxStore, channels: [ChannelDefinition], calendar: WorkCalendar?,
        policy: DeadlinePolicy, thresholds: InspectionThresholds = .standard, publicPages: PublicPageReport? = nil,
        now: Int64, pageSize: Int = 1_000
    ) async throws -> QuarterlyInspection {
        let checkedAt = min(now, quarter.endMillis - 1)
        let checkedOn = DeliveryDeadline.day(of: checkedAt)
        var report = QuarterlyInspection(
            quarter: quarter, generatedAt: JSONTime(now), checkedAt: JSONTime(checkedAt), checkedOn: checkedOn,
            complete: now >= quarter.endMillis, thresholds: thresholds)
        let inspected = Dictionary(channels.map { ($0.id, InspectionColumn.inspected(on: $0)) }, uniquingKeysWith: { first, _ in first })
        var latest: [String: (millis: Int64, itemID: String)] = [:]
        func key(_ channel: String, _ column: InspectionColumn) -> String { channel + "\u{1F}" + column.rawValue }
        var tallies: [DeadlineRule: RuleTally] = [:]
        try await store.forEachItem(pageSize: pageSize) { item in
            let deliveries = try await store.deliveries(DeliveryFilter(itemID: item.id))
            let withdrawnInQuarter = item.withdrawnAt.map { quarter.contains($0) } ?? false
            // A correction is a new version submitted in the quarter; the item's last change says whether to look.
            let mayBeCorrected =
                item.currentVersion > 1 && item.updatedAt >= quarter.startMillis && item.createdAt < quarter.endMillis
            func publishedAt(_ channel: String, _ millis: Int64) {
                guard millis <= checkedAt else { return }
                for column in inspected[channel] ?? [] {
                    if column == .notices && !InspectionColumn.noticeKinds.contains(item.kind) { continue }
                    let slot = key(channel, column)
                    if (latest[slot]?.millis ?? .min) < millis { latest[slot] = (millis, item.id) }
                }
            }
            // A row delivered and untouched since the check was last changed by that publication, so its
            // time is the publication's and the attempt log need not be read: half the reads of a large outbox.
            var needsAttempts = withdrawnInQuarter || mayBeCorrected
            for delivery in deliveries where delivery.attemptCount > 0 && inspected[delivery.channelID]?.isEmpty == false {
                if delivery.state == .delivered && delivery.updatedAt <= checkedAt {
                    publishedAt(delivery.channelID, delivery.updatedAt)
                } else if item.createdAt <= checkedAt {
                    let known = (inspected[delivery.channelID] ?? []).map { latest[key(delivery.channelID, $0)]?.millis ?? .min }.min()
                    if delivery.updatedAt > known ?? .min { needsAttempts = true }
                }
            }
            let attempts = needsAttempts
                ? try await store.attempts(itemID: item.id, channelID: nil).filter { $0.outcome == "ok" } : []
            // The last publication before the check, per inspected column.
            for attempt in attempts where attempt.operation == DeliveryOperation.publish.rawValue {
                publishedAt(attempt.channelID, attempt.startedAt + attempt.durationMillis)
            }
            try await tallyDeadlines(
                item: item, deliveries: deliveries, store: store, calendar: calendar, policy: policy, now: now,
                quarter: quarter, checkedOn: checkedOn, tallies: &tallies, report: &report)
            if withdrawnInQuarter, let requested = item.withdrawnAt {
                var row = propagation(
                    item: item, version: nil, requestedAt: requested, deliveries: deliveries, attempts: attempts, now: now)
                row.reason = item.withdrawnReason
                if let calendar, let kind = DisclosureItem.Kind(rawValue: item.kind),
                    let due = try? policy.withdrawalDue(
                        kind: kind, requestedOn: DeliveryDeadline.day(of: requested), calendar: calendar)
                {
                    row.deadline = DeadlineStatus.of(
                        due: due, doneOn: row.completedAt.map { DeliveryDeadline.day(of: $0.millis) },
                        today: DeliveryDeadline.day(of: now), calendar: calendar)
                }
                report.add(row, to: \.withdrawals)
            }
            if mayBeCorrected {
                for version in 2...item.currentVersion {
                    guard let stored = try await store.itemVersion(itemID: item.id, version: version),
                        quarter.contains(stored.createdAt)
                    else { continue }
                    report.add(
                        propagation(
                            item: item, version: version, requestedAt: stored.createdAt, deliveries: deliveries,
                            attempts: attempts, now: now),
                        to: \.corrections)
                }
            }
        }
        for channel in channels {
            for column in inspected[channel.id] ?? [] {
                let found = latest[key(channel.id, column)]
                let days = found.map { checkedOn.dayNumber - DeliveryDeadline.day(of: $0.millis).dayNumber }
                let overdue = days.map { $0 > thresholds.days(column) } ?? true
                report.channels.append(
                    ChannelCheck(
                        channelID: channel.id, channelName: channel.name, kind: channel.kind.rawValue, column: column,
                        thresholdDays: thresholds.days(column), lastPublishedAt: found.map { JSONTime($0.millis) },
                        lastItemID: found?.itemID, daysSince: days, overdue: overdue,
                        singleItemVeto: overdue && column.isSingleItemVeto))
            }
        }
        report.channels.sort { lhs, rhs in
            func rank(_ check: ChannelCheck) -> Int { check.singleItemVeto ? 0 : check.overdue ? 1 : 2 }
            if rank(lhs) != rank(rhs) { return rank(lhs) < rank(rhs) }
            if lhs.channelID != rhs.channelID { return lhs.channelID < rhs.channelID }
            return InspectionColumn.allCases.firstIndex(of: lhs.column)! < InspectionColumn.allCases.firstIndex(of: rhs.column)!
        }
        report.deadlines = DeadlineRule.allCases.map {
            tallies[$0] ?? RuleTally(rule: $0, workdays: $0.workdays(policy))
        }
        report.missed.sort { ($0.dueOn, $0.itemID, $0.channelID) < ($1.dueOn, $1.itemID, $1.channelID) }
        report.withdrawals.sort { $0.requestedAt.millis < $1.requestedAt.millis }
        report.corrections.sort { $0.requestedAt.millis < $1.requestedAt.millis }
        if let publicPages { report.publicPages = PublicPageSummary(publicPages, quarter: quarter) }
        return report
    }

    private mutating func add(_ row: Propagation, to list: WritableKeyPath<QuarterlyInspection, [Propagation]>) {
        if self[keyPath: list].count < Self.listLimit {
            self[keyPath: list].append(row)
        } else {
            propagationsNotListed += 1
        }
    }

    /// Counts the deliveries of `item` whose deadline (or a consultation's feedback deadline) falls in the quarter.
    private static func tallyDeadlines(
        item: ItemRecord, deliveries: [DeliveryRecord], store: any OutboxStore, calendar: WorkCalendar?,
        policy: DeadlinePolicy, now: Int64, quarter: Quarter, checkedOn: CalendarDate,
        tallies: inout [DeadlineRule: RuleTally], report: inout QuarterlyInspection
    ) async throws {
        guard let calendar else { return }
        // Cheap test first: only items whose due days may fall in the quarter are evaluated.
        let due = [item.dueOn, item.feedbackDueOn].compactMap { $0.flatMap(CalendarDate.init) }
        // A withdrawal's due day can fall a few weeks after its request (holidays), so requests from just before count.
        let withdrawalWindow = (quarter.startMillis - 31 * 86_400_000)..<quarter.endMillis
        guard item.withdrawnAt.map({ withdrawalWindow.contains($0) }) == true || due.contains(where: { quarter.contains($0) })
        else { return }
        func count(_ rule: DeadlineRule, _ status: DeadlineStatus, due: CalendarDate, doneOn: CalendarDate?, channel: String) {
            var tally = tallies[rule] ?? RuleTally(rule: rule, workdays: rule.workdays(policy))
            switch status {
            case .onTime: tally.met += 1
            case .late(let workdays):
                tally.missed += 1
                if report.missed.count < listLimit {
                    report.missed.append(
                        MissedDeadline(
                            rule: rule, itemID: item.id, title: item.title, channelID: channel, dueOn: due, doneOn: doneOn,
                            lateWorkdays: workdays))
                } else {
                    report.missedNotListed += 1
                }
            case .atRisk, .open: tally.open += 1
            case .unknown: return
            }
            tallies[rule] = tally
        }
        for delivery in deliveries where delivery.state != .skipped {
            let shownOn = try await DeliveryDeadline.relatedShownOn(delivery, item: item, store: store)
            let deadline = DeliveryDeadline.evaluate(
                delivery, item: item, calendar: calendar, policy: policy, now: now, relatedShownOn: shownOn)
            if let due = deadline.due, quarter.contains(due) {
                var status = deadline.status
                // Counting up to today can need next year's calendar before its notice is out; a
                // deadline of the quarter not met by its end is missed all the same, by this much at least.
                if case .unknown = status, due < checkedOn {
                    status = DeadlineStatus.of(due: due, doneOn: nil, today: checkedOn, calendar: calendar)
                }
                let done = status == .onTime || delivery.state == .delivered || delivery.state == .withdrawn
                count(
                    DeadlineRule.of(delivery, item: item), status, due: due,
                    doneOn: done ? DeliveryDeadline.day(of: delivery.updatedAt) : nil, channel: delivery.channelID)
            }
            if let feedback = deadline.feedback, quarter.contains(feedback.due) {
                let status: DeadlineStatus =
                    switch feedback.state {
                    case .given: .onTime
                    case .late: .late(workdays: feedback.lateWorkdays ?? 0)
                    case .owed: .open
                    }
                count(.feedback, status, due: feedback.due, doneOn: feedback.givenOn, channel: delivery.channelID)
            }
        }
    }

    /// How a withdrawal (`version` nil) or the new version `version`, requested at
    /// `requestedAt`, reached each channel the item is routed to, from the attempt log.
    static func propagation(
        item: ItemRecord, version: Int?, requestedAt: Int64, deliveries: [DeliveryRecord], attempts: [AttemptRecord],
        now: Int64
    ) -> Propagation {
        var row = Propagation(
            itemID: item.id, title: item.title, kind: item.kind, version: version, requestedAt: JSONTime(requestedAt))
        var pending = false
        var lastReached = requestedAt
        for delivery in deliveries.sorted(by: { $0.channelID < $1.channelID }) where delivery.state != .skipped {
            let operation = version == nil ? DeliveryOperation.withdraw : .publish
            let reached = attempts
                .filter { attempt in
                    attempt.channelID == delivery.channelID && attempt.operation == operation.rawValue
                        && attempt.startedAt >= requestedAt && attempt.version >= (version ?? 0)
                }
                .map { $0.startedAt + $0.durationMillis }.min()
            var reach = ChannelReach(channelID: delivery.channelID, state: .pending)
            if let reached {
                reach.state = .done
                reach.reachedAt = JSONTime(reached)
                reach.durationMillis = reached - requestedAt
                lastReached = max(lastReached, reached)
            } else if version == nil ? delivery.state == .withdrawn : item.withdrawnAt != nil {
                // Withdrawn with nothing sent: the channel never showed it. A correction later withdrawn needs no update.
                reach.state = .notNeeded
            } else {
                reach.durationMillis = now - requestedAt
                pending = true
            }
            row.channels.append(reach)
        }
        if !pending {
            row.completedAt = JSONTime(lastReached)
            row.durationMillis = lastReached - requestedAt
        }
        return row
    }
}

extension QuarterlyInspection.PublicPageSummary {
    /// Sums `report` over its channels.
    public init(_ report: PublicPageReport, quarter: Quarter) {
        checkedAt = JSONTime(report.checkedAt)
        withinQuarter = quarter.contains(report.checkedAt)
        channels = report.channels
        for channel in report.channels {
            pages += channel.pages
            staleVersions += channel.counts[ReconcileClass.differs.name] ?? 0
            missing += channel.counts[ReconcileClass.missing.name] ?? 0
            stillShownAfterWithdrawal += channel.counts[ReconcileClass.extra.name] ?? 0
            unchecked += channel.counts[ReconcileClass.unchecked.name] ?? 0
            pagesWithDeadLinks += channel.pagesWithDeadLinks
            deadLinks += channel.deadLinks
            brokenAttachments += channel.brokenAttachments
        }
    }
}
