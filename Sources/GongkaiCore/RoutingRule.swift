/// Which items a channel receives. A value read from the channel file.
///
/// The disclosure attribute and privacy rules are applied here too, so that
/// no configuration can send a 不予公开 item, or a minor's record to the public.
public struct RoutingRule: Sendable, Equatable, Codable {
    /// Kinds this channel takes; `nil` means every kind.
    public var kinds: Set<DisclosureItem.Kind>?
    /// 五公开 categories this channel takes; `nil` means every category.
    public var categories: Set<DisclosureItem.Category>?
    /// Whether a government-audience channel also takes 依申请公开 items.
    public var includeOnRequest: Bool

    public init(
        kinds: Set<DisclosureItem.Kind>? = nil, categories: Set<DisclosureItem.Category>? = nil,
        includeOnRequest: Bool = false
    ) {
        self.kinds = kinds
        self.categories = categories
        self.includeOnRequest = includeOnRequest
    }

    /// Routes everything a channel of its audience may lawfully carry.
    public static let everything = RoutingRule()

    /// What the new-media accounts (WeChat, Weibo) take by default: policies
    /// with their interpretations, consultations (征求意见, to reach the people
    /// asked), and responses to public concerns (回应关切), which belong where
    /// the concern was raised. Adoption reports stay on the portal and platform.
    public static let newMediaKinds: Set<DisclosureItem.Kind> = [.policy, .interpretation, .consultation, .response]

    /// ``newMediaKinds`` in declaration order, as a channel file lists them.
    public static var newMediaKindNames: [String] {
        DisclosureItem.Kind.allCases.filter(newMediaKinds.contains).map(\.rawValue)
    }

    /// The decision for one item on a channel with the given audience.
    public func decide(_ item: DisclosureItem, audience: ChannelAudience) -> RoutingDecision {
        switch item.attribute {
        case .withheld:
            return .skip("不予公开 (withheld): never leaves the outbox")
        case .onRequest where audience == .public || !includeOnRequest:
            return .skip("依申请公开 (on request): not pushed to this channel")
        case .onRequest, .proactive:
            break
        }
        if audience == .public, item.subject?.minor == true {
            return .skip("record about a minor: never published on a public channel")
        }
        if let kinds, !kinds.contains(item.kind) {
            return .skip("routing: kind \(item.kind.rawValue) is not routed to this channel")
        }
        if let categories, !categories.contains(item.category) {
            return .skip("routing: category \(item.category.rawValue) is not routed to this channel")
        }
        if item.review == .pending {
            return .hold("先审后发: review pending")
        }
        return .deliver
    }
}

/// What routing says about one item on one channel.
public enum RoutingDecision: Sendable, Equatable {
    case deliver
    /// Route it, but hold it `blocked` until the reason is cleared.
    case hold(String)
    /// Never send it to this channel.
    case skip(String)
}
