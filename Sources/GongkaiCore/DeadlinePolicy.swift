/// The legal deadlines of the disclosure plans, counted in working days (工作日).
///
/// Defaults: penalties and licences within 7 working days of the decision;
/// other proactive items within 20 working days of `formedOn` (or of the
/// change, for a new version); an interpretation within 3 working days of its
/// policy document; the withdrawal of a changed or annulled penalty or
/// licence within 3 working days. Each count is configurable (`deadlines.*`).
///
/// Consultations (征求意见稿) are published under the general rule; the report
/// on the comments adopted (意见采纳情况) is due 20 working days after the
/// comment period closes. The seed plans only say 及时公布意见采纳情况
/// (吉林省林业和草原局 实施方案 一（一）), so the default is ours: the same 20
/// working days the plan gives any information from the day it is formed
/// (一（五）), the period's close being when the adoption result forms.
/// A response to a public concern (回应关切) is due 3 working days after the
/// concern was raised, or the same day when urgent (the same plan, 三（二）:
/// 一般性政务舆情 3日内, 重大突发舆情 当日内). A major administrative decision
/// takes comments for at least 30 days (重大行政决策程序暂行条例 第十四条:
/// 征求意见期限一般不少于30日), counted in calendar days.
public struct DeadlinePolicy: Sendable, Equatable {
    public var penaltyAndLicenceWorkdays = 7
    public var generalWorkdays = 20
    public var interpretationWorkdays = 3
    public var withdrawalWorkdays = 3
    /// Working days from the close of a consultation's comment period to its adoption report.
    public var feedbackWorkdays = 20
    /// Working days from `raisedOn` to a (not urgent) response.
    public var responseWorkdays = 3
    /// Shortest comment period of a major decision's consultation, in calendar days
    /// from `publishOn` to `commentsUntil` (the day of publication not counted, as
    /// 民法典 第二百零一条 counts periods).
    public var majorConsultationDays = 30

    public init() {}

    public static let standard = DeadlinePolicy()

    /// Where the count of a publish deadline starts, and how many working days it runs.
    public struct Basis: Sendable, Equatable {
        public var start: CalendarDate
        public var workdays: Int
        /// Words for operators: `决定日期 + 7 个工作日`.
        public var rule: String
    }

    /// The basis of the publish deadline of `item` at `version`, first submitted
    /// on `submittedOn`. A new version counts from its own submission.
    public func basis(for item: DisclosureItem, version: Int, submittedOn: CalendarDate) -> Basis {
        switch item.kind {
        case .penalty, .licence:
            let decided = (item.penalty?.decidedOn ?? item.licence?.decidedOn).flatMap(CalendarDate.init)
            if version == 1, let decided {
                return Basis(start: decided, workdays: penaltyAndLicenceWorkdays, rule: "decision date + \(penaltyAndLicenceWorkdays) workdays")
            }
            return Basis(start: submittedOn, workdays: penaltyAndLicenceWorkdays, rule: "change + \(penaltyAndLicenceWorkdays) workdays")
        case .response:
            let workdays = item.urgent == true ? 0 : responseWorkdays
            let raised = item.raisedOn.flatMap(CalendarDate.init)
            if version == 1, let raised {
                return Basis(start: raised, workdays: workdays, rule: "raised + \(workdays) workdays")
            }
            return Basis(start: submittedOn, workdays: workdays, rule: "change + \(workdays) workdays")
        default:
            let formed = CalendarDate(item.formedOn ?? item.writtenOn)
            if version == 1, let formed {
                return Basis(start: formed, workdays: generalWorkdays, rule: "formed + \(generalWorkdays) workdays")
            }
            return Basis(start: submittedOn, workdays: generalWorkdays, rule: "change + \(generalWorkdays) workdays")
        }
    }

    /// The day by which `item` at `version` must be shown.
    public func due(for item: DisclosureItem, version: Int, submittedOn: CalendarDate, calendar: WorkCalendar)
        throws(GongkaiError) -> CalendarDate
    {
        let basis = basis(for: item, version: version, submittedOn: submittedOn)
        return try calendar.addWorkdays(basis.workdays, to: basis.start)
    }

    /// The day by which an interpretation must follow its policy document,
    /// shown on the same channel on `policyShownOn`.
    public func interpretationDue(policyShownOn: CalendarDate, calendar: WorkCalendar) throws(GongkaiError) -> CalendarDate {
        try calendar.addWorkdays(interpretationWorkdays, to: policyShownOn)
    }

    /// The day by which a consultation's adoption report (``DisclosureItem/Kind/feedback``)
    /// is due: `feedbackWorkdays` working days after `commentsUntil`, the last day of comments.
    public func feedbackDue(commentsUntil: CalendarDate, calendar: WorkCalendar) throws(GongkaiError) -> CalendarDate {
        try calendar.addWorkdays(feedbackWorkdays, to: commentsUntil)
    }

    /// The feedback due day of `item`, when it is a consultation with a readable `commentsUntil`.
    public func feedbackDue(for item: DisclosureItem, calendar: WorkCalendar) throws(GongkaiError) -> CalendarDate? {
        guard item.kind == .consultation, let until = item.commentsUntil.flatMap(CalendarDate.init) else { return nil }
        return try feedbackDue(commentsUntil: until, calendar: calendar)
    }

    /// The day by which a withdrawal requested on `requestedOn` must be done;
    /// nil for kinds without a withdrawal deadline.
    public func withdrawalDue(kind: DisclosureItem.Kind, requestedOn: CalendarDate, calendar: WorkCalendar)
        throws(GongkaiError) -> CalendarDate?
    {
        guard kind == .penalty || kind == .licence else { return nil }
        return try calendar.addWorkdays(withdrawalWorkdays, to: requestedOn)
    }
}

/// Where a delivery stands against its deadline.
///
/// In JSON an object with a string `state` (`on-time`, `late`, `at-risk`,
/// `open`, `unknown`), plus `lateWorkdays` when late and `reason` when unknown.
public enum DeadlineStatus: Sendable, Equatable, Codable {
    /// Done by the due day.
    case onTime
    /// Done, or still not done, this many working days after the due day.
    case late(workdays: Int)
    /// Not done, and due within one working day.
    case atRisk
    /// Not done, due later.
    case open
    /// No deadline applies, or it could not be computed (the reason).
    case unknown(String)

    /// - Parameters:
    ///   - due: the due day.
    ///   - doneOn: when the channel confirmed it, or nil if it has not.
    ///   - today: the day of the check (Beijing time).
    public static func of(due: CalendarDate, doneOn: CalendarDate?, today: CalendarDate, calendar: WorkCalendar)
        -> DeadlineStatus
    {
        do {
            if let doneOn {
                return doneOn <= due ? .onTime : .late(workdays: try calendar.workdays(from: due, to: doneOn))
            }
            if today > due { return .late(workdays: try calendar.workdays(from: due, to: today)) }
            return try calendar.workdays(from: today, to: due) <= 1 ? .atRisk : .open
        } catch {
            return .unknown(error.message)
        }
    }

    private enum CodingKeys: String, CodingKey { case state, lateWorkdays, reason }

    /// The `state` string of the JSON form.
    public var state: String {
        switch self {
        case .onTime: return "on-time"
        case .late: return "late"
        case .atRisk: return "at-risk"
        case .open: return "open"
        case .unknown: return "unknown"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        if case .late(let workdays) = self { try container.encode(workdays, forKey: .lateWorkdays) }
        if case .unknown(let reason) = self { try container.encode(reason, forKey: .reason) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let state = try container.decode(String.self, forKey: .state)
        switch state {
        case "on-time": self = .onTime
        case "late": self = .late(workdays: try container.decode(Int.self, forKey: .lateWorkdays))
        case "at-risk": self = .atRisk
        case "open": self = .open
        case "unknown": self = .unknown(try container.decodeIfPresent(String.self, forKey: .reason) ?? "")
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container, debugDescription: "unknown deadline state \(state)")
        }
    }

    /// Short words for tables: `on time`, `late 3 wd`, `at risk`, `open`.
    public func label(chinese: Bool) -> String {
        switch self {
        case .onTime: return chinese ? "按时" : "on time"
        case .late(let days): return chinese ? "逾期 \(days) 个工作日" : "late \(days) wd"
        case .atRisk: return chinese ? "即将到期" : "at risk"
        case .open: return chinese ? "未到期" : "open"
        case .unknown: return chinese ? "无期限" : "no deadline"
        }
    }
}
