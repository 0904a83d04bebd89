public import GongkaiCore
public import GongkaiStore

/// A delivery's legal deadline and where it stands: the publish deadline of
/// the item's current version, or for a withdrawal of a penalty or licence,
/// the withdrawal deadline counted from the request.
///
/// In JSON one flat object: `dueOn` (the due day, a Beijing working day, when
/// one applies) beside the status's own fields, `{"dueOn": "2026-11-27",
/// "state": "late", "lateWorkdays": 2}` (the API's `Deadline` schema).
public struct DeliveryDeadline: Sendable, Equatable, Codable {
    public var due: CalendarDate?
    public var status: DeadlineStatus

    public init(due: CalendarDate?, status: DeadlineStatus) {
        self.due = due
        self.status = status
    }

    private enum CodingKeys: String, CodingKey { case dueOn }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(due, forKey: .dueOn)
        try status.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        due = try container.decodeIfPresent(CalendarDate.self, forKey: .dueOn)
        status = try DeadlineStatus(from: decoder)
    }

    /// Evaluates `record` of `item` as of `now` (Unix ms; days in Beijing time).
    ///
    /// - Parameter policyShownOn: for an interpretation, the day its policy
    ///   document was shown on the same channel: it is then due within the
    ///   interpretation count of that day, if that comes before its own deadline.
    public static func evaluate(
        _ record: DeliveryRecord, item: ItemRecord, calendar: WorkCalendar?, policy: DeadlinePolicy, now: Int64,
        policyShownOn: CalendarDate? = nil
    ) -> DeliveryDeadline {
        guard let calendar else { return DeliveryDeadline(due: nil, status: .unknown("no working-day calendar loaded")) }
        let today = day(of: now)
        let done: Bool
        let due: CalendarDate?
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
            if item.kind == DisclosureItem.Kind.interpretation.rawValue, let policyShownOn,
                let follow = try? policy.interpretationDue(policyShownOn: policyShownOn, calendar: calendar)
            {
                own = own.map { min($0, follow) } ?? follow
            }
            due = own
        }
        guard let due else { return DeliveryDeadline(due: nil, status: .unknown("no deadline for this item")) }
        let status = DeadlineStatus.of(
            due: due, doneOn: done ? day(of: record.updatedAt) : nil, today: today, calendar: calendar)
        return DeliveryDeadline(due: due, status: status)
    }

    /// The day the item's policy document was shown on `record`'s channel, for
    /// an interpretation (nil for other kinds, or while the policy is not shown).
    public static func policyShownOn(
        _ record: DeliveryRecord, item: ItemRecord, store: any OutboxStore
    ) async throws -> CalendarDate? {
        guard item.kind == DisclosureItem.Kind.interpretation.rawValue else { return nil }
        var earliest: CalendarDate?
        for related in item.relatedTo {
            let rows = try await store.deliveries(DeliveryFilter(itemID: related, channelID: record.channelID))
            for row in rows where row.state == .delivered {
                let day = day(of: row.updatedAt)
                earliest = earliest.map { min($0, day) } ?? day
            }
        }
        return earliest
    }

    /// The day of a Unix-ms instant in China Standard Time.
    public static func day(of millis: Int64) -> CalendarDate {
        CalendarDate.beijingDay(ofMillis: millis)
    }

    /// `2026-03-12 late 2 wd`, or `-` when no deadline applies.
    public var text: String {
        guard let due else { return "-" }
        return "\(due) \(status.label(chinese: false))"
    }
}
