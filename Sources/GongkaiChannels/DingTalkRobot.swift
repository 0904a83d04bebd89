import Crypto
import Foundation
public import GongkaiCore
public import NIOCore

/// A DingTalk group robot (钉钉自定义机器人) in 加签 mode:
/// `POST <endpoint>?access_token=T&timestamp=MS&sign=S` with
/// `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`, answered
/// `{"errcode":0,"errmsg":"ok"}`.
///
/// `S = urlencode(base64(HmacSHA256(key: secret, msg: MS + "\n" + secret)))`;
/// the platform refuses a timestamp more than an hour from its clock.
/// 20 messages a minute per robot (130101 when exceeded; the robot is then
/// held back for about ten minutes, hence the default back-off). Publish only.
///
/// The dialect of the one ``GroupRobotAdapter``: what differs per platform (URL,
/// signature, body, reply codes, limits); the delivery loop is shared.
public enum DingTalkRobot {
    /// Markdown text limit: DingTalk documents 20000 bytes for text messages;
    /// the strict reading applies it to the markdown text too.
    public static let maxContentBytes = 20_000
    public static let messagesPerMinute = 20
    /// Options: `maxPartBytes` (256…20000), `messagesPerWindow` (1…20),
    /// `rateWindow` (default 1m), `throttleBackoff` (default 10m).
    /// Credentials: `accessToken` (the `access_token=` of the webhook URL) and
    /// `signSecret` (the robot's 加签 secret, `SEC…`).
    public static func make(_ definition: ChannelDefinition, environment: [String: String], clock: any WallClock)
        throws(GongkaiError) -> GroupRobotAdapter
    {
        try definition.rejectUnknownOptions(allowed: [
            "maxPartBytes", "messagesPerWindow", "rateWindow", "throttleBackoff",
        ])
        try definition.rejectUnknownCredentials(allowed: ["accessToken", "signSecret"])
        let endpoint = try GroupRobotAdapter.validatedEndpoint(definition)
        let token = try definition.credential("accessToken", environment: environment)
        let secret = try definition.credential("signSecret", environment: environment)
        let maxPartBytes = try definition.intOption(
            "maxPartBytes", default: maxContentBytes, range: 256...maxContentBytes)
        let window = try GroupRobotAdapter.window(definition, perMinute: messagesPerMinute)
        let backoff = try GroupRobotAdapter.throttleBackoff(definition, default: 600_000)
        let reply = RobotReply(
            // 130101: this robot over 20 a minute; 410100: the platform throttling (发送速度太快而限流).
            // Both pass: hold and retry later (open.dingtalk.com, custom robot error codes).
            platform: "DingTalk", codeKey: "errcode", messageKey: "errmsg", throttleCodes: [130101, 410100],
            configurationCodes: [
                300001:
                    "the access token is wrong or the robot was removed; an operator must fix credentials.accessToken",
                300005:
                    "the request carried no access token the platform knows (missing, or the robot was deleted); "
                    + "an operator must fix credentials.accessToken",
                310000:
                    "the signature, keyword or IP allow-list check failed; an operator must fix credentials.signSecret, "
                    + "the robot's security settings or this server's clock",
            ],
            throttleBackoff: backoff, secrets: [token, secret])
        let base = endpoint + "?access_token=" + GroupRobotAdapter.queryValue(token)
        return GroupRobotAdapter(
            kind: .dingtalkRobot, platform: "DingTalk", channelID: definition.id, endpoint: endpoint, style: .markdown,
            maxPartBytes: maxPartBytes,
            maxBodyBytes: nil, window: window, reply: reply,
            http: PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id),
            clock: clock, credentialNames: ["credentials.accessToken", "credentials.signSecret"],
            render: { part, notice, index, count, now in
                let title = count > 1 ? "\(notice.title)（\(index)/\(count)）" : notice.title
                let url =
                    base + "&timestamp=\(now)&sign=" + GroupRobotAdapter.queryValue(sign(timestamp: now, secret: secret))
                return GroupRobotAdapter.Post(
                    url: url,
                    body: PlatformHTTP.jsonBody(RobotWire.DingTalkMarkdown(title: title, text: part)))
            })
    }

    /// `base64(HmacSHA256(key: secret, msg: timestamp + "\n" + secret))`, before URL-encoding.
    public static func sign(timestamp: Int64, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64EncodedString()
    }
}
