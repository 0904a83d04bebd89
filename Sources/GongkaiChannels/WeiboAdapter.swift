import Foundation
public import GongkaiCore
#if canImport(Glibc)
    import Glibc
#endif
public import NIOCore
import NIOHTTP1

/// A government Weibo account (政务微博), through the open API v2:
///
///     POST <endpoint>/statuses/share.json    access_token=&status=&rip=   (form-encoded)
///     → {"id": ..., "idstr": "...", "user": {"id": ...}}
///     POST <endpoint>/statuses/destroy.json  access_token=&id=
///     GET  <endpoint>/statuses/user_timeline.json?page=&count=   Authorization: OAuth2 <token>
///     GET  <endpoint>/account/get_uid.json                       (check)
///     errors: {"error": "...", "error_code": n, "request": "..."}
///
/// `rip` is the real IP of the operating user, required by statuses/share
/// (open.weibo.com, statuses/share): `options.rip`, the agency's egress IP.
/// Shared text may not hold topic markers (`#话题#`); they are dropped. Errors
/// 20018 包含非法网址 (the link) and 20021 包含非法内容 (the text) are permanent.
///
/// The post is title + （文号） + link to the item's canonical (portal) URL,
/// which must be on `options.registeredDomain` (the app's safe domain); the
/// title is shortened to fit 140, never the link (see ``WeiboStatusText``).
/// Without a canonical URL on the domain the adapter uses
/// `options.fallbackURL` when set, else the delivery is permanent naming
/// `canonicalURL`. A new version is a new post (its text carries the version,
/// so Weibo's duplicate refusal cannot hit it); the earlier post is then
/// deleted, best effort. 20019 (repeat content) on our own unique text means
/// an earlier attempt went through: the post is looked up on the timeline.
/// Tokens go in the form body or the `Authorization` header, never in a URL.
public struct WeiboAdapter: ChannelAdapter {
    public let channelID: String
    public var capabilities: ChannelCapabilities { ChannelDefinition.Kind.weibo.capabilities }
    private let endpoint: String
    private let accessToken: String
    private let registeredDomain: String
    /// The real IP of the operating user, which statuses/share requires (`rip`).
    private let rip: String
    private let fallbackURL: String?
    private let listPageSize: Int
    private let http: PlatformHTTP
    private let clock: any WallClock

    /// Options this kind reads.
    public static let allowedOptions: Set<String> = ["registeredDomain", "rip", "fallbackURL", "listPageSize"]
    /// Credentials this kind reads.
    public static let allowedCredentials: Set<String> = ["accessToken"]

    /// Error codes meaning the token is unusable: the operator must re-authorise the app.
    static let tokenErrors: Set<Int> = [21301, 21314, 21315, 21316, 21317, 21319, 21327, 21332]
    /// Rate-limit codes: back off.
    static let rateLimitErrors: Set<Int> = [10022, 10023, 10024, 20016]
    /// Platform-side failures worth retrying.
    static let platformErrors: Set<Int> = [10001, 10003, 10009, 10010]

    /// - Parameter http: owned from now on; ``shutdown()`` shuts it down.
    public init(
        definition: ChannelDefinition, accessToken: String, registeredDomain: String, rip: String,
        fallbackURL: String? = nil, listPageSize: Int = 50, http: PlatformHTTP, clock: any WallClock = SystemWallClock()
    ) {
        self.rip = rip
        self.channelID = definition.id
        var endpoint = definition.endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.accessToken = accessToken
        self.registeredDomain = registeredDomain.lowercased()
        self.fallbackURL = fallbackURL
        self.listPageSize = listPageSize
        self.http = http
        self.clock = clock
    }

    /// Validates the channel file's options and credentials and builds the adapter.
    public static func make(_ definition: ChannelDefinition, environment: [String: String], clock: any WallClock)
        throws(GongkaiError) -> WeiboAdapter
    {
        try definition.rejectUnknownOptions(allowed: allowedOptions)
        try definition.rejectUnknownCredentials(allowed: allowedCredentials)
        let domain = try definition.option("registeredDomain").lowercased()
        guard domain.contains("."), !domain.contains("/"), !domain.contains(":") else {
            throw GongkaiError(
                .configuration, "\(definition.source): options.registeredDomain must be a host name such as www.example.gov.cn",
                channel: definition.id, field: "options.registeredDomain")
        }
        let fallback = definition.options["fallbackURL"]
        if let fallback, !isOnDomain(fallback, domain: domain) {
            throw GongkaiError(
                .configuration, "\(definition.source): options.fallbackURL must be an http(s) URL on \(domain)",
                channel: definition.id, field: "options.fallbackURL")
        }
        let rip = try definition.option("rip")
        guard isIPAddress(rip) else {
            throw GongkaiError(
                .configuration,
                "\(definition.source): options.rip must be the agency's egress IP address (IPv4 or IPv6), as statuses/share requires",
                channel: definition.id, field: "options.rip")
        }
        let pageSize = try definition.intOption("listPageSize", default: 50, range: 1...100)
        let token = try definition.credential("accessToken", environment: environment)
        return WeiboAdapter(
            definition: definition, accessToken: token, registeredDomain: domain, rip: rip, fallbackURL: fallback,
            listPageSize: pageSize,
            http: PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id),
            clock: clock)
    }

    /// Whether `text` is an IPv4 or IPv6 address literal.
    public static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// Whether `url` is http(s) on `domain` or one of its subdomains.
    static func isOnDomain(_ url: String, domain: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host?.lowercased()
        else { return false }
        return host == domain || host.hasSuffix("." + domain)
    }

    // MARK: Delivery

    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError)
        -> DeliveryReceipt
    {
        switch request.operation {
        case .publish: return try await publish(request, deadline: deadline)
        case .withdraw:
            guard let remoteID = request.remoteID else {
                // Nothing was posted, so nothing shows.
                return DeliveryReceipt()
            }
            try await destroy(remoteID, itemID: request.itemID, deadline: deadline)
            return DeliveryReceipt(remoteID: remoteID, httpStatus: 200)
        }
    }

    private func publish(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        let text = try statusText(for: request)
        let response = try await http.send(
            .POST, endpoint + "/statuses/share.json", headers: Self.formHeaders,
            body: Self.form(WeiboWire.Share(accessToken: accessToken, status: text, rip: rip).form), deadline: deadline,
            itemID: request.itemID)
        let receipt: DeliveryReceipt
        if response.status == 200, let post = response.decoded(WeiboWire.Status.self), let idstr = post.idString {
            receipt = DeliveryReceipt(remoteID: idstr, remoteURL: post.url(idstr: idstr), httpStatus: 200)
        } else {
            let error = failure(response, itemID: request.itemID)
            guard Self.errorCode(response) == 20019 else { throw error }
            // Our texts are unique per version: an identical post is our own earlier attempt.
            guard let existing = try await findPost(text: text, deadline: deadline) else { throw error }
            receipt = DeliveryReceipt(remoteID: existing, httpStatus: 200)
        }
        // A new version replaces the earlier post; if the delete fails, reconciliation sees the extra post.
        if let previous = request.remoteID, previous != receipt.remoteID {
            try? await destroy(previous, itemID: request.itemID, deadline: deadline)
        }
        return receipt
    }

    /// The post text for a publish, or a permanent error naming what is missing.
    func statusText(for request: DeliveryRequest) throws(DeliveryError) -> String {
        let item = try ChannelText.item(from: request)
        let link: String
        if let url = request.canonicalURL, Self.isOnDomain(url, domain: registeredDomain) {
            link = url
        } else if let fallbackURL {
            link = fallbackURL
        } else {
            let problem =
                request.canonicalURL == nil
                ? "canonicalURL is missing (the item has no portal article)"
                : "canonicalURL is not on the registered domain \(registeredDomain)"
            throw DeliveryError(
                SendFailure(permanent: true, message: problem + "; Weibo only takes links on it (set options.fallbackURL to post anyway)"),
                itemID: request.itemID, channelID: channelID)
        }
        guard
            let text = WeiboStatusText.compose(
                title: item.title, documentNumber: item.documentNumber, version: request.version, link: link)
        else {
            throw DeliveryError(
                SendFailure(permanent: true, message: "canonicalURL is too long to fit a 140-character Weibo post"),
                itemID: request.itemID, channelID: channelID)
        }
        return text
    }

    private func destroy(_ id: String, itemID: String, deadline: NIODeadline) async throws(DeliveryError) {
        let response = try await http.send(
            .POST, endpoint + "/statuses/destroy.json", headers: Self.formHeaders,
            body: Self.form(WeiboWire.Destroy(accessToken: accessToken, id: id).form), deadline: deadline, itemID: itemID)
        // 20101: the post is gone already, which is what a delete wants.
        if response.status == 200 || Self.errorCode(response) == 20101 { return }
        throw failure(response, itemID: itemID)
    }

    /// The id of a post on the first timeline pages with exactly `text`.
    private func findPost(text: String, deadline: NIODeadline) async throws(DeliveryError) -> String? {
        let page = try await timeline(page: 1, count: 100, deadline: deadline)
        return page.statuses.first { $0.text == text }?.idString
    }

    // MARK: Listing and checks

    public func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
        let page = cursor.flatMap(Int.init) ?? 1
        let answer = try await timeline(page: page, count: listPageSize, deadline: deadline)
        let entries = answer.statuses.compactMap { status -> ChannelListingEntry? in
            guard let idstr = status.idString else { return nil }
            return ChannelListingEntry(remoteID: idstr, url: status.url(idstr: idstr), title: status.text)
        }
        let more = page * listPageSize < answer.total && !answer.statuses.isEmpty
        return ChannelListingPage(entries: entries, nextCursor: more ? String(page + 1) : nil)
    }

    private func timeline(page: Int, count: Int, deadline: NIODeadline) async throws(DeliveryError)
        -> (statuses: [WeiboWire.Status], total: Int)
    {
        let response = try await http.send(
            .GET, endpoint + "/statuses/user_timeline.json?page=\(page)&count=\(count)",
            headers: [("authorization", "OAuth2 " + accessToken)], deadline: deadline)
        guard response.status == 200, let answer = response.decoded(WeiboWire.Timeline.self), let statuses = answer.statuses
        else {
            throw failure(response, itemID: nil)
        }
        return (statuses, answer.totalNumber ?? statuses.count)
    }

    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        var checks = [
            ChannelCheck(
                name: "configuration", passed: true,
                detail: "registered domain \(registeredDomain)" + (fallbackURL.map { ", fallback link \($0)" } ?? ""))
        ]
        do throws(DeliveryError) {
            let response = try await http.send(
                .GET, endpoint + "/account/get_uid.json", headers: [("authorization", "OAuth2 " + accessToken)],
                deadline: deadline)
            checks.append(ChannelCheck(name: "reachability", passed: true, detail: "Weibo answered HTTP \(response.status)"))
            if response.status == 200, response.decoded(WeiboWire.UID.self)?.uid != nil {
                checks.append(ChannelCheck(name: "credentials", passed: true, detail: "credentials.accessToken is valid"))
            } else {
                checks.append(ChannelCheck(name: "credentials", passed: false, detail: failure(response, itemID: nil).failure.message))
            }
        } catch {
            checks.append(ChannelCheck(name: "reachability", passed: false, detail: error.failure.message))
        }
        return checks
    }

    public func shutdown() async {
        await http.shutdown()
    }

    // MARK: Answers

    /// Weibo's error codes first, HTTP status classes for anything else.
    func failure(_ response: PlatformHTTP.Response, itemID: String?) -> DeliveryError {
        guard let code = Self.errorCode(response) else {
            return PlatformHTTP.classify(
                status: response.status == 200 ? 502 : response.status,
                retryAfter: response.headers.first(name: "retry-after"), detail: redacted(response.excerpt),
                itemID: itemID, channelID: channelID, now: clock.now())
        }
        let text = redacted(response.decoded(WeiboWire.Failure.self)?.error ?? "")
        let said = "Weibo error \(code)" + (text.isEmpty ? "" : " (\(text))")
        let failure: SendFailure
        switch code {
        case _ where Self.tokenErrors.contains(code):
            failure = SendFailure(
                permanent: true, message: said + ": credentials.accessToken is invalid or expired; re-authorise the app")
        case _ where Self.rateLimitErrors.contains(code):
            failure = SendFailure(
                permanent: false, throttled: true,
                retryAfter: RetryAfter.milliseconds(response.headers.first(name: "retry-after"), now: clock.now()),
                message: said + ": rate limit")
        case _ where Self.platformErrors.contains(code):
            failure = SendFailure(permanent: false, message: said)
        case 20012:
            failure = SendFailure(permanent: true, message: said + ": the post is longer than Weibo allows")
        case 20019:
            failure = SendFailure(permanent: true, message: said + ": Weibo refused an identical post")
        case 20018:
            failure = SendFailure(
                permanent: true,
                message: said + ": 包含非法网址, the link is not on the app's registered safe domain (options.registeredDomain)")
        case 20021:
            failure = SendFailure(
                permanent: true, message: said + ": 包含非法内容, Weibo refuses the text itself; an operator must review the item")
        default:
            failure = SendFailure(permanent: response.status < 500, message: said)
        }
        return DeliveryError(failure, httpStatus: response.status, itemID: itemID, channelID: channelID)
    }

    /// The platform's text with our token blanked, should it ever echo it.
    private func redacted(_ text: String) -> String {
        ChannelText.redacting([accessToken], in: text)
    }

    /// The answer's `error_code`, on any HTTP status (Weibo sends some refusals with 200).
    static func errorCode(_ response: PlatformHTTP.Response) -> Int? {
        response.decoded(WeiboWire.Failure.self)?.errorCode
    }

    static let formHeaders = [("content-type", "application/x-www-form-urlencoded; charset=utf-8")]

    /// `application/x-www-form-urlencoded`, every byte but the unreserved ones percent-encoded.
    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        Array(pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&").utf8)
    }

    private static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
