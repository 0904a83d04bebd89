public import Foundation
public import GongkaiCore
public import NIOCore
import NIOHTTP1

/// A WeChat official account (微信公众号), through the draft box and
/// `freepublish` (发布能力).
///
/// A publish is `draft/add` then `freepublish/submit`; WeChat finishes it
/// asynchronously, so the adapter polls `freepublish/get` briefly and
/// otherwise answers ``DeliveryReceipt/inProgress(remoteID:checkAfter:httpStatus:)``
/// with a ``WeChatRemoteID/pending(_:)`` id; the next `deliver` with that id
/// polls instead of publishing again, also after a daemon restart. A new
/// version is a new article; the older one is deleted once the new one is
/// live. If that deletion fails retryably, the publish stays in progress and
/// the deletion is tried again at each check; after ``maxDeletionChecks`` the
/// new article is reported anyway and the old one stays live, where
/// reconciliation finds it as an article no delivery owns. A failed deletion
/// never republishes. Withdrawal is `freepublish/delete`, listing
/// `freepublish/batchget`.
///
/// Every call carries the account's `access_token` from a ``WeChatTokenCache``
/// shared by the whole process; a call refused with 40001/42001 refreshes it
/// once and is sent again.
public struct WeChatAdapter: ChannelAdapter {
    /// The channel file's `id`.
    public let channelID: String
    /// No `.update`: a new version is a new article (republish), the old one deleted.
    public var capabilities: ChannelCapabilities { ChannelDefinition.Kind.wechat.capabilities }
    private let endpoint: String
    private let appID: String
    private let appSecret: String
    private let thumbMediaID: String
    private let author: String?
    private let http: PlatformHTTP
    private let clock: any WallClock
    private let tokens: WeChatTokenCache
    /// How long one `deliver` polls a fresh publish before answering in-progress (ms).
    private let publishWait: Int64
    /// First back-off of an in-progress publish (ms); doubles per check.
    private let checkAfter: Int64

    /// Longest back-off between checks of a publish (ms).
    static let maxCheckAfter: Int64 = 30 * 60_000
    /// Checks after which a replaced article that cannot be deleted is left to reconciliation.
    static let maxDeletionChecks = 8
    /// `freepublish/batchget` page size (WeChat's maximum).
    static let pageSize = 20
    static let allowedOptions: Set<String> = ["appID", "thumbMediaID", "author", "publishWait", "checkAfter"]

    /// An adapter from resolved settings; ``make(_:environment:clock:tokens:)`` reads them from a channel file.
    /// - Parameter http: owned from now on; ``shutdown()`` shuts it down.
    public init(
        definition: ChannelDefinition, appID: String, appSecret: String, thumbMediaID: String, author: String?,
        http: PlatformHTTP, clock: any WallClock, tokens: WeChatTokenCache, publishWait: Int64 = 3_000,
        checkAfter: Int64 = 30_000
    ) {
        self.channelID = definition.id
        var endpoint = definition.endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.appID = appID
        self.appSecret = appSecret
        self.thumbMediaID = thumbMediaID
        self.author = author
        self.http = http
        self.clock = clock
        self.tokens = tokens
        self.publishWait = publishWait
        self.checkAfter = checkAfter
    }

    /// Reads options `appID`, `thumbMediaID`, `author`, `publishWait`,
    /// `checkAfter` and the credential `appSecret`.
    /// - Parameter tokens: the token cache; by default the process-wide one for this account.
    public static func make(
        _ definition: ChannelDefinition, environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: any WallClock = SystemWallClock(), tokens: WeChatTokenCache? = nil
    ) throws(GongkaiError) -> WeChatAdapter {
        try definition.rejectUnknownOptions(allowed: allowedOptions)
        try definition.rejectUnknownCredentials(allowed: ["appSecret"])
        let appID = try definition.option("appID")
        let alphanumeric = { (byte: UInt8) in (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        guard appID.utf8.allSatisfy(alphanumeric) else {
            throw GongkaiError(
                .configuration, "\(definition.source): options.appID must be the account's AppID (letters and digits, e.g. wx…)",
                channel: definition.id, field: "options.appID")
        }
        let thumbMediaID = try definition.option("thumbMediaID")
        let author = definition.options["author"].flatMap { $0.isEmpty ? nil : $0 }
        if let author, author.utf16.count > WeChatArticleRenderer.maxAuthor {
            throw GongkaiError(
                .configuration,
                "\(definition.source): options.author is \(author.utf16.count) characters; WeChat takes at most \(WeChatArticleRenderer.maxAuthor)",
                channel: definition.id, field: "options.author")
        }
        let publishWait = try definition.durationOption("publishWait", default: 3_000)
        let checkAfter = try definition.durationOption("checkAfter", default: 30_000)
        guard checkAfter >= 1_000 else {
            throw GongkaiError(
                .configuration, "\(definition.source): options.checkAfter must be at least 1s", channel: definition.id,
                field: "options.checkAfter")
        }
        let appSecret = try definition.credential("appSecret", environment: environment)
        let http = PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id)
        let tokens = tokens ?? WeChatTokenCache.forAccount(endpoint: definition.endpoint, appID: appID, clock: clock)
        return WeChatAdapter(
            definition: definition, appID: appID, appSecret: appSecret, thumbMediaID: thumbMediaID, author: author,
            http: http, clock: clock, tokens: tokens, publishWait: publishWait, checkAfter: checkAfter)
    }

    // MARK: Delivery

    /// Publishes (or keeps checking a pending publish of) one version, or withdraws it.
    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        switch request.operation {
        case .publish: return try await publish(request, deadline: deadline)
        case .withdraw: return try await withdraw(request, deadline: deadline)
        }
    }

    private func publish(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        var replaces: [String] = []
        switch WeChatRemoteID(request.remoteID) {
        case nil:
            break
        case .article(let articleID):
            // The article of an earlier version (or one reconciliation found gone): republish, then delete it.
            replaces = [articleID]
        case .pending(let pending) where pending.version == request.version:
            let outcome = try await poll(pending.publishID, deadline: deadline, itemID: request.itemID)
            return try await settle(pending, outcome: outcome, request: request, deadline: deadline)
        case .pending(let pending):
            // An older version is still publishing: let it settle first, so its article is known and can be replaced.
            switch try await poll(pending.publishID, deadline: deadline, itemID: request.itemID) {
            case .publishing:
                return inProgress(pending.checked())
            case .published(let articleID, _):
                replaces = pending.replaces + [articleID]
            case .failed:
                replaces = pending.replaces
            }
        }
        let item = try ChannelText.item(from: request)
        let article = try WeChatArticleRenderer.render(
            item, canonicalURL: request.canonicalURL, itemID: request.itemID, channelID: channelID)
        if request.remoteID == nil, let existing = try await alreadyPublished(article, deadline: deadline, itemID: request.itemID) {
            return DeliveryReceipt(remoteID: existing.articleID, remoteURL: existing.url, httpStatus: 200)
        }
        let mediaID = try await addDraft(article, deadline: deadline, itemID: request.itemID)
        let submitted = try await call(
            "/cgi-bin/freepublish/submit", WeChatWire.Submit(mediaID: mediaID), reply: WeChatWire.Submitted.self,
            deadline: deadline, itemID: request.itemID)
        guard let publishID = submitted.publishID?.text else {
            throw failure(permanent: false, "freepublish/submit answered without a publish_id", request.itemID)
        }
        let pending = WeChatRemoteID.Pending(version: request.version, publishID: publishID, replaces: replaces)
        // From here on the publish exists: nothing may throw a retryable error, or
        // the retry would publish a second article. Unknown outcomes become in-progress.
        let pollUntil = min(NIODeadline.now() + .milliseconds(publishWait), deadline - .milliseconds(1_500))
        var pause: Int64 = 0
        while publishWait > 0, NIODeadline.now() + .milliseconds(pause) < pollUntil {
            if pause > 0 {
                do { try await Task.sleep(for: .milliseconds(pause)) } catch { break }
            }
            pause = min(pause + 500, 1_500)
            let outcome: PublishOutcome
            do {
                outcome = try await poll(publishID, deadline: deadline, itemID: request.itemID)
            } catch {
                break
            }
            if case .publishing = outcome { continue }
            do {
                return try await settle(pending, outcome: outcome, request: request, deadline: deadline)
            } catch where error.failure.permanent {
                throw error
            } catch {
                break
            }
        }
        return inProgress(pending)
    }

    /// Turns a poll result into the answer for the engine.
    private func settle(
        _ pending: WeChatRemoteID.Pending, outcome: PublishOutcome, request: DeliveryRequest, deadline: NIODeadline
    ) async throws(DeliveryError) -> DeliveryReceipt {
        switch outcome {
        case .publishing:
            return inProgress(pending.checked())
        case .failed(let status, let detail):
            let kept = pending.replaces.isEmpty ? "" : "; the previous version's article stays published"
            throw failure(
                permanent: true,
                "WeChat publish \(pending.publishID) of version \(pending.version) failed: publish_status \(status.rawValue) "
                    + status.meaning + detail + kept, request.itemID)
        case .published(let articleID, let url):
            let left = await deleteAll(pending.replaces, deadline: deadline, itemID: request.itemID)
            if !left.isEmpty, pending.polls < Self.maxDeletionChecks {
                var next = pending.checked()
                next.replaces = left
                return inProgress(next)
            }
            // Past the last check a replaced article that still stands is left live; reconciliation
            // lists it as an article no delivery owns.
            return DeliveryReceipt(remoteID: articleID, remoteURL: url, httpStatus: 200)
        }
    }

    private func withdraw(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt {
        switch WeChatRemoteID(request.remoteID) {
        case nil:
            // Never published here: nothing to take down.
            return DeliveryReceipt(remoteID: nil, httpStatus: nil)
        case .article(let articleID):
            try await delete(articleID, deadline: deadline, itemID: request.itemID)
            return DeliveryReceipt(remoteID: articleID, httpStatus: 200)
        case .pending(let pending):
            var doomed = pending.replaces
            switch try await poll(pending.publishID, deadline: deadline, itemID: request.itemID) {
            case .publishing:
                return inProgress(pending.checked())
            case .published(let articleID, _):
                doomed.append(articleID)
            case .failed:
                // The publish itself left nothing live; older articles it was to replace may be.
                break
            }
            for articleID in doomed {
                try await delete(articleID, deadline: deadline, itemID: request.itemID)
            }
            return DeliveryReceipt(remoteID: doomed.last ?? request.remoteID, httpStatus: 200)
        }
    }

    private func inProgress(_ pending: WeChatRemoteID.Pending) -> DeliveryReceipt {
        let delay = min(checkAfter << min(Int64(pending.polls), 16), Self.maxCheckAfter)
        return .inProgress(remoteID: WeChatRemoteID.pending(pending).text, checkAfter: delay, httpStatus: 200)
    }

    // MARK: Platform calls

    private func addDraft(_ article: WeChatArticleRenderer.Article, deadline: NIODeadline, itemID: String)
        async throws(DeliveryError) -> String
    {
        var fields = WeChatWire.DraftAdd.Article(
            title: article.title, author: author, digest: article.digest, content: article.content,
            thumbMediaID: thumbMediaID)
        if let source = article.contentSourceURL {
            // draft/add: content_source_url (阅读原文) is at most 1 KB.
            guard source.utf8.count <= Self.maxContentSourceURLBytes else {
                throw failure(
                    permanent: true,
                    "the portal URL (canonicalURL, 阅读原文) is \(source.utf8.count) bytes; WeChat takes at most "
                        + "\(Self.maxContentSourceURLBytes) in content_source_url", itemID)
            }
            fields.contentSourceURL = source
        }
        let answer = try await call(
            "/cgi-bin/draft/add", WeChatWire.DraftAdd(articles: [fields]), reply: WeChatWire.DraftAdded.self,
            deadline: deadline, itemID: itemID)
        guard let mediaID = answer.mediaID?.text else {
            throw failure(permanent: false, "draft/add answered without a media_id", itemID)
        }
        return mediaID
    }

    /// WeChat has no idempotency key: a first publish whose answer was lost
    /// (a timeout after `freepublish/submit`) is retried with no remote id.
    /// Before publishing again, the newest articles are searched for this one
    /// (same 阅读原文 URL and title) and adopted if found. A publish still
    /// in progress at WeChat is not listed yet, so this narrows the window, not closes it.
    private func alreadyPublished(_ article: WeChatArticleRenderer.Article, deadline: NIODeadline, itemID: String)
        async throws(DeliveryError) -> (articleID: String, url: String?)?
    {
        guard let source = article.contentSourceURL else { return nil }
        // Best effort: if the lookup fails, draft/add reports the real problem; but a refusal
        // for good (40001 twice: the AppSecret or the IP whitelist) is final here too, since
        // draft/add would only spend two more stable_token fetches of the day's budget on it.
        let page: (entries: [(entry: ChannelListingEntry, sourceURL: String?)], nextCursor: String?)
        do {
            page = try await batchget(offset: 0, deadline: deadline)
        } catch where error.failure.permanent {
            throw error
        } catch {
            return nil
        }
        guard let match = page.entries.first(where: { $0.entry.title == article.title && $0.sourceURL == source }) else {
            return nil
        }
        return (match.entry.remoteID, match.entry.url)
    }

    enum PublishOutcome {
        case publishing
        case published(articleID: String, url: String?)
        case failed(WeChatPublishStatus, detail: String)
    }

    private func poll(_ publishID: String, deadline: NIODeadline, itemID: String) async throws(DeliveryError)
        -> PublishOutcome
    {
        let answer = try await call(
            "/cgi-bin/freepublish/get", WeChatWire.PublishQuery(publishID: publishID), reply: WeChatWire.PublishState.self,
            deadline: deadline, itemID: itemID)
        guard let code = answer.publishStatus?.value, let status = WeChatPublishStatus(rawValue: code) else {
            throw failure(permanent: false, "freepublish/get answered without a known publish_status", itemID)
        }
        switch status {
        case .publishing:
            return .publishing
        case .succeeded:
            guard let articleID = answer.articleID?.text else {
                throw failure(permanent: false, "freepublish/get reported success without an article_id", itemID)
            }
            let items = answer.articleDetail?.item
            return .published(articleID: articleID, url: items?.first?.articleURL?.text)
        default:
            let failed = answer.failIndexes?.compactMap { $0.wrappedValue?.value } ?? []
            return .failed(status, detail: failed.isEmpty ? "" : " (fail_idx \(failed.map(String.init).joined(separator: ",")))")
        }
    }

    private func delete(_ articleID: String, deadline: NIODeadline, itemID: String?) async throws(DeliveryError) {
        // 53600 (unknown article_id): already gone, deleted in the account's back office
        // or by an earlier attempt whose answer was lost.
        _ = try await call(
            "/cgi-bin/freepublish/delete", WeChatWire.Delete(articleID: articleID), reply: WeChatWire.Status.self,
            deadline: deadline, itemID: itemID, accepting: [53600])
    }

    /// Deletes what it can; returns the articles that are still there after a retryable failure.
    private func deleteAll(_ articleIDs: [String], deadline: NIODeadline, itemID: String) async -> [String] {
        var left: [String] = []
        for articleID in articleIDs {
            do {
                try await delete(articleID, deadline: deadline, itemID: itemID)
            } catch where error.failure.permanent {
                // Refused for good (48001 …): retrying will not help.
                continue
            } catch {
                left.append(articleID)
            }
        }
        return left
    }

    /// One API call with the shared token; 40001/40014/42001 refresh it once and send again.
    private func call<Reply: Decodable>(
        _ path: String, _ body: some Encodable, reply: Reply.Type, deadline: NIODeadline, itemID: String?,
        accepting: Set<Int> = []
    ) async throws(DeliveryError) -> Reply
    {
        var token = try await tokens.token(deadline: deadline, fetch: fetcher)
        var refreshed = false
        while true {
            let response = try await http.send(
                .POST, endpoint + path + "?access_token=" + token.value, body: PlatformHTTP.jsonBody(body),
                deadline: deadline, itemID: itemID)
            guard (200..<300).contains(response.status) else {
                throw PlatformHTTP.classify(
                    status: response.status, retryAfter: response.headers.first(name: "retry-after"),
                    detail: redacted(response.excerpt, token: token.value), itemID: itemID, channelID: channelID,
                    now: clock.now())
            }
            guard let status = response.decoded(WeChatWire.Status.self), let answer = response.decoded(Reply.self) else {
                throw failure(permanent: false, "\(Self.api(path)) answered with something that is not JSON", itemID)
            }
            let code = status.errcode?.value ?? 0
            if code == 0 || accepting.contains(code) { return answer }
            if Self.tokenRefused.contains(code), !refreshed {
                refreshed = true
                token = try await tokens.refresh(replacing: token.value, deadline: deadline, fetch: fetcher)
                continue
            }
            let message = redacted(status.errmsg?.text ?? "", token: token.value)
            // No HTTP status on errcode failures: WeChat answers them with 200, and
            // leaving it out lets -1 (system busy) count as an outage for the breaker.
            throw DeliveryError(
                Self.classify(errcode: code, errmsg: message, api: Self.api(path), now: clock.now()), itemID: itemID,
                channelID: channelID)
        }
    }

    /// draft/add's limit on `content_source_url`.
    static let maxContentSourceURLBytes = 1_024

    /// Codes that mean "this access_token is not (or no longer) valid".
    static let tokenRefused: Set<Int> = [40001, 40014, 42001]

    private var fetcher: WeChatTokenCache.Fetch {
        let http = self.http
        let url = endpoint + "/cgi-bin/stable_token"
        let appID = self.appID
        let appSecret = self.appSecret
        let clock = self.clock
        let channelID = self.channelID
        return { forceRefresh, deadline in
            let body = PlatformHTTP.jsonBody(
                WeChatWire.StableTokenRequest(appID: appID, secret: appSecret, forceRefresh: forceRefresh))
            let response: PlatformHTTP.Response
            do throws(DeliveryError) {
                response = try await http.send(.POST, url, body: body, deadline: deadline)
            } catch {
                return .failure(error)
            }
            let excerpt = ChannelText.redacting([appSecret], in: response.excerpt)
            guard (200..<300).contains(response.status) else {
                return .failure(
                    PlatformHTTP.classify(
                        status: response.status, retryAfter: response.headers.first(name: "retry-after"),
                        detail: "stable_token: " + excerpt, itemID: nil, channelID: channelID, now: clock.now()))
            }
            // A body that is not JSON reads as one without a token: errcode -1 below, retryable.
            let answer = response.decoded(WeChatWire.StableTokenReply.self)
            if let value = answer?.accessToken?.text, !value.isEmpty, let seconds = answer?.expiresIn?.value {
                let lifetime = Int64(max(seconds, 0)) * 1000
                return .success(WeChatTokenCache.Token(value: value, expiresAt: clock.now() + lifetime, lifetime: lifetime))
            }
            let code = answer?.errcode?.value ?? -1
            let message = ChannelText.redacting([appSecret], in: answer?.errmsg?.text ?? excerpt)
            return .failure(
                DeliveryError(
                    Self.classify(errcode: code, errmsg: message, api: "stable_token", now: clock.now()), channelID: channelID))
        }
    }

    /// What a WeChat `errcode` means for the delivery; the message names what an operator must fix.
    static func classify(errcode: Int, errmsg: String, api: String, now: Int64) -> SendFailure {
        let said = "\(api): errcode \(errcode)" + (errmsg.isEmpty ? "" : " \(errmsg)")
        switch errcode {
        case -1:
            return SendFailure(permanent: false, message: "WeChat system busy, \(said)")
        case 45009:
            return SendFailure(
                permanent: false, throttled: true, retryAfter: untilQuotaReset(now: now),
                message: "WeChat daily API quota reached (resets at 00:00 Beijing time), \(said)")
        case 45011:
            return SendFailure(
                permanent: false, throttled: true, retryAfter: 60_000, message: "WeChat per-minute API quota reached, \(said)")
        case 40001:
            // 40001 is "AppSecret wrong or access_token invalid" (公众号 全局返回码): refused again with a
            // token fetched a moment ago, retrying only spends the day's stable_token budget.
            return SendFailure(
                permanent: true,
                message: "a freshly fetched access_token was refused too: check credentials.appSecret and the account's "
                    + "IP whitelist (公众平台 → 设置与开发 → 基本配置 → IP白名单), \(said)")
        case 40014, 42001:
            return SendFailure(permanent: false, message: "access_token refused again after one refresh, \(said)")
        case 40013:
            return SendFailure(permanent: true, message: "invalid AppID: check options.appID, \(said)")
        case 40125:
            return SendFailure(permanent: true, message: "invalid AppSecret: check credentials.appSecret, \(said)")
        case 40164:
            return SendFailure(
                permanent: true,
                message: "this server's IP address is not in the account's IP whitelist (公众平台 → 设置与开发 → 基本配置 → IP白名单), \(said)")
        case 48001:
            return SendFailure(permanent: true, message: "the account is not authorised for this interface (48001 api unauthorized), \(said)")
        case 40007 where api == "draft/add":
            return SendFailure(
                permanent: true, message: "invalid media_id: options.thumbMediaID must be a permanent image (永久素材) of this account, \(said)")
        case 45002:
            return SendFailure(permanent: true, message: "content too long (content, fewer than 20,000 characters), \(said)")
        case 45003:
            return SendFailure(permanent: true, message: "title too long (title, at most 32 characters), \(said)")
        case 45004:
            return SendFailure(permanent: true, message: "digest too long (summary, at most 128 characters), \(said)")
        case 45110:
            return SendFailure(permanent: true, message: "author too long (options.author, at most 16 characters), \(said)")
        case 45166:
            return SendFailure(permanent: true, message: "content refused as invalid (body: external images, scripts or links), \(said)")
        case 53600:
            return SendFailure(permanent: true, message: "unknown article_id (deleted already?), \(said)")
        default:
            return SendFailure(permanent: true, message: "WeChat refused the request, \(said)")
        }
    }

    /// Milliseconds until the daily quota resets (midnight Beijing time), at least an hour.
    public static func untilQuotaReset(now: Int64) -> Int64 {
        let nextMidnight = CalendarDate.beijingDay(ofMillis: now).adding(days: 1).beijingStartMillis
        return max(3_600_000, nextMidnight - now)
    }

    private func failure(permanent: Bool, _ message: String, _ itemID: String?) -> DeliveryError {
        DeliveryError(SendFailure(permanent: permanent, message: message), itemID: itemID, channelID: channelID)
    }

    private func redacted(_ text: String, token: String) -> String {
        ChannelText.redacting([appSecret, token], in: text)
    }

    static func api(_ path: String) -> String {
        path.hasPrefix("/cgi-bin/") ? String(path.dropFirst("/cgi-bin/".count)) : path
    }

    // MARK: Listing and check

    /// One `freepublish/batchget` page (20 articles); the cursor is the offset.
    /// Entries carry the `article_id` as remote id; WeChat keeps no item id.
    public func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
        let page = try await batchget(offset: cursor.flatMap { Int($0) } ?? 0, deadline: deadline)
        return ChannelListingPage(entries: page.entries.map(\.entry), nextCursor: page.nextCursor)
    }

    /// One `freepublish/batchget` page: entries with each article's 阅读原文 URL.
    private func batchget(offset: Int, deadline: NIODeadline) async throws(DeliveryError)
        -> (entries: [(entry: ChannelListingEntry, sourceURL: String?)], nextCursor: String?)
    {
        let answer = try await call(
            "/cgi-bin/freepublish/batchget", WeChatWire.BatchGet(offset: offset, count: Self.pageSize),
            reply: WeChatWire.Published.self, deadline: deadline, itemID: nil)
        let items = answer.item ?? []
        var entries: [(entry: ChannelListingEntry, sourceURL: String?)] = []
        for item in items {
            guard let articleID = item.articleID?.text else { continue }
            let news = item.content?.newsItem?.first
            if news?.isDeleted == true { continue }
            let entry = ChannelListingEntry(remoteID: articleID, url: news?.url?.text, title: news?.title?.text)
            entries.append((entry, news?.contentSourceURL?.text))
        }
        let total = answer.totalCount?.value ?? 0
        let next = offset + (answer.itemCount?.value ?? items.count)
        return (entries, items.isEmpty || next >= total ? nil : String(next))
    }

    /// Fetches a token (normal mode): proves the AppID, the AppSecret and the IP whitelist; publishes nothing.
    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        var checks = [
            ChannelCheck(
                name: "configuration", passed: true,
                detail: "appID \(appID), thumbMediaID set" + (author.map { ", author \($0)" } ?? ", no author")),
        ]
        do {
            let token = try await tokens.token(deadline: deadline, fetch: fetcher)
            checks.append(ChannelCheck(name: "reachability", passed: true, detail: "\(endpoint) answered"))
            let seconds = max(0, (token.expiresAt - clock.now()) / 1000)
            checks.append(
                ChannelCheck(
                    name: "credentials", passed: true,
                    detail: "stable_token issued an access_token (valid \(seconds) s more): AppID, AppSecret and IP whitelist accepted"))
        } catch {
            // A permanent failure is an errcode (the platform answered); a retryable one may be no answer at all.
            let answered = error.failure.permanent || error.httpStatus != nil
            checks.append(
                ChannelCheck(
                    name: "reachability", passed: answered,
                    detail: answered ? "\(endpoint) answered" : error.failure.message))
            checks.append(
                ChannelCheck(
                    name: "credentials", passed: false, detail: answered ? error.failure.message : "not checked: no answer"))
        }
        return checks
    }

    /// Shuts the HTTP client down; the token cache outlives the adapter.
    public func shutdown() async {
        await http.shutdown()
    }
}
