import Foundation
import GongkaiCore
import NIOConcurrencyHelpers
import NIOHTTP1

/// The rules of the WeChat official-account interface the simulator plays:
/// tokens, the draft box, the publish state machine and the published articles.
final class WeChatPlatform: SimulatorEndpoint {
    struct IssuedToken: Sendable {
        var expiresAt: Int64
        var revoked: Bool
    }

    struct Draft: Sendable {
        var articles: [[String: String]]
        var published: Bool
    }

    struct Publish: Sendable {
        var mediaID: String
        var plan: WeChatPublishPlan
        var polls: Int
        var articleID: String?
    }

    struct State: Sendable {
        var clockOffset: Int64 = 0
        var tokens: [String: IssuedToken] = [:]
        var currentToken: String?
        /// Handed out in normal mode but refused by every call (see ``WeChatSimulator/revokeTokensKeepingCurrent()``).
        var refusedToken: String?
        var lastForcedRefresh: Int64?
        var serial = 0
        var ipWhitelisted = true
        /// Every token, even a fresh one, answered 40001 (a wrong AppSecret elsewhere, an IP list change).
        var refuseEveryToken = false
        var permanentMedia: Set<String>
        var drafts: [String: Draft] = [:]
        var publishes: [String: Publish] = [:]
        var articles: [String: WeChatHeldArticle] = [:]
        var articleOrder: [String] = []
        var calls: [String: Int] = [:]
        var forcedRefreshes = 0
        var rejections: [String: Int] = [:]
        var faults = WeChatFaults.none
        var random = SplitMix64(seed: WeChatFaults.none.seed)
        var plan = WeChatPublishPlan.immediate
        /// Article pages served to readers.
        var pageViews = 0
    }

    static let tokenLifetime: Int64 = 7_200_000
    /// In its last 5 minutes a token is replaced by a normal `stable_token` call (both stay valid).
    static let handover: Int64 = 300_000
    static let limits = (title: 32, author: 16, digest: 128, content: 20_000, contentSourceURLBytes: 1_024)
    static let imageHost = "mmbiz.qpic.cn"

    let appID: String
    let appSecret: String
    let clock: any WallClock
    let state: NIOLockedValueBox<State>

    init(appID: String, appSecret: String, permanentMedia: Set<String>, clock: any WallClock) {
        self.appID = appID
        self.appSecret = appSecret
        self.clock = clock
        self.state = NIOLockedValueBox(State(permanentMedia: permanentMedia))
    }

    func respond(to request: SimulatorRequest) async -> SimulatorResponse {
        let api = request.path.hasPrefix("/cgi-bin/") ? String(request.path.dropFirst("/cgi-bin/".count)) : request.path
        if request.method == .GET, request.path.hasPrefix("/s/") {
            return publicPage(articleID: String(request.path.dropFirst("/s/".count)))
        }
        return state.withLockedValue { state in
            state.calls[api, default: 0] += 1
            guard request.method == .POST else {
                return reject(&state, "method-not-allowed", errcode: 43002, "require POST method")
            }
            guard let body = request.json else {
                return reject(&state, "malformed-body", errcode: 47001, "data format error")
            }
            if state.faults.busyAPIs.contains(api) {
                return reject(&state, "fault-system-busy", errcode: -1, "system error")
            }
            if api != "stable_token" || state.faults.includeTokenCalls {
                if let fault = fault(&state) { return fault }
            }
            let answer: SimulatorResponse
            if api == "stable_token" {
                answer = stableToken(&state, body)
            } else if let refused = checkToken(&state, request.query["access_token"]) {
                return refused
            } else if state.faults.quotaExhausted {
                return reject(&state, "quota", errcode: 45009, "reach max api daily quota limit")
            } else {
                switch api {
                case "draft/add": answer = addDraft(&state, body)
                case "freepublish/submit": answer = submit(&state, body)
                case "freepublish/get": answer = get(&state, body)
                case "freepublish/delete": answer = delete(&state, body)
                case "freepublish/batchget": answer = batchget(&state, body)
                default: return reject(&state, "unknown-api", errcode: 48001, "api unauthorized", status: .notFound)
                }
            }
            return afterEffect(&state, answer)
        }
    }

    /// The article's page as a reader opens it from the link in ``WeChatHeldArticle/url``:
    /// no token; 阅读原文 links to `content_source_url`. Removed articles answer 200 with WeChat's notice, as the real pages do.
    private func publicPage(articleID: String) -> SimulatorResponse {
        let article = state.withLockedValue { state -> WeChatHeldArticle? in
            state.pageViews += 1
            return state.articles[articleID]
        }
        guard let article else { return PublicPageHTML.response(PublicPageHTML.notFound(), status: 404) }
        switch article.state {
        case .live:
            return PublicPageHTML.response(
                PublicPageHTML.weChatArticle(
                    title: article.title, author: article.author, content: article.content,
                    sourceURL: article.contentSourceURL))
        case .deleted, .deletedByUser:
            return PublicPageHTML.response(PublicPageHTML.weChatNotice("该内容已被发布者删除"))
        case .blocked:
            return PublicPageHTML.response(PublicPageHTML.weChatNotice("此内容因违规无法查看"))
        }
    }

    // MARK: Faults

    private func fault(_ state: inout State) -> SimulatorResponse? {
        let faults = state.faults
        guard faults.serverErrorRate > 0 || faults.systemBusyRate > 0 else { return nil }
        var draw = state.random.nextUnit()
        if draw < faults.serverErrorRate {
            state.rejections["fault-server-error", default: 0] += 1
            let status: HTTPResponseStatus = [.internalServerError, .badGateway, .serviceUnavailable][Int(state.random.next() % 3)]
            return .json(["errcode": -1, "errmsg": "system error"], status: status)
        }
        draw -= faults.serverErrorRate
        if draw < faults.systemBusyRate {
            return reject(&state, "fault-system-busy", errcode: -1, "system error")
        }
        return nil
    }

    /// Drops and slow answers happen after the call took effect: the lost-answer cases.
    private func afterEffect(_ state: inout State, _ answer: SimulatorResponse) -> SimulatorResponse {
        let faults = state.faults
        guard faults.dropRate > 0 || faults.slowRate > 0 else { return answer }
        var draw = state.random.nextUnit()
        if draw < faults.dropRate {
            state.rejections["fault-dropped", default: 0] += 1
            return .dropped
        }
        draw -= faults.dropRate
        if draw < faults.slowRate {
            var slow = answer
            slow.delay = faults.slowDelay
            return slow
        }
        return answer
    }

    private func reject(
        _ state: inout State, _ reason: String, errcode: Int, _ errmsg: String, status: HTTPResponseStatus = .ok
    ) -> SimulatorResponse {
        state.rejections[reason, default: 0] += 1
        return .json(["errcode": errcode, "errmsg": errmsg + " rid: sim-\(state.serial)"], status: status)
    }

    func currentTime(_ state: State) -> Int64 { clock.now() + state.clockOffset }

    // MARK: Tokens

    private func stableToken(_ state: inout State, _ body: [String: Any]) -> SimulatorResponse {
        guard body["grant_type"] as? String == "client_credential" else {
            return reject(&state, "invalid-grant-type", errcode: 40002, "invalid grant_type")
        }
        guard body["appid"] as? String == appID else { return reject(&state, "invalid-appid", errcode: 40013, "invalid appid") }
        guard body["secret"] as? String == appSecret else {
            return reject(&state, "invalid-appsecret", errcode: 40125, "invalid appsecret")
        }
        guard state.ipWhitelisted else {
            return reject(&state, "ip-not-whitelisted", errcode: 40164, "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist")
        }
        let now = currentTime(state)
        let force = (body["force_refresh"] as? Bool) ?? (body["force_refresh"] as? NSNumber)?.boolValue ?? false
        if let current = state.currentToken, let issued = state.tokens[current], !issued.revoked {
            // Forced refreshes closer than 30 s apart do not refresh (the platform's rule).
            let forcedTooSoon = force && state.lastForcedRefresh.map { now - $0 < 30_000 } == true
            if (!force && now < issued.expiresAt - Self.handover) || forcedTooSoon {
                return .json(["access_token": current, "expires_in": Int((issued.expiresAt - now) / 1000)])
            }
        }
        if force {
            state.forcedRefreshes += 1
            state.lastForcedRefresh = now
            // Strong mode: the previous token stops working at once.
            if let current = state.currentToken { state.tokens[current]?.revoked = true }
        }
        state.serial += 1
        let token = "simtoken\(state.serial)x\(String(state.random.next(), radix: 36))"
        state.tokens[token] = IssuedToken(expiresAt: now + Self.tokenLifetime, revoked: false)
        state.currentToken = token
        return .json(["access_token": token, "expires_in": Int(Self.tokenLifetime / 1000)])
    }

    private func checkToken(_ state: inout State, _ token: String?) -> SimulatorResponse? {
        guard let token, !token.isEmpty else {
            return reject(&state, "missing-token", errcode: 41001, "access_token missing")
        }
        guard let issued = state.tokens[token], !issued.revoked, token != state.refusedToken, !state.refuseEveryToken else {
            return reject(&state, "invalid-token", errcode: 40001, "invalid credential, access_token is invalid or not latest")
        }
        guard currentTime(state) < issued.expiresAt else {
            return reject(&state, "expired-token", errcode: 42001, "access_token expired")
        }
        return nil
    }

    // MARK: Draft box and publishing

    private func addDraft(_ state: inout State, _ body: [String: Any]) -> SimulatorResponse {
        guard let articles = body["articles"] as? [[String: Any]], (1...8).contains(articles.count) else {
            return reject(&state, "empty-articles", errcode: 44003, "empty news data")
        }
        var kept: [[String: String]] = []
        for article in articles {
            let title = article["title"] as? String ?? ""
            let author = article["author"] as? String ?? ""
            let digest = article["digest"] as? String ?? ""
            let content = article["content"] as? String ?? ""
            let thumb = article["thumb_media_id"] as? String ?? ""
            if title.isEmpty { return reject(&state, "empty-title", errcode: 44003, "empty news data") }
            if title.utf16.count > Self.limits.title {
                return reject(&state, "title-too-long", errcode: 45003, "title size out of limit")
            }
            if author.utf16.count > Self.limits.author {
                return reject(&state, "author-too-long", errcode: 45110, "author size out of limit")
            }
            if digest.utf16.count > Self.limits.digest {
                return reject(&state, "digest-too-long", errcode: 45004, "description size out of limit")
            }
            if content.isEmpty { return reject(&state, "empty-content", errcode: 44004, "empty content") }
            if content.utf16.count >= Self.limits.content {
                return reject(&state, "content-too-long", errcode: 45002, "content size out of limit")
            }
            if Self.hasExternalImage(content) {
                return reject(&state, "external-image", errcode: 45166, "invalid content hint")
            }
            guard state.permanentMedia.contains(thumb) else {
                return reject(&state, "invalid-thumb", errcode: 40007, "invalid media_id")
            }
            // draft/add: content_source_url (阅读原文) at most 1 KB. The documentation gives no code
            // for exceeding it; the simulator answers 40035 (不合法的参数, invalid args).
            if let source = article["content_source_url"] as? String, source.utf8.count > Self.limits.contentSourceURLBytes {
                return reject(&state, "source-url-too-long", errcode: 40035, "invalid args: content_source_url size out of limit")
            }
            var fields = ["title": title, "author": author, "digest": digest, "content": content, "thumb_media_id": thumb]
            if let source = article["content_source_url"] as? String { fields["content_source_url"] = source }
            kept.append(fields)
        }
        state.serial += 1
        let mediaID = "simmedia\(state.serial)"
        state.drafts[mediaID] = Draft(articles: kept, published: false)
        return .json(["media_id": mediaID])
    }

    static func hasExternalImage(_ html: String) -> Bool {
        guard let tag = try? NSRegularExpression(pattern: "<img\\b[^>]*>", options: [.caseInsensitive]),
            let source = try? NSRegularExpression(pattern: "\\bsrc\\s*=\\s*[\"']?([^\"'\\s>]+)", options: [.caseInsensitive])
        else { return false }
        let text = html as NSString
        for match in tag.matches(in: html, range: NSRange(location: 0, length: text.length)) {
            let found = text.substring(with: match.range) as NSString
            guard let src = source.firstMatch(in: found as String, range: NSRange(location: 0, length: found.length)),
                URL(string: found.substring(with: src.range(at: 1)))?.host?.lowercased() == imageHost
            else { return true }
        }
        return false
    }

    private func submit(_ state: inout State, _ body: [String: Any]) -> SimulatorResponse {
        guard let mediaID = body["media_id"] as? String, let draft = state.drafts[mediaID], !draft.published else {
            return reject(&state, "invalid-media-id", errcode: 40007, "invalid media_id")
        }
        state.drafts[mediaID]?.published = true
        state.serial += 1
        let publishID = String(2_247_483_000 + state.serial)
        state.publishes[publishID] = Publish(mediaID: mediaID, plan: state.plan, polls: 0)
        return .json(["errcode": 0, "errmsg": "ok", "publish_id": publishID])
    }

    private func get(_ state: inout State, _ body: [String: Any]) -> SimulatorResponse {
        guard let publishID = Self.text(body["publish_id"]), var publish = state.publishes[publishID] else {
            return reject(&state, "invalid-publish-id", errcode: 40007, "invalid publish_id")
        }
        defer { state.publishes[publishID] = publish }
        if publish.polls < publish.plan.pollsInProgress {
            publish.polls += 1
            return .json(["publish_id": publishID, "publish_status": 1])
        }
        guard publish.plan.finalStatus == 0 else {
            return .json(["publish_id": publishID, "publish_status": publish.plan.finalStatus, "fail_idx": [1]])
        }
        let articleID = publish.articleID ?? publishArticle(&state, publishID: publishID, mediaID: publish.mediaID)
        publish.articleID = articleID
        guard let article = state.articles[articleID] else {
            return .json(["publish_id": publishID, "publish_status": 3, "fail_idx": [1]])
        }
        let status: Int
        switch article.state {
        case .live: status = 0
        case .deleted, .deletedByUser: status = 5
        case .blocked: status = 6
        }
        return .json([
            "publish_id": publishID, "publish_status": status, "article_id": articleID,
            "article_detail": ["count": 1, "item": [["idx": 1, "article_url": article.url]]], "fail_idx": [Int](),
        ])
    }

    private func publishArticle(_ state: inout State, publishID: String, mediaID: String) -> String {
        state.serial += 1
        let articleID = "simArticle\(state.serial)_\(String(state.random.next() % 1_000_000, radix: 36))"
        let fields = state.drafts[mediaID]?.articles.first ?? [:]
        let author = fields["author"] ?? ""
        state.articles[articleID] = WeChatHeldArticle(
            articleID: articleID, publishID: publishID, title: fields["title"] ?? "", author: author.isEmpty ? nil : author,
            digest: fields["digest"] ?? "", content: fields["content"] ?? "", contentSourceURL: fields["content_source_url"],
            thumbMediaID: fields["thumb_media_id"] ?? "", url: "https://mp.weixin.qq.com/s/\(articleID)",
            updateTime: currentTime(state) / 1000, state: .live)
        state.articleOrder.append(articleID)
        return articleID
    }

    private func delete(_ state: inout State, _ body: [String: Any]) -> SimulatorResponse {
        guard let articleID = body["article_id"] as? String, state.articles[articleID]?.state == .live else {
            return reject(&state, "invalid-article-id", errcode: 53600, "Article ID 无效")
        }
        let index = Self.number(body["index"]) ?? 0
        guard index == 0 || index == 1 else { return reject(&state, "invalid-index", errcode: 40097, "invalid args") }
        state.articles[articleID]?.state = .deleted
        return .json(["errcode": 0, "errmsg": "ok"])
    }

    private func batchget(_ state: inout State, _ body: [String: Any]) -> SimulatorResponse {
        guard let offset = Self.number(body["offset"]), offset >= 0, let count = Self.number(body["count"]),
            (1...20).contains(count)
        else { return reject(&state, "invalid-args", errcode: 40097, "invalid args") }
        let withContent = (Self.number(body["no_content"]) ?? 0) == 0
        let live = state.articleOrder.reversed().compactMap { state.articles[$0] }.filter { $0.state == .live }
        let page = live.dropFirst(offset).prefix(count)
        let items: [[String: Any]] = page.map { article in
            var news: [String: Any] = [
                "title": article.title, "author": article.author ?? "", "digest": article.digest,
                "content_source_url": article.contentSourceURL ?? "", "thumb_media_id": article.thumbMediaID,
                "url": article.url, "is_deleted": false,
            ]
            if withContent { news["content"] = article.content }
            return [
                "article_id": article.articleID,
                "content": ["news_item": [news], "create_time": article.updateTime, "update_time": article.updateTime],
                "update_time": article.updateTime,
            ]
        }
        return .json(["total_count": live.count, "item_count": items.count, "item": items])
    }

    static func text(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let number = value as? NSNumber { return number.stringValue }
        return nil
    }

    static func number(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        if let text = value as? String { return Int(text) }
        return nil
    }
}
