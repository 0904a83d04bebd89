import Foundation
import GongkaiCore
import NIOConcurrencyHelpers
import NIOHTTP1

/// The portal CMS's rules, applied to every request: the assumed REST
/// interface documented in `channels/portal.yaml`, read strictly.
///
/// Routes (under `/api/v1`):
/// - `PUT /articles/{externalId}` creates or replaces the article with that
///   external id (201 created, 200 replaced) → `{id, url, version, contentHash}`;
/// - `DELETE /articles/{externalId}` → 204, or 404 when there is none;
/// - `GET /articles?column=&page=&pageSize=` → `{total, page, pageSize, articles}`;
/// - `GET /articles/{externalId}` → the article.
///
/// Every request needs `Authorization: Bearer <token>` (401 otherwise).
/// Validation failures are 422 (409 for an older version than the one held)
/// with `{error, field, message}`.
final class PortalEndpoint: SimulatorEndpoint {
    struct State: Sendable {
        var token: String
        var columns: Set<String>
        /// Public site root for article URLs; set when the server starts.
        var siteBase = "http://127.0.0.1:0/site"
        /// Live articles by external id. Any change drops the listing order.
        var articles: [String: PortalArticle] = [:] {
            didSet { listingOrder = nil }
        }
        /// External ids of live articles by column, in article id order: built on
        /// the first listing after a change, so paging through n articles costs
        /// one sort, not one per page.
        var listingOrder: [String: [String]]?
        /// Deleted articles by external id, kept so a tampering hook can put one back.
        var deleted: [String: PortalArticle] = [:]
        /// The article as it was before its latest write, for a page that shows the old version.
        var previous: [String: PortalArticle] = [:]
        /// Files the site hosts (attachments), by name under `/files/`.
        var files: [String: [UInt8]] = [:]
        var pageFaults = PublicPageFaults.none
        var pageViews = 0
        var nextID = 10_001
        var faults = PublishingFaultDraw()
        var rejections: [String: Int] = [:]
        var requests = 0
        var created = 0
        var writes = 0
        var deletions = 0

        mutating func reject(_ reason: String) { rejections[reason, default: 0] += 1 }
    }

    static let prefix = "/api/v1"
    static let maxTitleCharacters = 300
    static let maxSummaryCharacters = 2000
    static let maxPageSize = 100

    let state: NIOLockedValueBox<State>

    init(token: String, columns: Set<String>) {
        state = NIOLockedValueBox(State(token: token, columns: columns))
    }

    func respond(to request: SimulatorRequest) async -> SimulatorResponse {
        state.withLockedValue { state in
            state.requests += 1
            return Self.respond(to: request, state: &state)
        }
    }

    private static func respond(to request: SimulatorRequest, state: inout State) -> SimulatorResponse {
        // Everything outside the API is the public site, wherever `siteURL` puts its pages.
        if request.method == .GET, request.path != prefix, !request.path.hasPrefix(prefix + "/") {
            return publicSite(request, state: &state)
        }
        guard request.path == prefix + "/articles" || request.path.hasPrefix(prefix + "/articles/") else {
            state.reject("not-found")
            return error(.notFound, "not_found", "no such endpoint")
        }
        guard bearerToken(request.headers) == state.token else {
            state.reject("unauthorized")
            var response = error(.unauthorized, "invalid_token", "missing or invalid API token")
            response.headers.add(name: "www-authenticate", value: #"Bearer realm="cms", error="invalid_token""#)
            return response
        }
        let fault = state.faults.next()
        switch fault {
        case .serverError(let status):
            state.reject("fault-server-error")
            return error(HTTPResponseStatus(statusCode: status), "internal_error", "the CMS is unavailable")
        case .throttle(let seconds):
            state.reject("fault-throttled")
            var response = error(.tooManyRequests, "rate_limited", "too many requests")
            response.headers.add(name: "retry-after", value: String(seconds))
            return response
        case .drop:
            state.reject("fault-dropped")
            return .dropped
        case .accept, .dropAfterApplying, .slow:
            break
        }
        var response = route(request, state: &state)
        switch fault {
        case .dropAfterApplying:
            state.reject("fault-dropped-after-applying")
            return .dropped
        case .slow(let delay):
            response.delay = delay
        default:
            break
        }
        return response
    }

    private static func route(_ request: SimulatorRequest, state: inout State) -> SimulatorResponse {
        if request.path == prefix + "/articles" {
            guard request.method == .GET else { return methodNotAllowed(&state) }
            return list(request, state: &state)
        }
        let segment = String(request.path.dropFirst((prefix + "/articles/").count))
        guard let externalID = segment.removingPercentEncoding, isValidExternalID(externalID) else {
            state.reject("validation")
            return validation("externalId", "external id must be 1-160 characters of A-Z a-z 0-9 . _ : ~ -")
        }
        switch request.method {
        case .PUT: return upsert(externalID, request, state: &state)
        case .DELETE: return delete(externalID, state: &state)
        case .GET:
            guard let article = state.articles[externalID] else {
                state.reject("not-found")
                return error(.notFound, "not_found", "no article with this external id")
            }
            return .json(article.listingJSON)
        default: return methodNotAllowed(&state)
        }
    }

    private static func upsert(_ externalID: String, _ request: SimulatorRequest, state: inout State)
        -> SimulatorResponse
    {
        guard request.headers.first(name: "content-type")?.lowercased().hasPrefix("application/json") == true else {
            state.reject("malformed-body")
            return error(.unsupportedMediaType, "unsupported_media_type", "send application/json")
        }
        guard let body = request.json else {
            state.reject("malformed-body")
            return error(.badRequest, "malformed_json", "the body is not a JSON object")
        }
        func text(_ key: String) -> String? {
            (body[key] as? String).flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        }
        func refuse(_ field: String, _ message: String) -> SimulatorResponse {
            state.reject("validation")
            return validation(field, message)
        }
        guard let column = text("column") else { return refuse("column", "column is required") }
        guard state.columns.contains(column) else { return refuse("column", "unknown column \(column)") }
        guard let title = text("title") else { return refuse("title", "title is required") }
        guard title.count <= maxTitleCharacters else {
            return refuse("title", "title is longer than \(maxTitleCharacters) characters")
        }
        guard let content = text("content") else { return refuse("content", "content is required") }
        let summary = text("summary")
        if let summary, summary.count > maxSummaryCharacters {
            return refuse("summary", "summary is longer than \(maxSummaryCharacters) characters")
        }
        guard let publishDate = text("publishDate"), CalendarDate(publishDate) != nil else {
            return refuse("publishDate", "publishDate must be a date YYYY-MM-DD")
        }
        guard let version = body["version"] as? Int, version >= 1 else {
            return refuse("version", "version must be a whole number from 1")
        }
        guard let contentHash = text("contentHash"), isHexSHA256(contentHash) else {
            return refuse("contentHash", "contentHash must be 64 lower-case hex digits")
        }
        var attachments: [PortalArticle.Attachment] = []
        if let listed = body["attachments"] {
            guard let entries = listed as? [[String: Any]] else {
                return refuse("attachments", "attachments must be an array of {name, url, sha256}")
            }
            for (index, entry) in entries.enumerated() {
                guard let name = entry["name"] as? String, !name.isEmpty else {
                    return refuse("attachments[\(index)].name", "name is required")
                }
                guard let url = entry["url"] as? String, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    return refuse("attachments[\(index)].url", "url must be an absolute http(s) URL")
                }
                let sha256 = entry["sha256"] as? String
                if let sha256, !isHexSHA256(sha256) {
                    return refuse("attachments[\(index)].sha256", "sha256 must be 64 lower-case hex digits")
                }
                attachments.append(PortalArticle.Attachment(name: name, url: url, sha256: sha256))
            }
        }
        for key in ["documentNumber", "indexNumber", "publisher"] where body[key] != nil && !(body[key] is String) {
            return refuse(key, "\(key) must be a string")
        }
        if let held = state.articles[externalID], held.version > version {
            state.reject("version-conflict")
            return error(
                .conflict, "version_conflict", "the article holds version \(held.version); refusing version \(version)",
                field: "version")
        }
        state.writes += 1
        var status = HTTPResponseStatus.ok
        var article: PortalArticle
        if let held = state.articles[externalID] {
            article = held
            article.writes += 1
            state.previous[externalID] = held
        } else {
            let id = String(state.nextID)
            state.nextID += 1
            state.created += 1
            status = .created
            article = PortalArticle(
                id: id, externalID: externalID, column: column, title: title, content: content,
                publishDate: publishDate, version: version, contentHash: contentHash,
                url: articleURL(siteBase: state.siteBase, column: column, publishDate: publishDate, id: id))
        }
        article.column = column
        article.title = title
        article.content = content
        article.summary = summary
        article.documentNumber = text("documentNumber")
        article.indexNumber = text("indexNumber")
        article.publisher = text("publisher")
        article.publishDate = publishDate
        article.version = version
        article.contentHash = contentHash
        article.attachments = attachments
        state.articles[externalID] = article
        state.deleted[externalID] = nil
        return .json(["id": article.id, "url": article.url, "version": version, "contentHash": contentHash], status: status)
    }

    private static func delete(_ externalID: String, state: inout State) -> SimulatorResponse {
        guard let article = state.articles.removeValue(forKey: externalID) else {
            state.reject("not-found")
            return error(.notFound, "not_found", "no article with this external id")
        }
        state.deleted[externalID] = article
        state.deletions += 1
        return SimulatorResponse(status: .noContent)
    }

    private static func list(_ request: SimulatorRequest, state: inout State) -> SimulatorResponse {
        func refuse(_ field: String, _ message: String) -> SimulatorResponse {
            state.reject("validation")
            return validation(field, message)
        }
        guard let column = request.query["column"], !column.isEmpty else {
            return refuse("column", "column is required")
        }
        guard state.columns.contains(column) else { return refuse("column", "unknown column \(column)") }
        let page = request.query["page"].map { Int($0) ?? 0 } ?? 1
        guard page >= 1 else { return refuse("page", "page must be a whole number from 1") }
        let pageSize = request.query["pageSize"].map { Int($0) ?? 0 } ?? 20
        guard (1...maxPageSize).contains(pageSize) else {
            return refuse("pageSize", "pageSize must be 1 to \(maxPageSize)")
        }
        if state.listingOrder == nil {
            let ordered = state.articles.values.sorted { (Int($0.id) ?? 0) < (Int($1.id) ?? 0) }
            state.listingOrder = Dictionary(grouping: ordered, by: \.column).mapValues { $0.map(\.externalID) }
        }
        let all = state.listingOrder?[column] ?? []
        let start = min(all.count, (page - 1) * pageSize)
        let slice = all[start..<min(all.count, start + pageSize)].compactMap { state.articles[$0] }
        return .json([
            "total": all.count, "page": page, "pageSize": pageSize, "articles": slice.map(\.listingJSON),
        ])
    }

    // MARK: The public site

    /// What a citizen gets: the article pages (no token), and the hosted files.
    private static func publicSite(_ request: SimulatorRequest, state: inout State) -> SimulatorResponse {
        state.pageViews += 1
        if request.path.hasPrefix("/files/") {
            let name = String(request.path.dropFirst("/files/".count)).removingPercentEncoding ?? ""
            guard let bytes = state.files[name], !state.pageFaults.brokenFiles.contains(name) else {
                return PublicPageHTML.response(PublicPageHTML.notFound(), status: 404)
            }
            var response = SimulatorResponse(status: .ok, body: bytes)
            response.headers.add(name: "content-type", value: "application/octet-stream")
            return response
        }
        guard let current = state.articles.values.first(where: { URLComponents(string: $0.url)?.path == request.path })
        else {
            return PublicPageHTML.response(PublicPageHTML.notFound(), status: 404)
        }
        let itemID = String(current.externalID.dropFirst(current.externalID.hasPrefix("gk-") ? 3 : 0))
        let shown = state.pageFaults.stale.contains(itemID) ? state.previous[current.externalID] ?? current : current
        let deadLinks = state.pageFaults.deadLink.contains(itemID) ? [state.siteBase + "/missing/\(current.id).html"] : []
        return PublicPageHTML.response(
            PublicPageHTML.article(
                title: shown.title,
                meta: [("索引号", shown.indexNumber), ("发布机构", shown.publisher), ("文号", shown.documentNumber),
                       ("发布日期", shown.publishDate)],
                content: shown.content, attachments: shown.attachments.map { .init(name: $0.name, url: $0.url) },
                extraLinks: deadLinks))
    }

    // MARK: Helpers

    /// TRS-style article path: `<site>/<column>/<yyyyMM>/t<yyyyMMdd>_<id>.html`.
    static func articleURL(siteBase: String, column: String, publishDate: String, id: String) -> String {
        let digits = publishDate.filter(\.isNumber)
        return "\(siteBase)/\(column)/\(digits.prefix(6))/t\(digits)_\(id).html"
    }

    private static func bearerToken(_ headers: HTTPHeaders) -> String? {
        guard let value = headers.first(name: "authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    static func isValidExternalID(_ id: String) -> Bool {
        (1...160).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "~"), UInt8(ascii: "-")]
                    .contains(byte)
            }
    }

    static func isHexSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func methodNotAllowed(_ state: inout State) -> SimulatorResponse {
        state.reject("method-not-allowed")
        return error(.methodNotAllowed, "method_not_allowed", "method not allowed here")
    }

    private static func validation(_ field: String, _ message: String) -> SimulatorResponse {
        error(.unprocessableEntity, "validation_failed", message, field: field)
    }

    private static func error(_ status: HTTPResponseStatus, _ code: String, _ message: String, field: String? = nil)
        -> SimulatorResponse
    {
        var object: [String: Any] = ["error": code, "message": message]
        if let field { object["field"] = field }
        return .json(object, status: status)
    }
}
