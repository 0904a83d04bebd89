public import GongkaiCore
public import GongkaiStore

/// One line of a reconciliation report: an item on a channel, or something a
/// channel shows that the outbox does not know.
public struct ReconcileRow: Sendable, Codable, Equatable {
    public var channelID: String
    /// `nil` for something the channel shows that cannot be tied to an item.
    public var itemID: String?
    public var remoteID: String?
    public var status: ReconcileClass
    /// The version the channel should show (nil: it should show nothing).
    public var expectedVersion: Int?
    /// The version the channel shows, where it says.
    public var shownVersion: Int?
    /// The delivery state in the outbox.
    public var deliveryState: String?
    /// Why the row is classed so, in words an auditor can act on.
    public var detail: String
    /// What `--repair` enqueues (or enqueued), or why it cannot.
    public var repair: String?
    /// The legal deadline (YYYY-MM-DD) and where the row stands against it.
    public var due: String?
    public var deadline: DeadlineStatus?
    /// For a consultation, whether its adoption report is owed, given or late on this channel.
    public var feedback: FeedbackDeadline?
    /// The dead portal delivery this row's delivery waits for; `--repair` resends that one.
    public var blockedBy: PortalBlocker?

    /// `!` only because the channel cannot list, while our receipt says it was
    /// delivered: counted in the summary, not listed row by row.
    public var isRoutineUnverified: Bool {
        status == .unchecked && deliveryState == DeliveryState.delivered.rawValue && expectedVersion != nil
    }

    public init(
        channelID: String, itemID: String?, remoteID: String? = nil, status: ReconcileClass, expectedVersion: Int? = nil,
        shownVersion: Int? = nil, deliveryState: String? = nil, detail: String, repair: String? = nil
    ) {
        self.channelID = channelID
        self.itemID = itemID
        self.remoteID = remoteID
        self.status = status
        self.expectedVersion = expectedVersion
        self.shownVersion = shownVersion
        self.deliveryState = deliveryState
        self.detail = detail
        self.repair = repair
    }

    private enum CodingKeys: String, CodingKey {
        case channelID, itemID, remoteID, status, expectedVersion, shownVersion, deliveryState, detail, repair
        case dueOn, deadline, feedback, blockedBy
        /// What reports kept by earlier versions call ``dueOn``.
        case due
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channelID = try c.decode(String.self, forKey: .channelID)
        itemID = try c.decodeIfPresent(String.self, forKey: .itemID)
        remoteID = try c.decodeIfPresent(String.self, forKey: .remoteID)
        status = try c.decode(ReconcileClass.self, forKey: .status)
        expectedVersion = try c.decodeIfPresent(Int.self, forKey: .expectedVersion)
        shownVersion = try c.decodeIfPresent(Int.self, forKey: .shownVersion)
        deliveryState = try c.decodeIfPresent(String.self, forKey: .deliveryState)
        detail = try c.decode(String.self, forKey: .detail)
        repair = try c.decodeIfPresent(String.self, forKey: .repair)
        due = try c.decodeIfPresent(String.self, forKey: .dueOn) ?? c.decodeIfPresent(String.self, forKey: .due)
        deadline = try c.decodeIfPresent(DeadlineStatus.self, forKey: .deadline)
        feedback = try c.decodeIfPresent(FeedbackDeadline.self, forKey: .feedback)
        blockedBy = try c.decodeIfPresent(PortalBlocker.self, forKey: .blockedBy)
    }

    /// `dueOn` names the due day (a Beijing working day, `YYYY-MM-DD`) as every other shape does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(channelID, forKey: .channelID)
        try c.encodeIfPresent(itemID, forKey: .itemID)
        try c.encodeIfPresent(remoteID, forKey: .remoteID)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(expectedVersion, forKey: .expectedVersion)
        try c.encodeIfPresent(shownVersion, forKey: .shownVersion)
        try c.encodeIfPresent(deliveryState, forKey: .deliveryState)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(repair, forKey: .repair)
        try c.encodeIfPresent(due, forKey: .dueOn)
        try c.encodeIfPresent(deadline, forKey: .deadline)
        try c.encodeIfPresent(feedback, forKey: .feedback)
        try c.encodeIfPresent(blockedBy, forKey: .blockedBy)
    }
}
