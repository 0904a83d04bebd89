public import Foundation
public import GongkaiCore
public import NIOCore
import NIOHTTP1

/// The agency portal's CMS (门户网站): one article per item in a column (栏目),
/// upserted by an item-level external id, over the assumed REST interface
/// documented in `channels/portal.yaml`.
///
/// The external id is `gk-<itemID>` for every version, so a new version
/// replaces the article in place (same article id, same URL) and a retried
/// PUT after a lost answer replaces rather than duplicates. The article URL
/// is the receipt's `remoteURL`: the item's canonical URL that other channels link to.
public struct PortalAdapter: ChannelAdapter {
    public let channelID: String
    public var capabilities: ChannelCapabilities { ChannelDefinition.Kind.portal.capabilities }
    /// The API base (`…/api/v1`), without a trailing slash.
    public let endpoint: String
    /// 栏目 code the articles go into.
    public let column: String
    /// Articles per listing page.
    public let pageSize: Int
    private let token: String
    private let tokenSource: String
    private let http: PlatformHTTP
    private let clock: any WallClock

    /// Option names a portal channel file may use.
    public static let allowedOptions: Set<String> = ["column", "pageSize"]
    /// Credential names a portal channel file may use.
    public static let allowedCredentials: Set<String> = ["apiToken"]
    /// Prefix of our external ids; articles without it were not made by gongkai.
    public static let externalIDPrefix = "gk-"

    /// Builds the adapter: `options.column` required, `options.pageSize` 1-100
    /// (default 50), `credentials.apiToken` a bearer token.
    public static func make(
        _ definition: ChannelDefinition, environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: any WallClock = SystemWallClock()
    ) throws(GongkaiError) -> PortalAdapter {
        try definition.rejectUnknownOptions(allowed: allowedOptions)
        try definition.rejectUnknownCredentials(allowed: allowedCredentials)
        let column = try definition.option("column")
        let pageSize = try definition.intOption("pageSize", default: 50, range: 1...100)
        let token = try definition.credential("apiToken", environment: environment)
        // The token goes into a header: visible ASCII only, and never echoed back.
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw GongkaiError(
                .configuration, "\(definition.source): credentials.apiToken must be printable ASCII without spaces",
                channel: definition.id, field: "credentials.apiToken")
        }
        return PortalAdapter(
            definition: definition, column: column, pageSize: pageSize, token: token,
            http: PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id),
            clock: clock)
    }

    init(definition: ChannelDefinition, column: String, pageSize: Int, token: String, http: PlatformHTTP, clock: any WallClock) {
        channelID = definition.id
        endpoint = definition.endpoint.hasSuffix("/") ? String(definition.endpoint.dropLast()) : definition.endpoint
        self.column = column
        self.pageSize = pageSize
        self.token = token
        tokenSource = definition.credentials["apiToken"].map { "\($0)" } ?? "credentials.apiToken"
        self.http = http
        self.clock = clock
    }

    /// The article's external id for an item: the same for every version.
    public static func externalID(for itemID: String) -> String { externalIDPrefix + itemID }

    // MARK: Delivery

    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        switch request.operation {
        case .publish: return try await upsert(request, deadline: deadline)
        case .withdraw: return try await delete(request, deadline: deadline)
        }
    }

    private func upsert(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        let item = try ChannelText.item(from: request)
        let body = PlatformHTTP.jsonBody(Self.articleBody(item: item, request: request, column: column))
        let response = try await http.send(
            .PUT, articleURL(request.itemID), headers: headers, body: body, deadline: deadline, itemID: request.itemID)
        guard (200..<300).contains(response.status) else {
            throw failure(response, request: request, doing: "refused the article")
        }
        let saved = response.decoded(PortalWire.Saved.self)
        guard let id = saved?.id?.text, let url = saved?.url, !url.isEmpty else {
            throw DeliveryError(
                SendFailure(
                    permanent: true,
                    message: "the portal answered HTTP \(response.status) without an article id and url; "
                        + "its interface does not match channels/portal.yaml"),
                httpStatus: response.status, itemID: request.itemID, channelID: channelID)
        }
        return DeliveryReceipt(remoteID: id, remoteURL: url, httpStatus: response.status)
    }

    private func delete(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        let response = try await http.send(
            .DELETE, articleURL(request.itemID), headers: headers, deadline: deadline, itemID: request.itemID)
        // 404: already gone (deleted by hand, or our earlier DELETE whose answer was lost).
        guard (200..<300).contains(response.status) || response.status == 404 else {
            throw failure(response, request: request, doing: "refused the deletion")
        }
        return DeliveryReceipt(remoteID: request.remoteID, httpStatus: response.status)
    }

    /// The PUT body: what the article shows plus what reconciliation reads back.
    static func articleBody(item: DisclosureItem, request: DeliveryRequest, column: String) -> PortalWire.Article {
        // The body ends with the version mark, so a citizen's view of the page can be tied to this version.
        PortalWire.Article(
            column: column, title: item.title,
            content: PublicPageMarker.marked(
                item.body, itemID: item.id, version: request.version, contentHash: request.contentHash),
            summary: item.summary.flatMap { $0.isEmpty ? nil : $0 },
            documentNumber: item.documentNumber.flatMap { $0.isEmpty ? nil : $0 }, indexNumber: item.indexNumber,
            publisher: item.publisher.name, publishDate: item.publishOn, version: request.version,
            contentHash: request.contentHash,
            attachments: item.attachments.flatMap { list in
                list.isEmpty ? nil : list.map { .init(name: $0.name, url: $0.url, sha256: $0.sha256) }
            })
    }

    // MARK: Listing

    public func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
        let page = cursor.map { Int($0) ?? 0 } ?? 1
        guard page >= 1 else {
            throw DeliveryError(
                SendFailure(permanent: true, message: "listing cursor must be a page number, got \(cursor ?? "")"),
                channelID: channelID)
        }
        let response = try await http.send(.GET, listURL(page: page, pageSize: pageSize), headers: headers, deadline: deadline)
        guard response.status == 200, let listing = response.decoded(PortalWire.Listing.self),
            let articles = listing.articles
        else {
            throw failure(response, request: nil, doing: "refused the listing")
        }
        let entries = articles.compactMap { article -> ChannelListingEntry? in
            guard let id = article.id?.text else { return nil }
            let itemID = article.externalID.flatMap {
                $0.hasPrefix(Self.externalIDPrefix) ? String($0.dropFirst(Self.externalIDPrefix.count)) : nil
            }
            return ChannelListingEntry(
                remoteID: id, itemID: itemID, version: article.version, contentHash: article.contentHash,
                url: article.url, title: article.title)
        }
        let more: Bool
        if let total = listing.total {
            more = page * pageSize < total
        } else {
            more = articles.count == pageSize
        }
        return ChannelListingPage(entries: entries, nextCursor: more ? String(page + 1) : nil)
    }

    // MARK: Check

    /// An authenticated listing of one article in the column: proves the
    /// token, the column and reachability without publishing anything.
    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        let configuration = "endpoint \(endpoint), column \(column), token from \(tokenSource)"
        let response: PlatformHTTP.Response
        do throws(DeliveryError) {
            response = try await http.send(.GET, listURL(page: 1, pageSize: 1), headers: headers, deadline: deadline)
        } catch {
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration),
                ChannelCheck(name: "credentials", passed: false, detail: "not verified: the portal did not answer"),
                ChannelCheck(name: "reachability", passed: false, detail: redacted(error.failure.message)),
            ]
        }
        let status = response.status
        let answered = ChannelCheck(name: "reachability", passed: true, detail: "the portal answered HTTP \(status)")
        switch status {
        case 200:
            let total = response.decoded(PortalWire.Listing.self)?.total.map(String.init) ?? "?"
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration + "; the column lists \(total) articles"),
                ChannelCheck(name: "credentials", passed: true, detail: "API token accepted"),
                answered,
            ]
        case 401, 403:
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration),
                ChannelCheck(
                    name: "credentials", passed: false,
                    detail: "the portal refused the API token (HTTP \(status)); fix credentials.apiToken (\(tokenSource))"),
                answered,
            ]
        case 404, 409, 422:
            return [
                ChannelCheck(
                    name: "configuration", passed: false,
                    detail: "the portal refused listing column \(column) (HTTP \(status)): \(redacted(Self.errorDetail(response)))"),
                ChannelCheck(name: "credentials", passed: true, detail: "API token accepted"),
                answered,
            ]
        default:
            return [
                ChannelCheck(name: "configuration", passed: true, detail: configuration),
                ChannelCheck(name: "credentials", passed: false, detail: "not verified: the portal answered HTTP \(status)"),
                ChannelCheck(
                    name: "reachability", passed: false,
                    detail: "the portal answered HTTP \(status): \(redacted(Self.errorDetail(response)))"),
            ]
        }
    }

    public func shutdown() async {
        await http.shutdown()
    }

    // MARK: Helpers

    private var headers: [(String, String)] {
        [("authorization", "Bearer " + token), ("accept", "application/json")]
    }

    private func articleURL(_ itemID: String) -> String {
        endpoint + "/articles/" + PercentEncoding.encoded(Self.externalID(for: itemID))
    }

    private func listURL(page: Int, pageSize: Int) -> String {
        endpoint + "/articles?"
            + PercentEncoding.canonicalQuery([("column", column), ("page", String(page)), ("pageSize", String(pageSize))])
    }

    /// Classifies a non-2xx answer; every message names what an operator must fix.
    private func failure(_ response: PlatformHTTP.Response, request: DeliveryRequest?, doing: String) -> DeliveryError {
        let status = response.status
        let detail = redacted(Self.errorDetail(response))
        let itemID = request?.itemID
        switch status {
        case 401, 403:
            return DeliveryError(
                SendFailure(
                    permanent: true,
                    message: "the portal refused the API token (HTTP \(status)); fix credentials.apiToken (\(tokenSource))"),
                httpStatus: status, itemID: itemID, channelID: channelID)
        case 409, 422:
            let field = response.decoded(PortalWire.Failure.self)?.field
            return DeliveryError(
                SendFailure(
                    permanent: true,
                    message: "the portal \(doing) (HTTP \(status))" + (field.map { ", field `\($0)`" } ?? "") + ": \(detail)"),
                httpStatus: status, itemID: itemID, channelID: channelID)
        default:
            return PlatformHTTP.classify(
                status: status, retryAfter: response.headers.first(name: "retry-after"), detail: detail, itemID: itemID,
                channelID: channelID, now: clock.now())
        }
    }

    /// The CMS's `message` (and `error` code) where it sent JSON, else the body excerpt.
    static func errorDetail(_ response: PlatformHTTP.Response) -> String {
        guard let answer = response.decoded(PortalWire.Failure.self) else { return response.excerpt }
        let message = answer.message ?? ""
        let code = answer.error
        return code.map { message.isEmpty ? $0 : "\($0): \(message)" } ?? message
    }

    /// Belt and braces: a platform that echoes the request must not leak the token into the outbox.
    private func redacted(_ text: String) -> String {
        ChannelText.redacting([token], in: text)
    }
}
