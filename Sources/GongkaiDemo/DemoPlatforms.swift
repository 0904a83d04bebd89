import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiAudit
import GongkaiSimulators
import Logging

/// Every platform kind gongkai speaks, each as a local simulator with the
/// channel definition that points at it and the secrets it expects — the
/// demo's stand-ins for the real portal, platform, WeChat, Weibo, robots,
/// credit feed and webhook subscriber. Some fail on purpose.
struct DemoPlatforms {
    var definitions: [ChannelDefinition] = []
    /// Secret values by environment variable, handed to the adapter factory only.
    var environment: [String: String] = [:]
    /// Channel id → a description of the simulator's address and faults.
    var notes: [(String, String)] = []
    /// Everything each public platform holds or received, as text, for the privacy check.
    var publicTexts: [String: @Sendable () -> [String]] = [:]
    var stops: [@Sendable () async -> Void] = []
    /// The sites whose public pages the demo inspects, and where to reach the portal's
    /// real-looking address (www.lycy.jl.gov.cn) locally.
    var portal: PortalSimulator?
    var platform: PlatformSimulator?
    var siteOverrides: [String: String] = [:]

    static let retry = try! RetrySchedule(
        delays: [200, 500, 1_000, 2_000, 4_000], jitter: 0.2, minimumThrottleDelay: 300, maximumRetryAfter: 5_000)

    static func start(logger: Logger) async throws -> DemoPlatforms {
        var platforms = DemoPlatforms()
        func secret(_ name: String) -> String {
            let value = "demo-" + name.lowercased() + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            platforms.environment[name] = value
            return value
        }
        func channel(
            _ id: String, _ kind: ChannelDefinition.Kind, endpoint: String, credentials: [String: String],
            options: [String: String] = [:], audience: ChannelAudience = .public, routing: RoutingRule = .everything,
            concurrency: Int = 4, timeout: Int64 = 1_500
        ) -> ChannelDefinition {
            ChannelDefinition(
                id: id, kind: kind, endpoint: endpoint,
                credentials: credentials.mapValues { SecretReference.environment($0) }, options: options,
                audience: audience, routing: routing, retry: retry, concurrency: concurrency, timeout: timeout,
                breakerFailureThreshold: 5, breakerOpenDuration: 1_000)
        }

        // 门户网站: the canonical URL every other channel links to. First answer 500, then a lost answer.
        let portalToken = secret("GONGKAI_DEMO_PORTAL_TOKEN")
        let portal = PortalSimulator(token: portalToken, siteURL: "https://www.lycy.jl.gov.cn", logger: logger)
        try await portal.start()
        portal.setFaults(PublishingFaults(script: [.serverError(status: 500), .dropAfterApplying]))
        platforms.portal = portal
        platforms.siteOverrides["www.lycy.jl.gov.cn"] = portal.baseURL
        platforms.add(
            channel("portal", .portal, endpoint: portal.endpoint, credentials: ["apiToken": "GONGKAI_DEMO_PORTAL_TOKEN"],
                options: ["column": "zcwj"]),
            note: "\(portal.endpoint) — 500, then a lost answer (applied, connection dropped)",
            texts: { portal.articles().map { "\($0)" } }, stop: { await portal.stop() })

        // 政府信息公开平台: HMAC-signed; one 429 with Retry-After.
        let platformSecret = secret("GONGKAI_DEMO_PLATFORM_SECRET")
        let platform = PlatformSimulator(appKey: "demo-app", appSecret: platformSecret, logger: logger)
        try await platform.start()
        platform.setFaults(PublishingFaults(script: [.throttle(retryAfterSeconds: 1)]))
        platforms.platform = platform
        platforms.add(
            channel("platform", .platform, endpoint: platform.endpoint, credentials: ["appSecret": "GONGKAI_DEMO_PLATFORM_SECRET"],
                options: ["appKey": "demo-app", "siteCode": "jl-lcj"]),
            note: "\(platform.endpoint) — 42901 throttled once (Retry-After 1 s)",
            texts: { platform.documents().map { "\($0)" } }, stop: { await platform.stop() })

        // 微信公众号: each publish stays 发布中 for two polls, so it is checked again later.
        let wechatSecret = secret("GONGKAI_DEMO_WECHAT_SECRET")
        let wechat = WeChatSimulator(appID: "wxdemo0000000001", appSecret: wechatSecret, logger: logger)
        try await wechat.start()
        platforms.siteOverrides["mp.weixin.qq.com"] = wechat.baseURL
        wechat.setPublishPlan(WeChatPublishPlan(pollsInProgress: 2, finalStatus: 0))
        platforms.add(
            channel("wechat", .wechat, endpoint: wechat.baseURL, credentials: ["appSecret": "GONGKAI_DEMO_WECHAT_SECRET"],
                options: [
                    "appID": "wxdemo0000000001", "thumbMediaID": "simThumbMedia", "author": "市林业局",
                    "publishWait": "200ms", "checkAfter": "1s",
                ],
                routing: RoutingRule(kinds: RoutingRule.newMediaKinds), timeout: 3_000),
            note: "\(wechat.baseURL) — each publish stays 发布中 (publish_status 1) for two polls",
            texts: { wechat.articles().map { "\($0)" } }, stop: { await wechat.stop() })

        // 政务微博: links must be on the registered domain (the portal's).
        let weiboToken = secret("GONGKAI_DEMO_WEIBO_TOKEN")
        let weibo = WeiboSimulator(accessToken: weiboToken, registeredDomain: "lycy.jl.gov.cn", logger: logger)
        try await weibo.start()
        platforms.siteOverrides["weibo.com"] = weibo.baseURL
        platforms.add(
            channel("weibo", .weibo, endpoint: weibo.baseURL, credentials: ["accessToken": "GONGKAI_DEMO_WEIBO_TOKEN"],
                options: ["registeredDomain": "lycy.jl.gov.cn", "rip": "127.0.0.1"],
                routing: RoutingRule(kinds: RoutingRule.newMediaKinds)),
            note: "\(weibo.baseURL) — ≤ 140 characters with the portal link; refuses identical posts",
            texts: { weibo.posts().map { "\($0)" } }, stop: { await weibo.stop() })

        // 信用中国 双公示: government audience, full ID numbers, batches of up to 50 records.
        let creditToken = secret("GONGKAI_DEMO_CREDIT_TOKEN")
        let credit = CreditFeedSimulator(apiToken: creditToken, logger: logger)
        try await credit.start()
        platforms.add(
            channel("credit-feed", .creditFeed, endpoint: credit.baseURL, credentials: ["apiToken": "GONGKAI_DEMO_CREDIT_TOKEN"],
                options: ["batchSize": "50", "batchInterval": "200ms"], audience: .government,
                routing: RoutingRule(kinds: [.penalty, .licence])),
            note: "\(credit.baseURL) — CF_/XK_ records in batches, per-record results",
            texts: { credit.records().map { "\($0)" } }, stop: { await credit.stop() })

        // 群机器人: WeCom answers one 45009, DingTalk and Feishu are healthy.
        let wecomKey = secret("GONGKAI_DEMO_WECOM_KEY")
        let wecom = RobotSimulator(dialect: .wecom, token: wecomKey, logger: logger)
        try await wecom.start()
        wecom.setFaults(RobotFaults(script: [.serverError(status: 502)]))
        platforms.add(
            channel("wecom-robot", .wecomRobot, endpoint: wecom.endpoint, credentials: ["key": "GONGKAI_DEMO_WECOM_KEY"],
                options: ["throttleBackoff": "1m"]),
            note: "\(wecom.endpoint) — 502 once",
            texts: { wecom.messages().map(\.body) }, stop: { await wecom.stop() })
        let dingToken = secret("GONGKAI_DEMO_DINGTALK_TOKEN")
        let dingSecret = secret("GONGKAI_DEMO_DINGTALK_SIGN")
        let dingtalk = RobotSimulator(dialect: .dingtalk, token: dingToken, signSecret: dingSecret, logger: logger)
        try await dingtalk.start()
        platforms.add(
            channel("dingtalk-robot", .dingtalkRobot, endpoint: dingtalk.endpoint,
                credentials: ["accessToken": "GONGKAI_DEMO_DINGTALK_TOKEN", "signSecret": "GONGKAI_DEMO_DINGTALK_SIGN"]),
            note: "\(dingtalk.endpoint) — signed (HmacSHA256 of timestamp + secret)",
            texts: { dingtalk.messages().map(\.body) }, stop: { await dingtalk.stop() })
        let feishuToken = secret("GONGKAI_DEMO_FEISHU_TOKEN")
        let feishuSecret = secret("GONGKAI_DEMO_FEISHU_SIGN")
        let feishu = RobotSimulator(dialect: .feishu, token: feishuToken, signSecret: feishuSecret, logger: logger)
        try await feishu.start()
        platforms.add(
            channel("feishu-robot", .feishuRobot, endpoint: feishu.endpoint,
                credentials: ["hookToken": "GONGKAI_DEMO_FEISHU_TOKEN", "signSecret": "GONGKAI_DEMO_FEISHU_SIGN"]),
            note: "\(feishu.endpoint) — signed body (timestamp + sign)",
            texts: { feishu.messages().map(\.body) }, stop: { await feishu.stop() })

        // Standard Webhooks subscriber: 30 % of requests answered 503.
        let webhookSecret = StandardWebhookSecret.generate()
        platforms.environment["GONGKAI_DEMO_WEBHOOK_SECRET"] = webhookSecret.text
        let webhook = WebhookSimulator(secret: webhookSecret, logger: logger)
        try await webhook.start()
        webhook.setFaults(WebhookFaults(serverErrorRate: 0.3))
        platforms.add(
            channel("open-data-webhook", .webhook, endpoint: webhook.url, credentials: ["secret": "GONGKAI_DEMO_WEBHOOK_SECRET"]),
            note: "\(webhook.url) — 30 % answered 503",
            texts: { webhook.received().compactMap(\.body) }, stop: { await webhook.stop() })
        return platforms
    }

    mutating func add(
        _ definition: ChannelDefinition, note: String, texts: @escaping @Sendable () -> [String],
        stop: @escaping @Sendable () async -> Void
    ) {
        definitions.append(definition)
        notes.append((definition.id, note))
        if definition.audience == .public { publicTexts[definition.id] = texts }
        stops.append(stop)
    }

    /// Public channels on which `idNumber` appears unmasked.
    func leaks(of idNumber: String) -> [String] {
        publicTexts.filter { _, texts in texts().contains { $0.contains(idNumber) } }.map(\.key).sorted()
    }

    func stopAll() async {
        for stop in stops { await stop() }
    }
}
