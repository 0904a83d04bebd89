/// What the store needs to know of a channel to route an item and settle its deliveries.
public struct ChannelRoute: Sendable, Equatable {
    public var channelID: String
    public var audience: ChannelAudience
    public var rule: RoutingRule
    /// Whether the channel can take an item down (adapter capability).
    public var canWithdraw: Bool
    /// The channel whose published URL is the item's canonical URL (the portal).
    public var isCanonical: Bool
    /// Deliveries here wait (`blocked`) until the canonical channel has published the item.
    public var waitsForCanonical: Bool

    public init(
        channelID: String, audience: ChannelAudience, rule: RoutingRule, canWithdraw: Bool, isCanonical: Bool = false,
        waitsForCanonical: Bool = false
    ) {
        self.channelID = channelID
        self.audience = audience
        self.rule = rule
        self.canWithdraw = canWithdraw
        self.isCanonical = isCanonical
        self.waitsForCanonical = waitsForCanonical
    }

    /// The hold reason of a delivery waiting for the canonical URL; the store
    /// releases exactly the rows with this reason when the portal publishes.
    public static let canonicalHoldReason = "waiting for the portal: this channel links to the item's portal URL"
}
