public import GongkaiCore
public import NIOCore

/// A WeCom group robot (企业微信群机器人): `POST <endpoint>?key=KEY` with
/// `{"msgtype":"markdown","markdown":{"content":…}}`, answered
/// `{"errcode":0,"errmsg":"ok"}`.
///
/// Limits: markdown content ≤ 4096 UTF-8 bytes per message, 20 messages a
/// minute per robot (45009 when exceeded). A robot can neither edit, recall
/// nor list its messages: publish only, receipts are the record.
///
/// The dialect of the one ``GroupRobotAdapter``: what differs per platform (URL,
/// signature, body, reply codes, limits); the delivery loop is shared.
public enum WeComRobot {
    /// The platform's markdown limit, in UTF-8 bytes.
    public static let maxContentBytes = 4096
    public static let messagesPerMinute = 20
    /// Options: `maxPartBytes` (256…4096), `messagesPerWindow` (1…20),
    /// `rateWindow` (default 1m), `throttleBackoff` (default 60s).
    /// Credentials: `key` (the `key=` of the robot's webhook URL).
    public static func make(_ definition: ChannelDefinition, environment: [String: String], clock: any WallClock)
        throws(GongkaiError) -> GroupRobotAdapter
    {
        try definition.rejectUnknownOptions(allowed: [
            "maxPartBytes", "messagesPerWindow", "rateWindow", "throttleBackoff",
        ])
        try definition.rejectUnknownCredentials(allowed: ["key"])
        let endpoint = try GroupRobotAdapter.validatedEndpoint(definition)
        let key = try definition.credential("key", environment: environment)
        let maxPartBytes = try definition.intOption(
            "maxPartBytes", default: maxContentBytes, range: 256...maxContentBytes)
        let window = try GroupRobotAdapter.window(definition, perMinute: messagesPerMinute)
        let backoff = try GroupRobotAdapter.throttleBackoff(definition, default: 60_000)
        let reply = RobotReply(
            platform: "WeCom", codeKey: "errcode", messageKey: "errmsg", throttleCodes: [45009],
            configurationCodes: [
                93000:
                    "the robot key is wrong or the robot was removed from the group; an operator must fix credentials.key"
            ],
            throttleBackoff: backoff, secrets: [key])
        let url = endpoint + "?key=" + GroupRobotAdapter.queryValue(key)
        return GroupRobotAdapter(
            kind: .wecomRobot, platform: "WeCom", channelID: definition.id, endpoint: endpoint, style: .markdown,
            maxPartBytes: maxPartBytes,
            maxBodyBytes: nil, window: window, reply: reply,
            http: PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id),
            clock: clock, credentialNames: ["credentials.key"],
            render: { part, _, _, _, _ in
                GroupRobotAdapter.Post(
                    url: url, body: PlatformHTTP.jsonBody(RobotWire.WeComMarkdown(content: part)))
            })
    }
}
