/// Which group-robot platform a ``RobotSimulator`` plays, with that
/// platform's paths, answer shapes, codes and default limits.
public enum RobotDialect: String, Sendable, CaseIterable {
    /// WeCom (企业微信): `POST /cgi-bin/webhook/send?key=`, markdown ≤ 4096 bytes, 20/min.
    case wecom
    /// DingTalk (钉钉): `POST /robot/send?access_token=&timestamp=&sign=`, 20/min.
    case dingtalk
    /// Feishu (飞书): `POST /open-apis/bot/v2/hook/<token>`, signed body, 100/min and 5/s.
    case feishu

    /// The base path to configure as the channel's endpoint (after the simulator's base URL).
    public var basePath: String {
        switch self {
        case .wecom: return "/cgi-bin/webhook/send"
        case .dingtalk: return "/robot/send"
        case .feishu: return "/open-apis/bot/v2/hook"
        }
    }

    /// The platform's own limits, before a test narrows the window.
    public var defaultLimits: RobotLimits {
        switch self {
        case .wecom:
            return RobotLimits(messagesPerWindow: 20, window: .seconds(60), maxContentBytes: 4096)
        case .dingtalk:
            return RobotLimits(messagesPerWindow: 20, window: .seconds(60), maxContentBytes: 20_000)
        case .feishu:
            return RobotLimits(messagesPerWindow: 100, window: .seconds(60), messagesPerSecond: 5, maxBodyBytes: 20_000)
        }
    }

    var codeKey: String { self == .feishu ? "code" : "errcode" }
    var messageKey: String { self == .feishu ? "msg" : "errmsg" }

    /// The platform's answer for an outcome: (code, message, HTTP status).
    func answer(_ outcome: RobotRejection?) -> (code: Int, message: String, status: Int) {
        switch (self, outcome) {
        case (.feishu, nil): return (0, "success", 200)
        case (_, nil): return (0, "ok", 200)
        case (.wecom, .badCredential?), (.wecom, .missingCredential?):
            return (93000, "invalid webhook url, hint: [simulated]", 200)
        case (.wecom, .rateLimited?), (.wecom, .injectedThrottle?), (.wecom, .injectedPlatformThrottle?):
            return (45009, "api freq out of limit", 200)
        case (.wecom, .tooLong?): return (40058, "markdown.content exceed max length 4096", 200)
        case (.wecom, .malformed?): return (40008, "invalid message type", 200)
        // open.dingtalk.com, 自定义机器人 error codes: 300001 a wrong token, 300005 none given
        // (or the robot deleted, so its token is not known),
        // 130101 one robot over 20 a minute, 410100 the platform throttling (发送速度太快而限流).
        case (.dingtalk, .badCredential?): return (300001, "token is not exist", 200)
        case (.dingtalk, .missingCredential?): return (300005, "token is not exist", 200)
        case (.dingtalk, .injectedPlatformThrottle?): return (410100, "send too fast", 200)
        case (.dingtalk, .badSignature?): return (310000, "sign not match", 200)
        case (.dingtalk, .staleTimestamp?): return (310000, "invalid timestamp", 200)
        case (.dingtalk, .rateLimited?), (.dingtalk, .injectedThrottle?):
            return (130101, "send too fast, exceed 20 times per minute", 200)
        case (.dingtalk, .tooLong?): return (460101, "message too long, exceed 20000 bytes", 200)
        case (.dingtalk, .malformed?): return (40035, "缺少参数 json", 200)
        case (.feishu, .badCredential?), (.feishu, .missingCredential?): return (19001, "param invalid: incoming webhook access token invalid", 200)
        case (.feishu, .badSignature?), (.feishu, .staleTimestamp?):
            return (19021, "sign match fail or timestamp is not within one hour from current time", 200)
        case (.feishu, .rateLimited?), (.feishu, .injectedThrottle?), (.feishu, .injectedPlatformThrottle?):
            return (11232, "frequency limited", 200)
        case (.feishu, .tooLong?): return (9499, "Bad Request: request body too large", 400)
        case (.feishu, .malformed?): return (9499, "Bad Request", 400)
        // WeCom has no signature or timestamp; these cannot happen there.
        case (.wecom, .badSignature?), (.wecom, .staleTimestamp?): return (93000, "invalid webhook url", 200)
        case (_, .injectedServerError?), (_, .injectedDrop?): return (-1, "system busy", 503)
        }
    }
}
