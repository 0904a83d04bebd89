import Foundation
public import GongkaiChannels
public import GongkaiCore
import GongkaiSimulators
public import Logging

/// `gongkai simulate`: the platform simulators as standalone servers on
/// 127.0.0.1, with a channel file for each written into a directory, so an
/// operator can run a real gongkai configuration end to end before pointing
/// it at the production platforms.
///
/// The written files reference their secrets the way production files do
/// (`file:` a secrets file beside them, never the value inline). The
/// credentials are the simulators' own, made up at start: they open nothing
/// but these local simulators, which is why the listing shows them.
public final class Staging: Sendable {
    /// One running simulator and the channel file that points at it.
    public struct Simulator: Sendable, Encodable {
        public var kind: ChannelDefinition.Kind
        public var channel: String
        /// The channel's `endpoint`.
        public var url: String
        /// Credential name → the simulator's value (made up at start, valid only here).
        public var credentials: [String: String]
        public var channelFile: String
        /// Credential name → the file the channel file reads it from.
        public var secretFiles: [String: String]
    }

    /// What `gongkai simulate` prints (`--json`: the `SimulateListing` schema of openapi.yaml).
    public struct Listing: Sendable, Encodable {
        public var host: String
        public var channelsDirectory: String
        public var faults: StagingFaults
        public var simulators: [Simulator]
    }

    public let listing: Listing
    private let simulators: [any LocalSimulator]

    private init(listing: Listing, simulators: [any LocalSimulator]) {
        self.listing = listing
        self.simulators = simulators
    }

    /// Every kind, in the order they are started and listed.
    public static let allKinds: [ChannelDefinition.Kind] = [
        .portal, .platform, .wechat, .weibo, .creditFeed, .wecomRobot, .dingtalkRobot, .feishuRobot, .webhook,
    ]

    /// Reads `--kinds`: comma-separated kind names, each once.
    ///
    /// - Throws: ``GongkaiError`` (`invalidField`, field `kinds`) naming an unknown kind and the known ones.
    public static func kinds(parsing text: String) throws(GongkaiError) -> [ChannelDefinition.Kind] {
        var kinds: [ChannelDefinition.Kind] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let kind = ChannelDefinition.Kind(rawValue: name) else {
                throw GongkaiError(
                    .invalidField,
                    "unknown kind \"\(name)\"; known: " + allKinds.map(\.rawValue).joined(separator: ", "),
                    field: "kinds")
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    /// Starts a simulator per kind and writes its channel file and secrets into `directory`.
    ///
    /// - Parameter force: overwrite files already there; without it, an existing
    ///   file is a `conflict` and nothing is started or written.
    /// - Throws: ``GongkaiError`` (`conflict` for existing files, `configuration`
    ///   for a directory that cannot be written), or a bind error.
    public static func start(
        kinds: [ChannelDefinition.Kind], faults: StagingFaults, directory: String, force: Bool, logger: Logger
    ) async throws -> Staging {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        let secretsDirectory = root.appendingPathComponent("secrets")
        let plans = kinds.map { Plan.make($0, withPortal: kinds.contains(.portal)) }
        var targets: [URL] = []
        for plan in plans {
            targets.append(root.appendingPathComponent(plan.id + ".yaml"))
            for (name, _) in plan.credentials { targets.append(secretFile(secretsDirectory, plan.id, name)) }
        }
        if !force, let existing = targets.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            throw GongkaiError(
                .conflict, "\(existing.path) already exists; pass --force to overwrite it", field: "channels-dir")
        }
        do {
            try FileManager.default.createDirectory(at: secretsDirectory, withIntermediateDirectories: true)
            // Only the operator reads the secrets, as a production secrets directory would be.
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: secretsDirectory.path)
        } catch {
            throw GongkaiError(.configuration, "cannot create \(secretsDirectory.path): \(error)", field: "channels-dir")
        }

        var started: [any LocalSimulator] = []
        var listed: [Simulator] = []
        do {
            for plan in plans {
                let simulator = plan.makeSimulator(logger)
                try await simulator.start(host: "127.0.0.1", port: 0)
                started.append(simulator)
                plan.setFaults(simulator, faults)
                let endpoint = plan.endpoint(simulator)
                var secretFiles: [String: String] = [:]
                for (name, value) in plan.credentials {
                    let file = secretFile(secretsDirectory, plan.id, name)
                    try writeFile(value + "\n", to: file, permissions: 0o600)
                    secretFiles[name] = file.path
                }
                let file = root.appendingPathComponent(plan.id + ".yaml")
                let text = plan.channelFile(endpoint: endpoint, secretFiles: secretFiles, faults: faults)
                // What is written must load as any channel file does, or the staging run proves nothing.
                _ = try ChannelFileLoader.parse(text, source: file.path)
                try writeFile(text, to: file, permissions: 0o644)
                listed.append(
                    Simulator(
                        kind: plan.kind, channel: plan.id, url: endpoint,
                        credentials: Dictionary(uniqueKeysWithValues: plan.credentials), channelFile: file.path,
                        secretFiles: secretFiles))
            }
        } catch {
            for simulator in started { await simulator.stop() }
            throw error
        }
        let listing = Listing(host: "127.0.0.1", channelsDirectory: root.path, faults: faults, simulators: listed)
        return Staging(listing: listing, simulators: started)
    }

    /// Stops every simulator; the written files stay.
    public func stop() async {
        for simulator in simulators { await simulator.stop() }
    }

    private static func secretFile(_ directory: URL, _ channel: String, _ name: String) -> URL {
        directory.appendingPathComponent("\(channel).\(name)")
    }

    private static func writeFile(_ text: String, to url: URL, permissions: Int) throws {
        do {
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: url.path)
        } catch {
            throw GongkaiError(.configuration, "cannot write \(url.path): \(error)", field: "channels-dir")
        }
    }
}

/// One kind's simulator and channel file, chosen after the demo's (`DemoPlatforms`):
/// what the adapter needs (options, credentials) and what the simulator accepts.
private struct Plan: Sendable {
    var kind: ChannelDefinition.Kind
    var id: String
    var name: String
    var note: String
    /// Credential name → value, in file order; the webhook's single one is the top-level `secret`.
    var credentials: [(String, String)]
    var options: [(String, String)] = []
    var audience = "public"
    var routingKinds: [String]?
    var concurrency = 4
    var timeout = "2s"
    var makeSimulator: @Sendable (Logger) -> any LocalSimulator
    var endpoint: @Sendable (any LocalSimulator) -> String
    var setFaults: @Sendable (any LocalSimulator, StagingFaults) -> Void

    /// The portal's public site: Weibo only takes links on its registered domain.
    static let siteURL = "https://www.lycy.jl.gov.cn"
    static let registeredDomain = "lycy.jl.gov.cn"

    static func secret() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "sim-" + String((0..<24).map { _ in alphabet.randomElement()! })
    }

    static func make(_ kind: ChannelDefinition.Kind, withPortal: Bool) -> Plan {
        switch kind {
        case .portal:
            let token = secret()
            return Plan(
                kind: kind, id: "portal", name: "门户网站（模拟）", note: "the portal CMS simulator (column zcwj)",
                credentials: [("apiToken", token)], options: [("column", "zcwj")],
                routingKinds: nil, makeSimulator: { PortalSimulator(token: token, siteURL: siteURL, logger: $0) },
                endpoint: { ($0 as! PortalSimulator).endpoint },
                setFaults: { ($0 as! PortalSimulator).setFaults($1.publishing) })
        case .platform:
            let appSecret = secret()
            return Plan(
                kind: kind, id: "platform", name: "政府信息公开平台（模拟）",
                note: "the disclosure platform simulator (HMAC-signed, site jl-lcj)",
                credentials: [("appSecret", appSecret)], options: [("appKey", "staging-app"), ("siteCode", "jl-lcj")],
                makeSimulator: { PlatformSimulator(appKey: "staging-app", appSecret: appSecret, logger: $0) },
                endpoint: { ($0 as! PlatformSimulator).endpoint },
                setFaults: { ($0 as! PlatformSimulator).setFaults($1.publishing) })
        case .wechat:
            let appSecret = secret()
            let appID = "wxstaging0000001"
            return Plan(
                kind: kind, id: "wechat", name: "微信公众号（模拟）", note: "the WeChat official-account simulator",
                credentials: [("appSecret", appSecret)],
                options: [
                    ("appID", appID), ("thumbMediaID", "simThumbMedia"), ("author", "市林业局"),
                    ("publishWait", "200ms"), ("checkAfter", "1s"),
                ],
                routingKinds: RoutingRule.newMediaKindNames, timeout: "3s",
                makeSimulator: { WeChatSimulator(appID: appID, appSecret: appSecret, logger: $0) },
                endpoint: { $0.baseURL },
                setFaults: { ($0 as! WeChatSimulator).setFaults($1.wechat) })
        case .weibo:
            let token = secret()
            var options = [("registeredDomain", registeredDomain), ("rip", "127.0.0.1")]
            // Without a portal no item has a link on the registered domain, and Weibo needs one.
            if !withPortal { options.append(("fallbackURL", siteURL + "/")) }
            return Plan(
                kind: kind, id: "weibo", name: "政务微博（模拟）", note: "the Weibo open API simulator",
                credentials: [("accessToken", token)], options: options, routingKinds: RoutingRule.newMediaKindNames,
                concurrency: 1,
                makeSimulator: { WeiboSimulator(accessToken: token, registeredDomain: registeredDomain, logger: $0) },
                endpoint: { $0.baseURL },
                setFaults: { ($0 as! WeiboSimulator).setFaults($1.weibo) })
        case .creditFeed:
            let token = secret()
            return Plan(
                kind: kind, id: "credit-feed", name: "信用中国 双公示（模拟）", note: "the credit-feed simulator",
                credentials: [("apiToken", token)], options: [("batchSize", "50"), ("batchInterval", "200ms")],
                audience: "government", routingKinds: ["licence", "penalty"], concurrency: 2,
                makeSimulator: { CreditFeedSimulator(apiToken: token, logger: $0) },
                endpoint: { $0.baseURL },
                setFaults: { ($0 as! CreditFeedSimulator).setFaults($1.creditFeed) })
        case .wecomRobot:
            let key = secret()
            return robot(
                kind, id: "wecom-robot", name: "企业微信群机器人（模拟）", dialect: .wecom, credentials: [("key", key)],
                token: key, signSecret: nil)
        case .dingtalkRobot:
            let token = secret()
            let sign = "SEC" + secret()
            return robot(
                kind, id: "dingtalk-robot", name: "钉钉群机器人（模拟）", dialect: .dingtalk,
                credentials: [("accessToken", token), ("signSecret", sign)], token: token, signSecret: sign)
        case .feishuRobot:
            let token = secret()
            let sign = secret()
            return robot(
                kind, id: "feishu-robot", name: "飞书群机器人（模拟）", dialect: .feishu,
                credentials: [("hookToken", token), ("signSecret", sign)], token: token, signSecret: sign)
        case .webhook:
            let webhookSecret = StandardWebhookSecret.generate()
            return Plan(
                kind: kind, id: "open-data-webhook", name: "Standard Webhooks 订阅方（模拟）",
                note: "the Standard Webhooks receiver simulator", credentials: [("secret", webhookSecret.text)],
                makeSimulator: { WebhookSimulator(secret: webhookSecret, logger: $0) },
                endpoint: { ($0 as! WebhookSimulator).url },
                setFaults: { ($0 as! WebhookSimulator).setFaults($1.webhook) })
        }
    }

    private static func robot(
        _ kind: ChannelDefinition.Kind, id: String, name: String, dialect: RobotDialect, credentials: [(String, String)],
        token: String, signSecret: String?
    ) -> Plan {
        Plan(
            kind: kind, id: id, name: name, note: "the \(dialect.rawValue) group-robot simulator",
            credentials: credentials,
            // The shortest back-off the adapters take (the platforms' own are up to 10 minutes).
            options: [("throttleBackoff", "1m")], concurrency: 1,
            makeSimulator: { RobotSimulator(dialect: dialect, token: token, signSecret: signSecret, logger: $0) },
            endpoint: { ($0 as! RobotSimulator).endpoint },
            setFaults: { ($0 as! RobotSimulator).setFaults($1.robot) })
    }

    /// The channel file: production's keys, with short retry delays so faults resolve within a staging run.
    func channelFile(endpoint: String, secretFiles: [String: String], faults: StagingFaults) -> String {
        var lines = [
            "# Written by `gongkai simulate`: points at \(note) on 127.0.0.1,",
            "# injected faults: \(faults.summary). The secrets are read from files beside",
            "# this one, as production channel files read theirs (`file:` or `env:`, never inline);",
            "# they open only the local simulator. Compare with channels/\(id).yaml before going live.",
            "id: \(id)",
            "kind: \(kind.rawValue)",
            "name: \(Self.quoted(name))",
            "endpoint: \(Self.quoted(endpoint))",
        ]
        if kind == .webhook, let path = secretFiles["secret"] {
            lines += ["secret:", "  file: \(Self.quoted(path))"]
        } else {
            lines.append("credentials:")
            for (name, _) in credentials {
                lines += ["  \(name):", "    file: \(Self.quoted(secretFiles[name] ?? ""))"]
            }
        }
        if !options.isEmpty {
            lines.append("options:")
            for (name, value) in options { lines.append("  \(name): \(Self.quoted(value))") }
        }
        lines.append("audience: \(audience)")
        if let routingKinds {
            lines += ["routing:", "  kinds: [\(routingKinds.joined(separator: ", "))]"]
        }
        lines += [
            "retry:",
            "  delays: [200ms, 500ms, 1s, 2s, 4s]",
            "  jitter: 0.2",
            "  minimumThrottleDelay: 300ms",
            "  maximumRetryAfter: 5s",
            "concurrency: \(concurrency)",
            "timeout: \(timeout)",
            "circuitBreaker:",
            "  failureThreshold: 5",
            "  openDuration: 1s",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar (JSON's escapes are YAML's).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
