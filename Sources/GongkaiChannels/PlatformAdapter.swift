public import Foundation
public import GongkaiCore
public import NIOCore
import NIOHTTP1

/// The provincial government information disclosure platform (政府信息公开平台),
/// over the assumed HMAC-signed REST interface documented in `channels/platform.yaml`.
///
/// Every request is signed afresh (``PlatformRequestSigner``: app key,
/// millisecond timestamp, random nonce, HMAC-SHA256 over method, target,
/// timestamp, nonce and body hash), so a retry never replays a nonce.
/// Documents are upserted by the item-level external id `gk-<itemID>`: a new
/// version replaces the document in place and a retried PUT does not
/// duplicate. The catalogue metadata is checked before anything is sent.
/// Answers are an envelope `{code, message, data}`; `code` decides, not the HTTP status.
public struct PlatformAdapter: ChannelAdapter {
    public let channelID: String
    public var capabilities: ChannelCapabilities { ChannelDefinition.Kind.platform.capabilities }
    /// The API base (`…/api/v1`), without a trailing slash.
    public let endpoint: String
    /// 站点编码: the site (agency) the documents belong to.
    public let siteCode: String
    /// Documents per listing page.
    public let pageSize: Int
    /// The URL path of ``endpoint``, which the signature covers.
    private let basePath: String
    private let signer: PlatformRequestSigner
    private let secret: String
    private let secretSource: String
    private let http: PlatformHTTP
    private let clock: any WallClock

    /// Option names a platform channel file may use.
    public static let allowedOptions: Set<String> = ["appKey", "siteCode", "pageSize"]
    /// Credential names a platform channel file may use.
    public static let allowedCredentials: Set<String> = ["appSecret"]

    /// Builds the adapter: `options.appKey` and `options.siteCode` required,
    /// `options.pageSize` 1-100 (default 50), `credentials.appSecret` the signing secret.
    public static func make(
        _ definition: ChannelDefinition, environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: any WallClock = SystemWallClock()
    ) throws(GongkaiError) -> PlatformAdapter {
        try definition.rejectUnknownOptions(allowed: allowedOptions)
        try definition.rejectUnknownCredentials(allowed: allowedCredentials)
        let appKey = try definition.option("appKey")
        let siteCode = try definition.option("siteCode")
        let pageSize = try definition.intOption("pageSize", default: 50, range: 1...100)
        let secret = try definition.credential("appSecret", environment: environment)
        guard appKey.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw GongkaiError(
                .configuration, "\(definition.source): options.appKey must be printable ASCII without spaces",
                channel: definition.id, field: "options.appKey")
        }
        guard let url = URLComponents(string: definition.endpoint), url.query == nil else {
            throw GongkaiError(
                .configuration, "\(definition.source): a platform endpoint must be a URL without a query string",
                channel: definition.id, field: "endpoint")
        }
        return PlatformAdapter(
            definition: definition, appKey: appKey, siteCode: siteCode, pageSize: pageSize, secret: secret,
            basePath: url.percentEncodedPath, clock: clock)
    }

    private init(
        definition: ChannelDefinition, appKey: String, siteCode: String, pageSize: Int, secret: String, basePath: String,
        clock: any WallClock
    ) {
        channelID = definition.id
        endpoint = definition.endpoint.hasSuffix("/") ? String(definition.endpoint.dropLast()) : definition.endpoint
        self.basePath = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
        self.siteCode = siteCode
        self.pageSize = pageSize
        self.secret = secret
        signer = PlatformRequestSigner(appKey: appKey, appSecret: secret)
        secretSource = definition.credentials["appSecret"].map { "\($0)" } ?? "credentials.appSecret"
        http = PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id)
        self.clock = clock
    }

    /// The document's external id for an item: the same for every version.
    public static func externalID(for itemID: String) -> String { "gk-" + itemID }

    // MARK: Delivery

    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        switch request.operation {
        case .publish: return try await upsert(request, deadline: deadline)
        case .withdraw: return try await delete(request, deadline: deadline)
        }
    }

    private func upsert(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        let item = try ChannelText.item(from: request)
        let catalogue: PlatformCatalogue
        switch PlatformCatalogue.make(from: item) {
        case .success(let value): catalogue = value
        case .failure(let missing):
            throw DeliveryError(
                SendFailure(permanent: true, message: missing.message), itemID: request.itemID, channelID: channelID)
        }
        let document = PlatformWire.Document(
            siteCode: siteCode, title: item.title,
            content: PublicPageMarker.marked(
                item.body, itemID: item.id, version: request.version, contentHash: request.contentHash),
            summary: item.summary.flatMap { $0.isEmpty ? nil : $0 }, catalogue: catalogue, sourceURL: request.canonicalURL,
            version: request.version, contentHash: request.contentHash)
        let reply = try await exchange(
            .PUT, documentPath(request.itemID), body: PlatformHTTP.jsonBody(document), deadline: deadline,
            itemID: request.itemID)
        guard reply.code == 0 else { throw failure(reply, itemID: request.itemID) }
        guard let saved = reply.data(PlatformWire.Saved.self), let id = saved.docID, let url = saved.url else {
            throw DeliveryError(
                SendFailure(
                    permanent: true,
                    message: "the platform answered code 0 without data.docId and data.url; "
                        + "its interface does not match channels/platform.yaml"),
                httpStatus: reply.status, itemID: request.itemID, channelID: channelID)
        }
        return DeliveryReceipt(remoteID: id, remoteURL: url, httpStatus: reply.status)
    }

    private func delete(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        let reply = try await exchange(
            .DELETE, documentPath(request.itemID), query: [("siteCode", siteCode)], body: nil, deadline: deadline,
            itemID: request.itemID)
        // 40401: already gone (removed by hand, or our earlier DELETE whose answer was lost).
        guard reply.code == 0 || reply.code == PlatformCode.notFound else { throw failure(reply, itemID: request.itemID) }
        return DeliveryReceipt(remoteID: request.remoteID, httpStatus: reply.status)
    }

    // MARK: Listing

    public func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
        let page = cursor.map { Int($0) ?? 0 } ?? 1
        guard page >= 1 else {
            throw DeliveryError(
                SendFailure(permanent: true, message: "listing cursor must be a page number, got \(cursor ?? "")"),
                channelID: channelID)
        }
        let reply = try await exchange(
            .GET, "/documents",
            query: [("page", String(page)), ("pageSize", String(pageSize)), ("siteCode", siteCode)], body: nil,
            deadline: deadline, itemID: nil)
        let listing = reply.data(PlatformWire.Listing.self)
        guard reply.code == 0, let records = listing?.records else {
            throw failure(reply, itemID: nil)
        }
        let entries = records.compactMap { record -> ChannelListingEntry? in
            guard let id = record.docID else { return nil }
            let itemID = record.externalID.flatMap { $0.hasPrefix("gk-") ? String($0.dropFirst(3)) : nil }
            return ChannelListingEntry(
                remoteID: id, itemID: itemID, version: record.version, contentHash: record.contentHash, url: record.url,
                title: record.title)
        }
        let more: Bool
        if let total = listing?.total {
            more = page * pageSize < total
        } else {
            more = records.count == pageSize
        }
        return ChannelListingPage(entries: entries, nextCursor: more ? String(page + 1) : nil)
    }

    // MARK: Check

    /// A signed `GET /ping`: proves the app key, the secret, the site code,
    /// this host's clock and reachability without publishing anything.
    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        let configuration = "endpoint \(endpoint), app key \(signer.appKey), site \(siteCode), secret from \(secretSource)"
        let reply: Reply
        do throws(DeliveryError) {
            reply = try await exchange(.GET, "/ping", query: [("siteCode", siteCode)], body: nil, deadline: deadline, itemID: nil)
        } catch {
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration),
                ChannelCheck(name: "credentials", passed: false, detail: "not verified: the platform did not answer"),
                ChannelCheck(name: "reachability", passed: false, detail: redacted(error.failure.message)),
            ]
        }
        let answered = ChannelCheck(
            name: "reachability", passed: true, detail: "the platform answered HTTP \(reply.status), code \(reply.code)")
        switch reply.code {
        case 0:
            var detail = "signed request accepted"
            if let serverTime = reply.data(PlatformWire.Ping.self)?.serverTime {
                detail += "; clock offset \(Int64(serverTime) - clock.now()) ms (the platform allows ±5 min)"
            }
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration),
                ChannelCheck(name: "credentials", passed: true, detail: detail),
                answered,
            ]
        case PlatformCode.forbiddenSite:
            return [
                ChannelCheck(
                    name: "configuration", passed: false,
                    detail: "the app key may not publish to site \(siteCode) (code \(reply.code)); check options.siteCode"),
                ChannelCheck(name: "credentials", passed: true, detail: "signed request accepted"),
                answered,
            ]
        case 40_000..<50_000 where reply.code != PlatformCode.rateLimited:
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration),
                ChannelCheck(name: "credentials", passed: false, detail: failure(reply, itemID: nil).failure.message),
                answered,
            ]
        default:
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration),
                ChannelCheck(name: "credentials", passed: false, detail: "not verified: code \(reply.code)"),
                ChannelCheck(
                    name: "reachability", passed: false,
                    detail: "the platform answered HTTP \(reply.status), code \(reply.code): \(redacted(reply.message))"),
            ]
        }
    }

    public func shutdown() async {
        await http.shutdown()
    }

    // MARK: Exchange

    /// One platform answer, read from its envelope.
    struct Reply {
        var status: Int
        /// The envelope's `code`; for an answer without an envelope, -HTTP status (-1 for a bare 200).
        var code: Int
        var message: String
        var field: String?
        var retryAfterHeader: String?
        /// The answer, when it carried an envelope.
        var enveloped: PlatformHTTP.Response?

        /// The envelope's `data` read as `Payload`; nil without an envelope or a `data` of that shape.
        func data<Payload: Decodable>(_ type: Payload.Type) -> Payload? {
            enveloped?.decoded(PlatformWire.Envelope<Payload>.self)?.data
        }
    }

    /// Signs and sends one request and reads the envelope.
    private func exchange(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]?, deadline: NIODeadline,
        itemID: String?
    ) async throws(DeliveryError) -> Reply {
        var target = basePath + path
        var url = endpoint + path
        if !query.isEmpty {
            let canonical = PercentEncoding.canonicalQuery(query)
            target += "?" + canonical
            url += "?" + canonical
        }
        var headers = signer.headers(method: method.rawValue, target: target, body: body ?? [], now: clock.now())
        headers.append(("accept", "application/json"))
        let response = try await http.send(method, url, headers: headers, body: body, deadline: deadline, itemID: itemID)
        let retryAfter = response.headers.first(name: "retry-after")
        guard let envelope = response.decoded(PlatformWire.Envelope<PlatformWire.ErrorData>.self), let code = envelope.code
        else {
            // No envelope (a proxy's error page): the HTTP status is all there is.
            return Reply(
                status: response.status, code: response.status == 200 ? -1 : -response.status,
                message: response.excerpt, retryAfterHeader: retryAfter)
        }
        let data = envelope.data
        return Reply(
            status: response.status, code: code, message: envelope.message ?? "", field: data?.field,
            retryAfterHeader: retryAfter ?? data?.retryAfter.map(String.init), enveloped: response)
    }

    /// Classifies a non-zero code; every message names what an operator must fix.
    private func failure(_ reply: Reply, itemID: String?) -> DeliveryError {
        let message = redacted(reply.message)
        func error(permanent: Bool, throttled: Bool = false, retryAfter: Int64? = nil, _ text: String) -> DeliveryError {
            DeliveryError(
                SendFailure(permanent: permanent, throttled: throttled, retryAfter: retryAfter, message: text),
                httpStatus: reply.status, itemID: itemID, channelID: channelID)
        }
        let coded = "(code \(reply.code))"
        switch reply.code {
        case PlatformCode.badSignature:
            return error(permanent: true, "the platform refused the request signature \(coded); fix credentials.appSecret (\(secretSource)) or options.appKey")
        case PlatformCode.unknownAppKey:
            return error(permanent: true, "the platform does not know app key \(signer.appKey) \(coded); fix options.appKey")
        case PlatformCode.forbiddenSite:
            return error(permanent: true, "the app key may not publish to site \(siteCode) \(coded); fix options.siteCode")
        case PlatformCode.staleTimestamp:
            // A retry signs with a fresh timestamp; if this host's clock is off, it keeps failing until fixed.
            return error(permanent: false, "the platform found the request timestamp outside its ±5 min window \(coded); check this host's clock (NTP): \(message)")
        case PlatformCode.replayedNonce:
            return error(permanent: false, "the platform saw this nonce before \(coded); the retry signs with a fresh one")
        case PlatformCode.missingCatalogueField, PlatformCode.invalidField:
            let field = reply.field.map { " `\($0)`" } ?? ""
            let what = reply.code == PlatformCode.missingCatalogueField ? "a required catalogue field is missing" : "a field is invalid"
            return error(permanent: true, "the platform refused the document \(coded): \(what)\(field): \(message)")
        case PlatformCode.rateLimited:
            return error(
                permanent: false, throttled: true,
                retryAfter: RetryAfter.milliseconds(reply.retryAfterHeader, now: clock.now()),
                "the platform's rate limit was reached \(coded): \(message)")
        case 50_000..<60_000:
            return error(permanent: false, "the platform failed \(coded): \(message)")
        case ..<0:
            return PlatformHTTP.classify(
                status: reply.status, retryAfter: reply.retryAfterHeader, detail: message, itemID: itemID,
                channelID: channelID, now: clock.now())
        default:
            let field = reply.field.map { ", field `\($0)`" } ?? ""
            return error(permanent: reply.status < 500, "the platform refused the request \(coded)\(field): \(message)")
        }
    }

    private func documentPath(_ itemID: String) -> String {
        "/documents/" + PercentEncoding.encoded(Self.externalID(for: itemID))
    }

    /// Belt and braces: a platform that echoes the request must not leak the secret.
    private func redacted(_ text: String) -> String {
        ChannelText.redacting([secret], in: text)
    }
}
