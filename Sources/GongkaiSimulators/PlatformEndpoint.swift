import Crypto
import Foundation
import GongkaiCore
import NIOConcurrencyHelpers
import NIOHTTP1

/// The provincial disclosure platform's rules, applied to every request: the
/// assumed interface documented in `channels/platform.yaml`, read strictly.
///
/// Routes (under `/api/v1`): `PUT /documents/{externalId}` (upsert),
/// `DELETE /documents/{externalId}?siteCode=`, `GET /documents?siteCode=&page=&pageSize=`,
/// `GET /ping?siteCode=`. Every request is signed (see the channel file);
/// answers are `{code, message, data}` with the HTTP status of the code's class.
final class PlatformEndpoint: SimulatorEndpoint {
    struct State: Sendable {
        var appKey: String
        var appSecret: String
        var siteCodes: Set<String>
        var toleranceMillis: Int64
        /// Public root of document URLs; set when the server starts.
        var siteBase = "http://127.0.0.1:0/gk"
        /// Live documents by `siteCode/externalId`.
        var documents: [String: PlatformDocument] = [:]
        /// Deleted documents, kept so a tampering hook can put one back.
        var deleted: [String: PlatformDocument] = [:]
        /// The document as it was before its latest write, for a page that shows the old version.
        var previous: [String: PlatformDocument] = [:]
        var pageFaults = PublicPageFaults.none
        var pageViews = 0
        var nextID = 1
        /// Nonces seen, with the timestamp they came with; pruned once older than the window.
        var nonces: [String: Int64] = [:]
        var faults = PublishingFaultDraw()
        var rejections: [String: Int] = [:]
        var requests = 0
        var created = 0
        var writes = 0
        var deletions = 0

        mutating func reject(_ reason: String) { rejections[reason, default: 0] += 1 }
    }

    /// The platform's answer codes (the table in `channels/platform.yaml`).
    enum Code {
        static let ok = 0
        static let malformed = 40_001
        static let missingHeader = 40_100
        static let badSignature = 40_101
        static let staleTimestamp = 40_102
        static let replayedNonce = 40_103
        static let unknownAppKey = 40_104
        static let forbiddenSite = 40_301
        static let notFound = 40_401
        static let methodNotAllowed = 40_501
        static let versionConflict = 40_901
        static let missingCatalogueField = 42_201
        static let invalidField = 42_202
        static let rateLimited = 42_901
        static let internalError = 50_001
        static let unavailable = 50_301
    }

    /// Required catalogue fields in the order they are checked, with their names.
    static let catalogueFields: [(key: String, label: String)] = [
        ("indexNumber", "索引号"), ("publisher", "发布机构"), ("topic", "主题分类"), ("genre", "体裁分类"),
        ("writtenOn", "成文日期"), ("publishOn", "发布日期"), ("validity", "有效性"), ("attribute", "公开属性"),
    ]
    static let validities: Set<String> = ["有效", "失效", "废止", "已修改"]
    static let attributes: Set<String> = ["主动公开", "依申请公开"]
    static let prefix = "/api/v1"
    static let maxTitleCharacters = 300
    static let maxPageSize = 100

    let state: NIOLockedValueBox<State>
    let clock: any WallClock

    init(appKey: String, appSecret: String, siteCodes: Set<String>, toleranceSeconds: Int64, clock: any WallClock) {
        state = NIOLockedValueBox(
            State(appKey: appKey, appSecret: appSecret, siteCodes: siteCodes, toleranceMillis: toleranceSeconds * 1000))
        self.clock = clock
    }

    func respond(to request: SimulatorRequest) async -> SimulatorResponse {
        let now = clock.now()
        return state.withLockedValue { state in
            state.requests += 1
            return Self.respond(to: request, now: now, state: &state)
        }
    }

    private static func respond(to request: SimulatorRequest, now: Int64, state: inout State) -> SimulatorResponse {
        // Everything outside the API is the public site, wherever `siteURL` puts its pages.
        if request.method == .GET, request.path != prefix, !request.path.hasPrefix(prefix + "/") {
            return publicPage(request, state: &state)
        }
        if let refusal = authenticate(request, now: now, state: &state) { return refusal }
        let fault = state.faults.next()
        switch fault {
        case .serverError(let status):
            state.reject("fault-server-error")
            let code = status == 503 ? Code.unavailable : Code.internalError
            return envelope(code, "系统繁忙，请稍后重试", status: HTTPResponseStatus(statusCode: status))
        case .throttle(let seconds):
            state.reject("fault-throttled")
            var response = envelope(Code.rateLimited, "请求过于频繁", data: ["retryAfter": seconds])
            response.headers.add(name: "retry-after", value: String(seconds))
            return response
        case .drop:
            state.reject("fault-dropped")
            return .dropped
        case .accept, .dropAfterApplying, .slow:
            break
        }
        var response = route(request, now: now, state: &state)
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

    /// Headers, app key, timestamp window, signature, then nonce replay: a
    /// forged request cannot use up a nonce.
    private static func authenticate(_ request: SimulatorRequest, now: Int64, state: inout State) -> SimulatorResponse? {
        var values: [String: String] = [:]
        for name in ["X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature"] {
            guard let value = request.headers.first(name: name), !value.isEmpty else {
                state.reject("missing-header")
                return envelope(Code.missingHeader, "缺少请求头 \(name)", data: ["field": name])
            }
            values[name] = value
        }
        guard values["X-App-Key"] == state.appKey else {
            state.reject("unknown-app-key")
            return envelope(Code.unknownAppKey, "应用标识无效")
        }
        let timestampText = values["X-Timestamp"] ?? ""
        guard timestampText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let timestamp = Int64(timestampText) else {
            state.reject("malformed-request")
            return envelope(Code.malformed, "X-Timestamp 须为毫秒时间戳", data: ["field": "X-Timestamp"])
        }
        guard abs(now - timestamp) <= state.toleranceMillis else {
            state.reject("stale-timestamp")
            return envelope(
                Code.staleTimestamp, "时间戳超出允许范围（±\(state.toleranceMillis / 1000)秒，毫秒时间戳）",
                data: ["serverTime": now])
        }
        let nonce = values["X-Nonce"] ?? ""
        guard (16...64).contains(nonce.utf8.count), nonce.utf8.allSatisfy(isAlphanumeric) else {
            state.reject("malformed-request")
            return envelope(Code.malformed, "X-Nonce 须为16至64位字母或数字", data: ["field": "X-Nonce"])
        }
        let target = request.path + (request.query.isEmpty ? "" : "?" + canonicalQuery(request.query))
        let bodyHash = SHA256.hash(data: request.body).map { String(format: "%02x", $0) }.joined()
        let text = [request.method.rawValue, target, timestampText, nonce, bodyHash].joined(separator: "\n")
        let expected = Data(
            HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(state.appSecret.utf8))))
        guard let given = Data(base64Encoded: values["X-Signature"] ?? ""), given == expected else {
            state.reject("invalid-signature")
            return envelope(Code.badSignature, "签名校验失败")
        }
        guard state.nonces[nonce] == nil else {
            state.reject("replayed-nonce")
            return envelope(Code.replayedNonce, "请求重复（nonce 已使用）")
        }
        if state.nonces.count >= 4096 {
            let horizon = now - state.toleranceMillis
            state.nonces = state.nonces.filter { $0.value >= horizon }
        }
        state.nonces[nonce] = timestamp
        return nil
    }

    private static func route(_ request: SimulatorRequest, now: Int64, state: inout State) -> SimulatorResponse {
        switch request.path {
        case prefix + "/ping":
            guard request.method == .GET else { return methodNotAllowed(&state) }
            if let refusal = checkSite(request.query["siteCode"], state: &state) { return refusal }
            return envelope(Code.ok, "ok", data: ["siteCode": request.query["siteCode"] ?? "", "serverTime": now])
        case prefix + "/documents":
            guard request.method == .GET else { return methodNotAllowed(&state) }
            return list(request, state: &state)
        case let path where path.hasPrefix(prefix + "/documents/"):
            let segment = String(path.dropFirst((prefix + "/documents/").count))
            guard let externalID = segment.removingPercentEncoding, isValidExternalID(externalID) else {
                state.reject("malformed-request")
                return envelope(Code.malformed, "外部标识无效", data: ["field": "externalId"])
            }
            switch request.method {
            case .PUT: return upsert(externalID, request, state: &state)
            case .DELETE:
                let site = request.query["siteCode"]
                if let refusal = checkSite(site, state: &state) { return refusal }
                let key = (site ?? "") + "/" + externalID
                guard let document = state.documents.removeValue(forKey: key) else {
                    state.reject("not-found")
                    return envelope(Code.notFound, "文档不存在")
                }
                state.deleted[key] = document
                state.deletions += 1
                return envelope(Code.ok, "ok", data: ["docId": document.docID])
            default: return methodNotAllowed(&state)
            }
        default:
            state.reject("not-found")
            return envelope(Code.notFound, "接口不存在")
        }
    }

    private static func upsert(_ externalID: String, _ request: SimulatorRequest, state: inout State) -> SimulatorResponse {
        func refuse(_ code: Int, _ reason: String, _ field: String, _ message: String, label: String? = nil)
            -> SimulatorResponse
        {
            state.reject(reason)
            var data: [String: Any] = ["field": field]
            if let label { data["label"] = label }
            return envelope(code, message, data: data)
        }
        guard request.headers.first(name: "content-type")?.lowercased().hasPrefix("application/json") == true,
            let body = request.json
        else {
            return refuse(Code.malformed, "malformed-request", "body", "请求体须为 JSON 对象")
        }
        func text(_ object: [String: Any], _ key: String) -> String? {
            (object[key] as? String).flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        }
        guard let siteCode = text(body, "siteCode") else {
            return refuse(Code.malformed, "malformed-request", "siteCode", "缺少 siteCode")
        }
        if let refusal = checkSite(siteCode, state: &state) { return refusal }
        guard let title = text(body, "title"), title.count <= maxTitleCharacters else {
            return refuse(Code.malformed, "malformed-request", "title", "标题为空或超过\(maxTitleCharacters)字")
        }
        guard let content = text(body, "content") else {
            return refuse(Code.malformed, "malformed-request", "content", "正文为空")
        }
        guard let version = body["version"] as? Int, version >= 1 else {
            return refuse(Code.malformed, "malformed-request", "version", "version 须为正整数")
        }
        guard let contentHash = text(body, "contentHash"), PortalEndpoint.isHexSHA256(contentHash) else {
            return refuse(Code.malformed, "malformed-request", "contentHash", "contentHash 须为64位小写十六进制")
        }
        let catalogueObject = body["catalogue"] as? [String: Any] ?? [:]
        var catalogue: [String: String] = [:]
        for (key, label) in catalogueFields {
            guard let value = text(catalogueObject, key) else {
                return refuse(
                    Code.missingCatalogueField, "missing-catalogue-field", "catalogue." + key,
                    "缺少必填目录字段：\(label)（catalogue.\(key)）", label: label)
            }
            catalogue[key] = value
        }
        for key in ["documentNumber", "publisherCode"] {
            guard let raw = catalogueObject[key] else { continue }
            guard let value = raw as? String else {
                return refuse(Code.invalidField, "invalid-field", "catalogue." + key, "catalogue.\(key) 须为字符串")
            }
            catalogue[key] = value
        }
        let invalid: (String, String)? =
            if !isIndexNumber(catalogue["indexNumber"] ?? "") {
                ("indexNumber", "索引号格式应为 机构代码/年份-五位流水号")
            } else if CalendarDate(catalogue["writtenOn"] ?? "") == nil {
                ("writtenOn", "成文日期须为 YYYY-MM-DD")
            } else if CalendarDate(catalogue["publishOn"] ?? "") == nil {
                ("publishOn", "发布日期须为 YYYY-MM-DD")
            } else if !validities.contains(catalogue["validity"] ?? "") {
                ("validity", "有效性须为 有效、失效、废止 或 已修改")
            } else if !attributes.contains(catalogue["attribute"] ?? "") {
                ("attribute", "公开属性须为 主动公开 或 依申请公开")
            } else {
                nil
            }
        if let invalid {
            return refuse(Code.invalidField, "invalid-field", "catalogue." + invalid.0, invalid.1)
        }
        let key = siteCode + "/" + externalID
        if let held = state.documents[key], held.version > version {
            return refuse(
                Code.versionConflict, "version-conflict", "version", "平台已有更新版本 \(held.version)，拒绝版本 \(version)")
        }
        state.writes += 1
        var document: PlatformDocument
        if let held = state.documents[key] {
            document = held
            document.writes += 1
            state.previous[key] = held
        } else {
            let docID = "DOC" + String(format: "%08d", state.nextID)
            state.nextID += 1
            state.created += 1
            document = PlatformDocument(
                docID: docID, externalID: externalID, siteCode: siteCode, title: title, content: content,
                catalogue: catalogue, version: version, contentHash: contentHash,
                url: "\(state.siteBase)/\(siteCode)/xxgk/\(docID).html")
        }
        document.title = title
        document.content = content
        document.summary = text(body, "summary")
        document.catalogue = catalogue
        document.sourceURL = text(body, "sourceUrl")
        document.version = version
        document.contentHash = contentHash
        state.documents[key] = document
        state.deleted[key] = nil
        return envelope(
            Code.ok, "ok",
            data: ["docId": document.docID, "url": document.url, "version": version, "contentHash": contentHash])
    }

    /// A document's public page as a citizen gets it: no signature, the 政府信息公开 layout.
    private static func publicPage(_ request: SimulatorRequest, state: inout State) -> SimulatorResponse {
        state.pageViews += 1
        guard let (key, current) = state.documents.first(where: { URLComponents(string: $0.value.url)?.path == request.path })
        else {
            return PublicPageHTML.response(PublicPageHTML.notFound(), status: 404)
        }
        let itemID = String(current.externalID.dropFirst(current.externalID.hasPrefix("gk-") ? 3 : 0))
        let shown = state.pageFaults.stale.contains(itemID) ? state.previous[key] ?? current : current
        let deadLinks = state.pageFaults.deadLink.contains(itemID) ? [state.siteBase + "/missing/\(current.docID).html"] : []
        let labels = Dictionary(uniqueKeysWithValues: catalogueFields.map { ($0.key, $0.label) })
        var meta = ["indexNumber", "publisher", "documentNumber", "topic", "genre", "writtenOn", "publishOn", "validity"]
            .map { (labels[$0] ?? ($0 == "documentNumber" ? "文号" : $0), shown.catalogue[$0]) }
        if let source = shown.sourceURL { meta.append(("原文链接", source)) }
        return PublicPageHTML.response(
            PublicPageHTML.article(title: shown.title, meta: meta, content: shown.content, attachments: [], extraLinks: deadLinks))
    }

    private static func list(_ request: SimulatorRequest, state: inout State) -> SimulatorResponse {
        let site = request.query["siteCode"]
        if let refusal = checkSite(site, state: &state) { return refusal }
        let page = request.query["page"].map { Int($0) ?? 0 } ?? 1
        let pageSize = request.query["pageSize"].map { Int($0) ?? 0 } ?? 20
        guard page >= 1, (1...maxPageSize).contains(pageSize) else {
            state.reject("malformed-request")
            return envelope(
                Code.malformed, "page 须不小于1，pageSize 须为1至\(maxPageSize)", data: ["field": page >= 1 ? "pageSize" : "page"])
        }
        let all = state.documents.values.filter { $0.siteCode == site }.sorted { $0.docID < $1.docID }
        let start = min(all.count, (page - 1) * pageSize)
        let records = all[start..<min(all.count, start + pageSize)].map(\.listingJSON)
        return envelope(Code.ok, "ok", data: ["total": all.count, "page": page, "pageSize": pageSize, "records": records])
    }

    // MARK: Helpers

    private static func checkSite(_ site: String?, state: inout State) -> SimulatorResponse? {
        guard let site, !site.isEmpty else {
            state.reject("malformed-request")
            return envelope(Code.malformed, "缺少 siteCode", data: ["field": "siteCode"])
        }
        guard state.siteCodes.contains(site) else {
            state.reject("forbidden-site")
            return envelope(Code.forbiddenSite, "无权访问站点 \(site)")
        }
        return nil
    }

    /// RFC 3986 encoding, pairs sorted by name: what the signer must have signed.
    static func canonicalQuery(_ query: [String: String]) -> String {
        func encode(_ text: String) -> String {
            text.utf8.map { byte in
                isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
                    ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
            }.joined()
        }
        return query.sorted { $0.key < $1.key }.map { encode($0.key) + "=" + encode($0.value) }.joined(separator: "&")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    static func isValidExternalID(_ id: String) -> Bool { PortalEndpoint.isValidExternalID(id) }

    /// `<9- or 18-character organisation code>/<YYYY>-<5 digits>`.
    static func isIndexNumber(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, [9, 18].contains(parts[0].utf8.count),
            parts[0].utf8.allSatisfy({ isAlphanumeric($0) })
        else { return false }
        let serial = Array(parts[1].utf8)
        return serial.count == 10 && serial[4] == UInt8(ascii: "-")
            && serial.enumerated().allSatisfy { $0.offset == 4 || (0x30...0x39).contains($0.element) }
    }

    private static func methodNotAllowed(_ state: inout State) -> SimulatorResponse {
        state.reject("method-not-allowed")
        return envelope(Code.methodNotAllowed, "不支持的请求方法")
    }

    /// The platform's envelope, with the HTTP status of the code's class.
    static func envelope(_ code: Int, _ message: String, data: [String: Any]? = nil, status: HTTPResponseStatus? = nil)
        -> SimulatorResponse
    {
        var object: [String: Any] = ["code": code, "message": message]
        if let data { object["data"] = data }
        return .json(object, status: status ?? (code == 0 ? .ok : HTTPResponseStatus(statusCode: code / 100)))
    }
}
