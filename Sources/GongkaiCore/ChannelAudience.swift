/// Who reads a channel, which decides what it may receive and how masked.
public enum ChannelAudience: String, Sendable, Codable, CaseIterable {
    /// The public (portal, platform, new media, robots, public webhooks):
    /// personal data masked, minors' records and 依申请公开 items never sent.
    case `public`
    /// A government-to-government exchange (信用中国 双公示): full records.
    case government
}
