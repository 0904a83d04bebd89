public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore
import Foundation

/// Checks what citizens see: for every item a public channel shows (or showed,
/// before a withdrawal), fetches the address the channel gave and classes the
/// page against what the outbox says it should show (``PublicPageVerdict``);
/// on pages that answer, checks the item's attachments (status and SHA-256)
/// and the links in the page.
///
/// The outbox is read a page at a time, and only rows that need attention are
/// kept (unless ``keepInSyncRows``), so memory stays flat however many items.
public struct PublicPageInspector: Sendable {
    public var store: any OutboxStore
    public var channels: [ChannelDefinition]
    public var fetcher: PublicWebFetcher
    public var clock: any WallClock
    /// Rows per outbox page.
    public var pageSize = 500
    /// Pages fetched at once per channel (each host still gets its polite pace).
    public var concurrency = 4
    /// Most links checked per page; the rest are counted as not checked.
    public var maxLinksPerPage = 30
    public var keepInSyncRows = false

    /// The channel kinds whose deliveries have a public page a citizen can open.
    public static let pageKinds: Set<ChannelDefinition.Kind> = [.portal, .platform, .wechat, .weibo]

    public init(
        store: any OutboxStore, channels: [ChannelDefinition], fetcher: PublicWebFetcher,
        clock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.channels = channels
        self.fetcher = fetcher
        self.clock = clock
    }

    /// Checks every public-page channel; `progress` gets a line now and then.
    public func run(progress: (@Sendable (String) -> Void)? = nil) async throws -> PublicPageReport {
        var report = PublicPageReport(checkedAt: clock.now())
        for definition in channels where Self.pageKinds.contains(definition.kind) && definition.audience == .public {
            var summary = PublicPageReport.ChannelSummary(channelID: definition.id, kind: definition.kind.rawValue)
            var after: String?
            while true {
                let page = try await store.deliveriesWithItems(channelID: definition.id, afterItemID: after, limit: pageSize)
                guard let last = page.last else { break }
                after = last.item.id
                var targets: [PublicPageExpectation] = []
                for (delivery, item) in page {
                    if let target = try await expectation(delivery, item: item, definition: definition) {
                        targets.append(target)
                    }
                }
                for row in await check(targets) {
                    summary.add(row)
                    if row.status != .inSync || row.needsAttention || keepInSyncRows { report.rows.append(row) }
                }
                progress?("\(definition.id): \(summary.pages) public pages checked")
            }
            report.channels.append(summary)
        }
        report.finishedAt = clock.now()
        return report
    }

    /// What the row's public page should show, or nil when it has none to check.
    func expectation(_ delivery: DeliveryRecord, item: ItemRecord, definition: ChannelDefinition) async throws
        -> PublicPageExpectation?
    {
        guard let url = delivery.remoteURL, url.hasPrefix("https://") || url.hasPrefix("http://") else { return nil }
        let withdrawn = delivery.state == .withdrawn || item.withdrawnAt != nil
        // Shown, or once shown and now withdrawn; a row never delivered has no page yet.
        guard delivery.deliveredVersion != nil || withdrawn else { return nil }
        let version = withdrawn ? (delivery.deliveredVersion ?? item.currentVersion) : delivery.wantedVersion
        guard let stored = try await store.itemVersion(itemID: item.id, version: version) else { return nil }
        let document = try? JSONDecoder().decode(DisclosureItem.self, from: Data(stored.publicDocument))
        return PublicPageExpectation(
            itemID: item.id, channelID: definition.id, url: url, version: version, contentHash: stored.contentHash,
            title: document?.title ?? item.title, documentNumber: definition.kind == .weibo ? nil : document?.documentNumber,
            withdrawn: withdrawn, attachments: document?.attachments ?? [],
            titleCharacters: Self.titleCharacters[definition.kind], listsAttachments: definition.kind == .portal)
    }

    /// How much of a long title a channel's page shows: a Weibo post its first 20
    /// characters; a WeChat article the title cut to 32 UTF-16 units, the last an ellipsis
    /// (``WeChatArticleRenderer/fitted(_:maxUTF16:)``).
    public static let titleCharacters: [ChannelDefinition.Kind: Int] = [
        .weibo: 20, .wechat: WeChatArticleRenderer.maxTitle - 1,
    ]

    /// Checks `targets`, `concurrency` at a time; rows come back in the targets' order.
    func check(_ targets: [PublicPageExpectation]) async -> [PublicPageRow] {
        var rows = [PublicPageRow?](repeating: nil, count: targets.count)
        await withTaskGroup(of: (Int, PublicPageRow).self) { group in
            var next = 0
            func startOne() {
                guard next < targets.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.inspect(targets[index])) }
            }
            for _ in 0..<max(1, concurrency) { startOne() }
            for await (index, row) in group {
                rows[index] = row
                startOne()
            }
        }
        return rows.compactMap { $0 }
    }

    /// One page, then (if it answered with the item) its attachments and links.
    public func inspect(_ expected: PublicPageExpectation) async -> PublicPageRow {
        let outcome = await fetcher.page(expected.url)
        var content: PublicPageContent?
        var finalURL = expected.url
        if case .answered(let status, let url, let body) = outcome, (200..<300).contains(status) {
            finalURL = url
            content = PublicPageContent(html: String(decoding: body, as: UTF8.self), pageURL: url)
        }
        let verdict = PublicPageVerdict.judge(expected, outcome, content: content)
        var row = PublicPageRow(
            channelID: expected.channelID, itemID: expected.itemID, url: expected.url, status: verdict.status,
            expectedVersion: expected.withdrawn ? nil : expected.version, shownVersion: verdict.shownVersion,
            detail: verdict.detail)
        guard let content, !expected.withdrawn, verdict.status == .inSync || verdict.status == .differs else { return row }
        let linked = Set(content.links)
        for attachment in expected.attachments {
            guard linked.contains(attachment.url) else {
                if expected.listsAttachments {
                    row.attachmentsChecked += 1
                    row.brokenAttachments.append(
                        .init(name: attachment.name, url: attachment.url, reason: "the page does not link it"))
                }
                continue
            }
            row.attachmentsChecked += 1
            switch await fetcher.fileDigest(attachment.url) {
            case .failure(let failure):
                row.brokenAttachments.append(.init(name: attachment.name, url: attachment.url, reason: failure.reason))
            case .success(let (status, digest)):
                if !(200..<300).contains(status) {
                    row.brokenAttachments.append(.init(name: attachment.name, url: attachment.url, reason: "answers \(status)"))
                } else if !attachment.sha256.isEmpty, let digest, digest != attachment.sha256.lowercased() {
                    row.brokenAttachments.append(
                        .init(name: attachment.name, url: attachment.url, reason: "its bytes do not match the item's sha256"))
                }
            }
        }
        let attachmentURLs = Set(expected.attachments.map(\.url))
        let links = content.links.filter { !attachmentURLs.contains($0) && $0 != finalURL && $0 != expected.url }
        for link in links.prefix(maxLinksPerPage) {
            row.linksChecked += 1
            switch await fetcher.linkStatus(link) {
            case .failure(let failure): row.deadLinks.append(.init(url: link, reason: failure.reason))
            case .success(let status) where status >= 400: row.deadLinks.append(.init(url: link, reason: "answers \(status)"))
            case .success: break
            }
        }
        row.linksNotChecked = max(0, links.count - maxLinksPerPage)
        return row
    }
}
