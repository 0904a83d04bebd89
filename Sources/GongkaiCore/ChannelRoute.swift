/// What the store needs to know of a channel to route an item and settle its deliveries.
public struct ChannelRoute: Sendable, Equatable {
    public var channelID: String
    public var audience: ChannelAudience
    public var rule: RoutingRule
    /// Whether the channel can take an item down (adapter capability).
    public var canWithdraw: Bool

    public init(channelID: String, audience: ChannelAudience, rule: RoutingRule, canWithdraw: Bool) {
        self.channelID = channelID
        self.audience = audience
        self.rule = rule
        self.canWithdraw = canWithdraw
    }
}
