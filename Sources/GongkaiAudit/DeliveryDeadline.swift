public import GongkaiCore
public import GongkaiStore

/// A delivery's legal deadline and where it stands: the publish deadline of
/// the item's current version, or for a withdrawal of a penalty or licence,
/// the withdrawal deadline counted from the request.
///
/// In JSON one flat object: `dueOn` (the due day, a Beijing working day, when
/// one applies) beside the status's own fields, `{"dueOn": "2026-11-27",
/// "state": "late", "lateWorkdays": 2}` (the API's `Deadline` schema); a
/// consultation's delivery adds `feedback` (``FeedbackDeadline``).
public struct DeliveryDeadline: Sendable, Equatable, Codable {
    public var due: CalendarDate?
    public var status: DeadlineStatus
    /// For a consultation, whether its adoption report is owed, given or late on this channel.
    public var feedback: FeedbackDeadline?

    public init(due: CalendarDate?, status: DeadlineStatus, feedback: FeedbackDeadline? = nil) {
        self.due = due
        self.status = status
        self.feedback = feedback
    }

    private enum CodingKeys: String, CodingKey { case dueOn, feedback }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(due, forKey: .dueOn)
        try container.encodeIfPresent(feedback, forKey: .feedback)
        try status.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        due = try container.decodeIfPresent(CalendarDate.self, forKey: .dueOn)
        feedback = try container.decodeIfPresent(FeedbackDeadline.self, forKey: .feedback)
        status = try DeadlineStatus(from: decoder)
    }

    /// Evaluates `record` of `item` as of `now` (Unix ms; days in Beijing time).
    ///
    /// - Parameter relatedShownOn: the day the related item was shown
    ///   (``relatedShownOn(_:item:store:)``). For an interpretation, its policy
    ///   document on the same channel: it is then due within the interpretation
    ///   count of that day, if that comes before its own deadline. For a
    ///   consultation, its feedback: the day the adoption report was given.
    public static func evaluate(
        _ record: DeliveryRecord, item: ItemRecord, calendar: WorkCalendar?, policy: DeadlinePolicy, now: Int64,
        relatedShownOn: CalendarDate? = nil
    ) -> DeliveryDeadline {
        guard let calendar else { return DeliveryDeadline(due: nil, status: .unknown("no working-day calendar loaded")) }
        let today = day(of: now)
        let done: Bool
        let due: CalendarDate?
        var feedback: FeedbackDeadline?
        if record.operation == .withdraw || item.withdrawnAt != nil {
            guard let requested = item.withdrawnAt, let kind = DisclosureItem.Kind(rawValue: item.kind) else {
                return DeliveryDeadline(due: nil, status: .unknown("no withdrawal deadline"))
            }
            do {
                due = try policy.withdrawalDue(kind: kind, requestedOn: day(of: requested), calendar: calendar)
            } catch {
                return DeliveryDeadline(due: nil, status: .unknown(error.message))
            }
            done = record.state == .withdrawn
        } else {
            switch record.state {
            case .skipped:
                return DeliveryDeadline(due: nil, status: .unknown("not routed here"))
            case .delivered:
                done = true
            case .pending, .sending, .retrying, .dead, .blocked, .withdrawn:
                done = false
            }
            var own = item.dueOn.flatMap(CalendarDate.init)
            if item.kind == DisclosureItem.Kind.interpretation.rawValue, let relatedShownOn,
                let follow = try? policy.interpretationDue(policyShownOn: relatedShownOn, calendar: calendar)
            {
                own = own.map { min($0, follow) } ?? follow
            }
            due = own
            if item.kind == DisclosureItem.Kind.consultation.rawValue, let feedbackDue = item.feedbackDueOn.flatMap(CalendarDate.init) {
                feedback = FeedbackDeadline(
                    due: feedbackDue, givenOn: relatedShownOn,
                    status: DeadlineStatus.of(due: feedbackDue, doneOn: relatedShownOn, today: today, calendar: calendar))
            }
        }
        guard let due else {
            return DeliveryDeadline(due: nil, status: .unknown("no deadline for this item"), feedback: feedback)
        }
        let status = DeadlineStatus.of(
            due: due, doneOn: done ? day(of: record.updatedAt) : nil, today: today, calendar: calendar)
        return DeliveryDeadline(due: due, status: status, feedback: feedback)
    }

    /// The day the item's related item was shown, for the kinds whose deadline
    /// depends on it (nil for other kinds, or while it is not shown):
    /// - an interpretation: its policy document, on `record`'s channel;
    /// - a consultation: its feedback (意见采纳情况), on `record`'s channel, or
    ///   on any channel where the feedback is not routed to that one (an
    ///   adoption report is the portal's, not every new-media account's).
    public static func relatedShownOn(
        _ record: DeliveryRecord, item: ItemRecord, store: any OutboxStore
    ) async throws -> CalendarDate? {
        var earliest: CalendarDate?
        func shown(_ rows: [DeliveryRecord]) {
            for row in rows where row.state == .delivered {
                let day = day(of: row.updatedAt)
                earliest = earliest.map { min($0, day) } ?? day
            }
        }
        switch DisclosureItem.Kind(rawValue: item.kind) {
        case .interpretation:
            for related in item.relatedTo {
                shown(try await store.deliveries(DeliveryFilter(itemID: related, channelID: record.channelID)))
            }
        case .consultation:
            for feedback in try await store.items(relatedTo: item.id, kind: DisclosureItem.Kind.feedback.rawValue) {
                let rows = try await store.deliveries(DeliveryFilter(itemID: feedback.id))
                let here = rows.filter { $0.channelID == record.channelID && $0.state != .skipped }
                shown(here.isEmpty ? rows : here)
            }
        default:
            return nil
        }
        return earliest
    }

    /// The day of a Unix-ms instant in China Standard Time.
    public static func day(of millis: Int64) -> CalendarDate {
        CalendarDate.beijingDay(ofMillis: millis)
    }

    /// `2026-03-12 late 2 wd`, or `-` when no deadline applies; a consultation's
    /// feedback follows, `…; feedback owed by 2026-04-20`.
    public var text: String {
        let own = due.map { "\($0) \(status.label(chinese: false))" } ?? "-"
        guard let feedback else { return own }
        return own + "; " + feedback.label(chinese: false)
    }
}

/// Where a consultation's adoption report (意见采纳情况, a ``DisclosureItem/Kind/feedback``
/// item relating to it) stands on one channel: `owed` until it is shown and
/// while the due day has not passed, `given` when shown by then, `late` after
/// it, whether shown late or still not shown (then `givenOn` is absent).
///
/// In JSON `{"dueOn": "2026-11-03", "state": "owed"}`, with `lateWorkdays`
/// when late and `givenOn` once shown (the API's `FeedbackDeadline`).
public struct FeedbackDeadline: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case owed, given, late
    }

    public var due: CalendarDate
    public var state: State
    public var lateWorkdays: Int?
    public var givenOn: CalendarDate?

    public init(due: CalendarDate, state: State, lateWorkdays: Int? = nil, givenOn: CalendarDate? = nil) {
        self.due = due
        self.state = state
        self.lateWorkdays = lateWorkdays
        self.givenOn = givenOn
    }

    /// From the deadline status of the report against `due`; nil when the
    /// status could not be computed (a year missing from the calendar).
    init?(due: CalendarDate, givenOn: CalendarDate?, status: DeadlineStatus) {
        switch status {
        case .onTime: self.init(due: due, state: .given, givenOn: givenOn)
        case .late(let workdays): self.init(due: due, state: .late, lateWorkdays: workdays, givenOn: givenOn)
        case .atRisk, .open: self.init(due: due, state: .owed)
        case .unknown: return nil
        }
    }

    private enum CodingKeys: String, CodingKey {
        case due = "dueOn"
        case state, lateWorkdays, givenOn
    }

    /// `feedback owed by 2026-11-03`, `feedback given 2026-10-30`, `feedback late 2 wd (due 2026-11-03)`.
    public func label(chinese: Bool) -> String {
        switch (state, chinese) {
        case (.owed, false): return "feedback owed by \(due)"
        case (.given, false): return "feedback given \(givenOn.map { "\($0)" } ?? "")"
        case (.late, false): return "feedback late \(lateWorkdays ?? 0) wd (due \(due))"
        case (.owed, true): return "意见采纳情况待公布（\(due) 前）"
        case (.given, true): return "意见采纳情况已公布（\(givenOn.map { "\($0)" } ?? "")）"
        case (.late, true): return "意见采纳情况逾期 \(lateWorkdays ?? 0) 个工作日（应于 \(due) 前）"
        }
    }
}
