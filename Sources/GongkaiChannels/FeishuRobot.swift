import Crypto
import Foundation
public import GongkaiCore
public import NIOCore

/// A Feishu group robot (飞书自定义机器人) with 签名校验:
/// `POST <endpoint>/<hookToken>` with
/// `{"timestamp":"<s>","sign":"…","msg_type":"text","content":{"text":…}}`,
/// answered `{"code":0,"msg":"success"}`.
///
/// `sign = base64(HmacSHA256(key: timestamp + "\n" + secret, msg: empty))`;
/// a timestamp more than an hour off is refused like a bad signature (19021).
/// 100 messages a minute and 5 a second per robot (11232 when exceeded).
/// Plain text rather than `post`: the client links the bare URL, and a split
/// notice reads the same in every part. Publish only.
///
/// The dialect of the one ``GroupRobotAdapter``: what differs per platform (URL,
/// signature, body, reply codes, limits); the delivery loop is shared.
public enum FeishuRobot {
    /// Request body limit. Feishu's documented figure for custom robots is
    /// 20 KB; the strict reading takes 20000 bytes for the whole JSON body.
    public static let maxBodyBytes = 20_000
    /// Text per part before the body check trims further.
    public static let maxContentBytes = 19_000
    public static let messagesPerMinute = 100
    public static let messagesPerSecond = 5
    /// Options: `maxPartBytes` (2048…19000: an item's notice, under 8 KB, then
    /// never needs more parts than the 5 a second Feishu takes), `messagesPerWindow` (1…100),
    /// `rateWindow` (default 1m), `messagesPerSecond` (1…5), `throttleBackoff`
    /// (default 60s). Credentials: `hookToken` (the last path segment of the
    /// hook URL) and `signSecret`.
    public static func make(_ definition: ChannelDefinition, environment: [String: String], clock: any WallClock)
        throws(GongkaiError) -> GroupRobotAdapter
    {
        try definition.rejectUnknownOptions(
            allowed: ["maxPartBytes", "messagesPerWindow", "rateWindow", "messagesPerSecond", "throttleBackoff"])
        try definition.rejectUnknownCredentials(allowed: ["hookToken", "signSecret"])
        let endpoint = try GroupRobotAdapter.validatedEndpoint(definition)
        let token = try definition.credential("hookToken", environment: environment)
        let secret = try definition.credential("signSecret", environment: environment)
        let maxPartBytes = try definition.intOption(
            "maxPartBytes", default: maxContentBytes, range: 2048...maxContentBytes)
        let window = try GroupRobotAdapter.window(definition, perMinute: messagesPerMinute, perSecond: messagesPerSecond)
        let backoff = try GroupRobotAdapter.throttleBackoff(definition, default: 60_000)
        let reply = RobotReply(
            platform: "Feishu", codeKey: "code", messageKey: "msg", throttleCodes: [11232],
            configurationCodes: [
                19001: "the hook token is wrong or the robot was removed; an operator must fix credentials.hookToken",
                19021:
                    "the signature or timestamp was refused; an operator must fix credentials.signSecret or this server's clock",
                19022:
                    "this server's IP is not on the robot's allow-list; an operator must fix the robot's security settings",
                19024: "the message lacks the robot's keyword; an operator must fix the robot's security settings",
            ],
            throttleBackoff: backoff, secrets: [token, secret])
        let url = endpoint + "/" + GroupRobotAdapter.queryValue(token)
        return GroupRobotAdapter(
            kind: .feishuRobot, platform: "Feishu", channelID: definition.id, endpoint: endpoint, style: .plain, maxPartBytes: maxPartBytes,
            maxBodyBytes: maxBodyBytes, window: window, reply: reply,
            http: PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id),
            clock: clock, credentialNames: ["credentials.hookToken", "credentials.signSecret"],
            render: { part, _, _, _, now in
                let seconds = now / 1000
                return GroupRobotAdapter.Post(
                    url: url,
                    body: PlatformHTTP.jsonBody(
                        RobotWire.FeishuText(
                            timestamp: String(seconds), sign: sign(timestamp: seconds, secret: secret), text: part)))
            })
    }

    /// `base64(HmacSHA256(key: timestamp + "\n" + secret, msg: empty))`.
    public static func sign(timestamp: Int64, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data(), using: SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8)))
        return Data(mac).base64EncodedString()
    }
}
