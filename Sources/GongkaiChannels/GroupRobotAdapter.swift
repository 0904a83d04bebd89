import Crypto
import Foundation
public import GongkaiCore
public import NIOCore
import NIOHTTP1

/// The group-robot adapter (WeCom, DingTalk, Feishu: each a dialect, ``WeComRobot``,
/// ``DingTalkRobot``, ``FeishuRobot``, that builds it): render the
/// notice, split it into parts that fit the platform, pace them through the
/// robot's send window and post them one by one.
///
/// A split notice is several posts and the chat keeps each one. When part k
/// fails after earlier parts were posted, the failure carries that progress
/// (``PartProgress``), the delivery keeps it, and the retry posts only parts
/// k and later, provided the notice still splits into the same parts. A part
/// whose answer was lost may be posted twice; one that was answered never is.
public struct GroupRobotAdapter: ChannelAdapter {
    /// One part, ready to post: the URL carries the secrets and is never logged.
    struct Post: Sendable {
        var url: String
        var body: [UInt8]
    }

    /// Builds the post for part `index` (1-based) of `count` at `now` (Unix ms).
    typealias Render =
        @Sendable (_ part: String, _ notice: RobotNotice, _ index: Int, _ count: Int, _ now: Int64) -> Post

    let kind: ChannelDefinition.Kind
    let platform: String
    public let channelID: String
    public var capabilities: ChannelCapabilities { kind.capabilities }
    /// The base URL from the channel file, without any secret.
    let endpoint: String
    let style: RobotNotice.Style
    /// Largest message text per part, in UTF-8 bytes.
    let maxPartBytes: Int
    /// Largest request body, where the platform limits the whole request (Feishu).
    let maxBodyBytes: Int?
    let window: RobotSendWindow
    let reply: RobotReply
    let http: PlatformHTTP
    let clock: any WallClock
    /// `credentials.key` …, for the check's report.
    let credentialNames: [String]
    let render: Render

    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        guard request.operation == .publish else {
            throw DeliveryError(
                SendFailure(
                    permanent: true,
                    message:
                        "a \(platform) group robot cannot recall or edit a message: the withdrawal needs manual action "
                        + "(post a correction in the group by hand)"),
                itemID: request.itemID, channelID: request.channelID)
        }
        let item = try ChannelText.item(from: request)
        let notice = RobotNotice.render(item, canonicalURL: request.canonicalURL, style: style)
        let parts = try fittedParts(notice, request: request)
        let digest = PartProgress.digest(parts)
        let posted = PartProgress(request.remoteID).flatMap {
            $0.version == request.version && $0.count == parts.count && $0.digest == digest ? $0.posted : nil
        } ?? 0
        if let wait = window.reserve(parts: parts.count - posted, now: clock.now()) {
            // Our own pacing, not the platform's refusal: waiting must not spend the retry schedule.
            throw DeliveryError.deferred(
                retryAfter: wait,
                reason: "the \(platform) robot's send window is full (\(parts.count - posted) part(s) waiting); nothing was posted",
                itemID: request.itemID, channelID: request.channelID)
        }
        var status: Int?
        for (offset, part) in parts.enumerated() where offset >= posted {
            let now = clock.now()
            let post = render(part, notice, offset + 1, parts.count, now)
            let progress = PartProgress(version: request.version, posted: offset, count: parts.count, digest: digest)
            let response: PlatformHTTP.Response
            do {
                response = try await http.send(.POST, post.url, body: post.body, deadline: deadline, itemID: request.itemID)
            } catch {
                throw error.carrying(offset > 0 ? progress : nil)
            }
            if let failure = reply.failure(of: response, part: offset + 1, of: parts.count, request: request, now: now)
            {
                throw failure.carrying(offset > 0 ? progress : nil)
            }
            status = response.status
        }
        // Robots issue no message id: the receipt's id is ours, stable per (item, version).
        return DeliveryReceipt(remoteID: request.idempotencyKey, remoteURL: nil, httpStatus: status)
    }

    /// The notice split at line breaks into parts within the text limit and,
    /// where the platform limits the whole request, within that too.
    func fittedParts(_ notice: RobotNotice, request: DeliveryRequest) throws(DeliveryError) -> [String] {
        var budget = maxPartBytes
        while true {
            let parts = ChannelText.split(notice.text, maxUTF8Bytes: budget)
            guard let maxBodyBytes else { return parts }
            let now = clock.now()
            let fits = parts.enumerated().allSatisfy { offset, part in
                render(part, notice, offset + 1, parts.count, now).body.count <= maxBodyBytes
            }
            if fits { return parts }
            guard budget > 256 else {
                throw DeliveryError(
                    SendFailure(
                        permanent: true, message: "the \(platform) request cannot be made to fit \(maxBodyBytes) bytes"),
                    itemID: request.itemID, channelID: request.channelID)
            }
            budget = max(256, budget * 9 / 10)
        }
    }

    /// Configuration and credential presence, then a GET of the base endpoint
    /// without any secret: it proves the platform answers and posts nothing
    /// (these robots have no probe that checks a key without posting).
    public func shutdown() async {
        await http.shutdown()
    }

    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        let limits = window.limits.map { "\($0.count) per \($0.milliseconds / 1000) s" }.joined(separator: " and ")
        var checks = [
            ChannelCheck(
                name: "configuration", passed: true,
                detail: "endpoint \(endpoint); parts of at most \(maxPartBytes) bytes; at most \(limits)"),
            ChannelCheck(
                name: "credentials", passed: true,
                detail: credentialNames.joined(separator: ", ")
                    + " set; \(platform) robots cannot verify them without posting a message, so this check does not"),
        ]
        do {
            let response = try await http.send(.GET, endpoint, deadline: deadline)
            checks.append(
                ChannelCheck(
                    name: "reachability", passed: true,
                    detail: "HTTP \(response.status) from \(endpoint) (a GET without credentials; nothing posted)"))
        } catch {
            checks.append(
                ChannelCheck(name: "reachability", passed: false, detail: "\(endpoint): \(error.failure.message)"))
        }
        return checks
    }

    /// The endpoint from the channel file: https (http only on the loopback,
    /// for simulators), and without a query string: secrets go in `credentials`.
    static func validatedEndpoint(_ definition: ChannelDefinition) throws(GongkaiError) -> String {
        let text = definition.endpoint.hasSuffix("/") ? String(definition.endpoint.dropLast()) : definition.endpoint
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            throw GongkaiError(
                .configuration, "\(definition.source): endpoint is not a URL", channel: definition.id, field: "endpoint"
            )
        }
        guard url.query == nil, url.fragment == nil else {
            throw GongkaiError(
                .configuration,
                "\(definition.source): endpoint must be the base URL without a query; the robot's key or token goes in "
                    + "`credentials` so it is never written down or logged",
                channel: definition.id, field: "endpoint")
        }
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw GongkaiError(
                .configuration, "\(definition.source): endpoint must use https (the URL carries the robot's secret)",
                channel: definition.id, field: "endpoint")
        }
        return text
    }

    /// The local send window from `options.messagesPerWindow` (at most the
    /// platform's count) per `options.rateWindow` (default one minute; a
    /// shorter window is for simulators), and Feishu's per-second cap.
    static func window(
        _ definition: ChannelDefinition, perMinute: Int, perSecond: Int? = nil
    ) throws(GongkaiError) -> RobotSendWindow {
        let count = try definition.intOption("messagesPerWindow", default: perMinute, range: 1...perMinute)
        let span = try definition.durationOption("rateWindow", default: 60_000)
        guard (1_000...3_600_000).contains(span) else {
            throw GongkaiError(
                .configuration, "\(definition.source): options.rateWindow must be from 1s to 1h",
                channel: definition.id,
                field: "options.rateWindow")
        }
        var limits = [RobotSendWindow.Limit(count: count, milliseconds: span)]
        if let perSecond {
            let burst = try definition.intOption("messagesPerSecond", default: perSecond, range: 1...perSecond)
            limits.append(RobotSendWindow.Limit(count: burst, milliseconds: 1_000))
        }
        return RobotSendWindow(limits: limits)
    }

    /// `options.throttleBackoff`: how long to wait after the platform's throttle
    /// code, which says nothing about when the window reopens; at least a minute.
    static func throttleBackoff(_ definition: ChannelDefinition, default fallback: Int64) throws(GongkaiError) -> Int64
    {
        let backoff = try definition.durationOption("throttleBackoff", default: fallback)
        guard (60_000...3_600_000).contains(backoff) else {
            throw GongkaiError(
                .configuration, "\(definition.source): options.throttleBackoff must be from 1m to 1h",
                channel: definition.id,
                field: "options.throttleBackoff")
        }
        return backoff
    }

    /// Percent-encodes a query value (`+`, `/`, `=` included, as DingTalk's `sign` needs).
    static func queryValue(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// How far a split notice got: parts `1…posted` of `count` of `version` are in the
/// group. Kept as the delivery's remote id between attempts (robots issue no
/// message ids, so the field is free until the receipt replaces it); the digest
/// of the parts makes a retry whose notice splits differently start from part 1.
struct PartProgress: Equatable {
    var version: Int
    var posted: Int
    var count: Int
    var digest: String

    init(version: Int, posted: Int, count: Int, digest: String) {
        self.version = version
        self.posted = posted
        self.count = count
        self.digest = digest
    }

    /// Reads `robot-parts:v<version>:<posted>/<count>:<digest>`; nil for anything else.
    init?(_ text: String?) {
        guard let text, text.hasPrefix("robot-parts:v") else { return nil }
        let fields = text.dropFirst("robot-parts:v".count).split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, let version = Int(fields[0]) else { return nil }
        let counts = fields[1].split(separator: "/")
        guard counts.count == 2, let posted = Int(counts[0]), let count = Int(counts[1]), posted >= 0, posted < count
        else { return nil }
        self.init(version: version, posted: posted, count: count, digest: String(fields[2]))
    }

    var text: String { "robot-parts:v\(version):\(posted)/\(count):\(digest)" }

    static func digest(_ parts: [String]) -> String {
        var hash = SHA256()
        for part in parts {
            hash.update(data: Array(part.utf8))
            hash.update(data: [0])
        }
        return hash.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

extension DeliveryError {
    /// This error with the split notice's progress attached (nil: nothing posted yet).
    fileprivate func carrying(_ progress: PartProgress?) -> DeliveryError {
        guard let progress else { return self }
        var error = self
        error.failure.progress = progress.text
        if !error.failure.message.contains("already posted") {
            error.failure.message += " (parts 1–\(progress.posted) already posted; the retry sends the rest)"
        }
        return error
    }
}
