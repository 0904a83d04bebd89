import GongkaiAudit
public import GongkaiCore
public import GongkaiStore

/// Items late or at risk by legal deadline rule, folded one unfinished
/// delivery at a time (a pure value: the calendar, policy and time come in).
///
/// An item counts once per rule, at its worst delivery: late on one channel
/// and at risk on another is late. Interpretations are set aside while
/// folding, because their deadline may follow their policy's delivery, which
/// takes a store read (``DeliveryDeadline/relatedShownOn(_:item:store:)``).
public struct DeadlineTally: Sendable {
    /// Which legal deadline a delivery runs against (the `rule` label).
    public enum Rule: String, CaseIterable, Sendable {
        /// Penalties and licences: 7 working days from the decision.
        case penaltyAndLicence = "penalty_licence"
        /// Other items: 20 working days from formation or the change.
        case general
        /// An interpretation: 3 working days after its policy was shown.
        case interpretation
        /// Taking down a changed or annulled penalty or licence: 3 working days.
        case withdrawal
        /// A response to a public concern: 3 working days from `raisedOn`, urgent ones the same day.
        case response

        init(_ delivery: DeliveryRecord, item: ItemRecord) {
            if delivery.operation == .withdraw || item.withdrawnAt != nil {
                self = .withdrawal
                return
            }
            switch DisclosureItem.Kind(rawValue: item.kind) {
            case .penalty, .licence: self = .penaltyAndLicence
            case .interpretation: self = .interpretation
            case .response: self = .response
            default: self = .general
            }
        }
    }

    /// The `status` label.
    public enum Status: String, CaseIterable, Sendable, Comparable {
        case atRisk = "at_risk"
        case late

        public static func < (lhs: Status, rhs: Status) -> Bool { lhs == .atRisk && rhs == .late }
    }

    let calendar: WorkCalendar?
    let policy: DeadlinePolicy
    let now: Int64
    /// Each item's worst status per rule.
    private(set) var worst: [Rule: [String: Status]] = [:]
    /// Interpretation deliveries, evaluated by ``settleInterpretations(store:)``.
    private(set) var interpretations: [(DeliveryRecord, ItemRecord)] = []

    public init(calendar: WorkCalendar?, policy: DeadlinePolicy, now: Int64) {
        self.calendar = calendar
        self.policy = policy
        self.now = now
    }

    /// Counts one unfinished delivery of `item`.
    public mutating func add(_ delivery: DeliveryRecord, item: ItemRecord) {
        let rule = Rule(delivery, item: item)
        if rule == .interpretation {
            interpretations.append((delivery, item))
            return
        }
        add(DeliveryDeadline.evaluate(delivery, item: item, calendar: calendar, policy: policy, now: now), rule, item.id)
    }

    /// Evaluates the interpretations set aside, each against the day its policy was shown on the same channel.
    public mutating func settleInterpretations(store: any OutboxStore) async throws {
        let pending = interpretations
        interpretations = []
        for (delivery, item) in pending {
            let shownOn = try await DeliveryDeadline.relatedShownOn(delivery, item: item, store: store)
            let deadline = DeliveryDeadline.evaluate(
                delivery, item: item, calendar: calendar, policy: policy, now: now, relatedShownOn: shownOn)
            add(deadline, .interpretation, item.id)
        }
    }

    private mutating func add(_ deadline: DeliveryDeadline, _ rule: Rule, _ itemID: String) {
        let status: Status
        switch deadline.status {
        case .late: status = .late
        case .atRisk: status = .atRisk
        case .onTime, .open, .unknown: return
        }
        worst[rule, default: [:]][itemID] = max(status, worst[rule]?[itemID] ?? status)
    }

    /// Items per rule and status; every combination present, zero when none.
    public var counts: [Rule: [Status: Int]] {
        var counts: [Rule: [Status: Int]] = [:]
        for rule in Rule.allCases {
            var row = Dictionary(uniqueKeysWithValues: Status.allCases.map { ($0, 0) })
            for status in (worst[rule] ?? [:]).values { row[status, default: 0] += 1 }
            counts[rule] = row
        }
        return counts
    }
}
