import Foundation
import GongkaiCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Weibo's rules behind ``WeiboSimulator``: token, 140-unit limit, safe
/// domain, duplicate refusal, rate limit, posts and their timeline.
final class WeiboPlatform: SimulatorEndpoint {
    struct State: Sendable {
        var posts: [String: WeiboPost] = [:]
        var nextID: Int64 = 5_012_345_678_901_234
        var sequence = 0
        var tokenExpired = false
        /// Monotonic times of accepted posts within the last hour.
        var recentPosts: [NIODeadline] = []
        var postsPerHour: Int
        var rejected: [String: Int] = [:]
        var shareRequests = 0
        var faults = WeiboFaults.none
        var scriptPosition = 0
        var random = SplitMix64(seed: WeiboFaults.none.seed)
        /// Posts whose deletion is acknowledged but not carried out (tampering).
        var ignoreDelete: Set<String> = []
        /// Status pages served to readers.
        var pageViews = 0
    }

    let accessToken: String
    let registeredDomain: String
    let uid: Int64
    let state: NIOLockedValueBox<State>

    init(accessToken: String, registeredDomain: String, uid: Int64, postsPerHour: Int) {
        self.accessToken = accessToken
        self.registeredDomain = registeredDomain.lowercased()
        self.uid = uid
        self.state = NIOLockedValueBox(State(postsPerHour: postsPerHour))
    }

    func respond(to request: SimulatorRequest) async -> SimulatorResponse {
        if request.method == .GET, let id = statusPageID(request.path) { return publicPage(id: id) }
        let form = Self.form(request)
        let path = request.path.hasPrefix("/2/") ? String(request.path.dropFirst(2)) : request.path
        func error(_ code: Int, _ text: String, _ status: HTTPResponseStatus = .badRequest) -> SimulatorResponse {
            state.withLockedValue { $0.rejected[String(code), default: 0] += 1 }
            return .json(["error": text, "error_code": code, "request": "/2" + path], status: status)
        }
        // The token: form or query `access_token`, or `Authorization: OAuth2 <token>`.
        var token = form["access_token"] ?? request.query["access_token"]
        if token == nil, let header = request.headers.first(name: "authorization"), header.hasPrefix("OAuth2 ") {
            token = String(header.dropFirst("OAuth2 ".count))
        }
        guard let token, !token.isEmpty else { return error(21301, "auth faild!", .unauthorized) }
        guard token == accessToken else { return error(21332, "invalid_access_token", .unauthorized) }
        if state.withLockedValue({ $0.tokenExpired }) { return error(21327, "expired_token", .unauthorized) }

        let fault = nextFault()
        switch fault {
        case .systemError: return error(10001, "system error!", .internalServerError)
        case .rateLimited: return error(10023, "User requests out of rate limit!", .forbidden)
        case .drop:
            state.withLockedValue { $0.rejected["dropped", default: 0] += 1 }
            return .dropped
        case .illegalContent: return error(20021, "Content is illegal!", .badRequest)
        case .accept, .slow: break
        }
        var response: SimulatorResponse
        switch (request.method, path) {
        case (.POST, "/statuses/share.json"): response = share(form["status"], rip: form["rip"], error: error)
        case (.POST, "/statuses/destroy.json"): response = destroy(form["id"], error: error)
        case (.GET, "/statuses/user_timeline.json"): response = timeline(request.query, error: error)
        case (.GET, "/account/get_uid.json"): response = .json(["uid": uid])
        default: return error(10020, "Request api not found!", .notFound)
        }
        if case .slow(let delay) = fault { response.delay = delay }
        return response
    }

    /// statuses/share (open.weibo.com): `status` with a link on the safe domain, and `rip`,
    /// the real IP of the operating user; no topic markers (`#话题#`) in shared text.
    private func share(_ status: String?, rip: String?, error: (Int, String, HTTPResponseStatus) -> SimulatorResponse)
        -> SimulatorResponse
    {
        state.withLockedValue { $0.shareRequests += 1 }
        guard let status, !status.isEmpty else { return error(10016, "miss required parameter (status)", .badRequest) }
        guard let rip, !rip.isEmpty else { return error(10016, "miss required parameter (rip)", .badRequest) }
        guard Self.length(status) <= 140 else {
            return error(20012, "Text too long, please input text less than 140 characters!", .badRequest)
        }
        let links = Self.links(in: status)
        guard !links.isEmpty else {
            return error(10008, "param error: status must contain a link on the app's safe domain", .badRequest)
        }
        for link in links where !isOnDomain(link) {
            return error(20018, "Contain illegal website!", .badRequest)
        }
        var words = status
        for link in links { words = words.replacingOccurrences(of: link, with: " ") }
        if words.range(of: #"[#＃][^#＃]+[#＃]"#, options: .regularExpression) != nil {
            return error(20021, "Content is illegal!", .badRequest)
        }
        let now = NIODeadline.now()
        let outcome: Result<WeiboPost, WeiboRefusal> = state.withLockedValue { state in
            state.recentPosts.removeAll { $0 + .hours(1) <= now }
            if state.recentPosts.count >= state.postsPerHour { return .failure(.rateLimited) }
            if state.posts.values.contains(where: { $0.text == status }) { return .failure(.repeatContent) }
            state.sequence += 1
            state.nextID += 1
            let post = WeiboPost(id: String(state.nextID), text: status, sequence: state.sequence)
            state.posts[post.id] = post
            state.recentPosts.append(now)
            return .success(post)
        }
        switch outcome {
        case .failure(.rateLimited): return error(10023, "User requests out of rate limit!", .forbidden)
        case .failure(.repeatContent): return error(20019, "repeat content!", .badRequest)
        case .success(let post): return .json(json(post))
        }
    }

    private enum WeiboRefusal: Error {
        case rateLimited, repeatContent
    }

    private func destroy(_ id: String?, error: (Int, String, HTTPResponseStatus) -> SimulatorResponse) -> SimulatorResponse {
        guard let id, !id.isEmpty else { return error(10016, "miss required parameter (id)", .badRequest) }
        let post: WeiboPost? = state.withLockedValue { state in
            guard let post = state.posts[id] else { return nil }
            if !state.ignoreDelete.contains(id) { state.posts[id] = nil }
            return post
        }
        guard let post else { return error(20101, "target weibo does not exist!", .badRequest) }
        return .json(json(post))
    }

    private func timeline(_ query: [String: String], error: (Int, String, HTTPResponseStatus) -> SimulatorResponse)
        -> SimulatorResponse
    {
        guard let page = Int(query["page"] ?? "1"), page >= 1, let count = Int(query["count"] ?? "20"),
            (1...100).contains(count)
        else { return error(10008, "param error: page ≥ 1, count 1-100", .badRequest) }
        let posts = state.withLockedValue { Array($0.posts.values) }.sorted { $0.sequence > $1.sequence }
        let statuses = posts.dropFirst((page - 1) * count).prefix(count).map(json)
        return .json(["statuses": Array(statuses), "total_number": posts.count])
    }

    /// The post id in `/<uid>/<id>`, the address of a status page on weibo.com.
    private func statusPageID(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, parts[1] == Substring(String(uid)), !parts[2].isEmpty,
            parts[2].allSatisfy(\.isNumber)
        else { return nil }
        return String(parts[2])
    }

    /// A post's page as anyone sees it, signed in or not; a deleted post's page is gone.
    private func publicPage(id: String) -> SimulatorResponse {
        let post = state.withLockedValue { state -> WeiboPost? in
            state.pageViews += 1
            return state.posts[id]
        }
        guard let post else { return PublicPageHTML.response(PublicPageHTML.notFound(), status: 404) }
        return PublicPageHTML.response(PublicPageHTML.weiboStatus(text: post.text, links: Self.links(in: post.text)))
    }

    private func json(_ post: WeiboPost) -> [String: Any] {
        [
            "id": Int64(post.id) ?? 0, "idstr": post.id, "mid": post.id, "text": post.text,
            "user": ["id": uid, "idstr": String(uid)],
        ]
    }

    private func nextFault() -> WeiboFaults.Fault {
        state.withLockedValue { state in
            let faults = state.faults
            if state.scriptPosition < faults.script.count {
                defer { state.scriptPosition += 1 }
                return faults.script[state.scriptPosition]
            }
            guard faults.systemErrorRate + faults.rateLimitRate + faults.dropRate + faults.slowRate > 0 else { return .accept }
            var draw = state.random.nextUnit()
            if draw < faults.systemErrorRate { return .systemError }
            draw -= faults.systemErrorRate
            if draw < faults.rateLimitRate { return .rateLimited }
            draw -= faults.rateLimitRate
            if draw < faults.dropRate { return .drop }
            draw -= faults.dropRate
            if draw < faults.slowRate { return .slow(faults.slowDelay) }
            return .accept
        }
    }

    private func isOnDomain(_ link: String) -> Bool {
        guard let host = URLComponents(string: link)?.host?.lowercased() else { return false }
        return host == registeredDomain || host.hasSuffix("." + registeredDomain)
    }

    /// Weibo's count: characters made only of ASCII scalars count half, others
    /// one, rounded up; links at full length (the simulator gives no t.cn credit).
    static func length(_ text: String) -> Int {
        let halves = text.reduce(0) { $0 + ($1.unicodeScalars.allSatisfy(\.isASCII) ? 1 : 2) }
        return (halves + 1) / 2
    }

    /// Every `http://` or `https://` link, up to white space or a non-ASCII character.
    static func links(in text: String) -> [String] {
        var links: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "http://") ?? rest.range(of: "https://") {
            let earliest = [rest.range(of: "http://"), rest.range(of: "https://")].compactMap { $0 }
                .min { $0.lowerBound < $1.lowerBound } ?? start
            let tail = rest[earliest.lowerBound...]
            let end = tail.firstIndex { $0.isWhitespace || !$0.isASCII } ?? tail.endIndex
            links.append(String(tail[..<end]))
            rest = tail[end...]
        }
        return links
    }

    /// Form fields of a urlencoded body (`+` is a space), the last value winning.
    static func form(_ request: SimulatorRequest) -> [String: String] {
        guard request.method == .POST,
            request.headers.first(name: "content-type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        else { return [:] }
        var fields: [String: String] = [:]
        for pair in request.bodyText.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            fields[decode(parts[0])] = parts.count == 2 ? decode(parts[1]) : ""
        }
        return fields
    }
}
