public import GongkaiCore
public import NIOCore

/// A WeCom group robot (企业微信群机器人): `POST <endpoint>?key=KEY` with
/// `{"msgtype":"markdown","markdown":{"content":…}}`, answered
/// `{"errcode":0,"errmsg":"ok"}`.
///
/// Limits: markdown content ≤ 4096 UTF-8 bytes per message, 20 messages a
/// minute per robot (45009 when exceeded). A robot can neither edit, recall
/// nor list its messages: publish only, receipts are the record.
public struct WeComRobotAdapter: ChannelAdapter {
    public let channelID: String
    public var capabilities: ChannelCapabilities { [.publish] }
    /// The platform's markdown limit, in UTF-8 bytes.
    public static let maxContentBytes = 4096
    public static let messagesPerMinute = 20
    private let sender: RobotSender

    /// Options: `maxPartBytes` (256…4096), `messagesPerWindow` (1…20),
    /// `rateWindow` (default 1m), `throttleBackoff` (default 60s).
    /// Credentials: `key` (the `key=` of the robot's webhook URL).
    public static func make(_ definition: ChannelDefinition, environment: [String: String], clock: any WallClock)
        throws(GongkaiError) -> Self
    {
        try definition.rejectUnknownOptions(allowed: [
            "maxPartBytes", "messagesPerWindow", "rateWindow", "throttleBackoff",
        ])
        try definition.rejectUnknownCredentials(allowed: ["key"])
        let endpoint = try RobotSender.validatedEndpoint(definition)
        let key = try definition.credential("key", environment: environment)
        let maxPartBytes = try definition.intOption(
            "maxPartBytes", default: maxContentBytes, range: 256...maxContentBytes)
        let window = try RobotSender.window(definition, perMinute: messagesPerMinute)
        let backoff = try RobotSender.throttleBackoff(definition, default: 60_000)
        let reply = RobotReply(
            platform: "WeCom", codeKey: "errcode", messageKey: "errmsg", throttleCodes: [45009],
            configurationCodes: [
                93000:
                    "the robot key is wrong or the robot was removed from the group; an operator must fix credentials.key"
            ],
            throttleBackoff: backoff, secrets: [key])
        let url = endpoint + "?key=" + RobotSender.queryValue(key)
        let sender = RobotSender(
            platform: "WeCom", channelID: definition.id, endpoint: endpoint, style: .markdown,
            maxPartBytes: maxPartBytes,
            maxBodyBytes: nil, window: window, reply: reply,
            http: PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id),
            clock: clock, credentialNames: ["credentials.key"],
            render: { part, _, _, _, _ in
                RobotSender.Post(
                    url: url, body: PlatformHTTP.jsonBody(["msgtype": "markdown", "markdown": ["content": part]]))
            })
        return Self(channelID: definition.id, sender: sender)
    }

    private init(channelID: String, sender: RobotSender) {
        self.channelID = channelID
        self.sender = sender
    }

    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError)
        -> DeliveryReceipt
    {
        try await sender.deliver(request, deadline: deadline)
    }

    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        await sender.check(deadline: deadline)
    }

    public func shutdown() async {
        await sender.http.shutdown()
    }
}
