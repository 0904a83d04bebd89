import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import NIOCore
import Testing

@Suite("Portal CMS channel")
struct PortalAdapterTests {
    static let token = "portal-token-3f9a1c7e"
    static let channelID = "portal"

    /// A running simulator and an adapter pointed at it; call `close()` at the end.
    struct Setup {
        let simulator: PortalSimulator
        let adapter: PortalAdapter

        func close() async {
            await adapter.shutdown()
            await simulator.stop()
        }
    }

    static func setUp(token: String = token, column: String = "zcwj", pageSize: Int? = nil) async throws -> Setup {
        let simulator = PortalSimulator(token: Self.token, columns: ["zcwj", "tzgg"], logger: PublishingHarness.logger)
        try await simulator.start()
        var options = ["column": column]
        if let pageSize { options["pageSize"] = String(pageSize) }
        let definition = ChannelDefinition(
            id: channelID, kind: .portal, endpoint: simulator.endpoint,
            credentials: ["apiToken": .environment("TEST_PORTAL_TOKEN")], options: options)
        let adapter = try PortalAdapter.make(definition, environment: ["TEST_PORTAL_TOKEN": token])
        return Setup(simulator: simulator, adapter: adapter)
    }

    static func externalID(_ item: DisclosureItem) -> String { PortalAdapter.externalID(for: item.id) }

    @Test("a publish creates the article and answers its id and URL")
    func create() async throws {
        let setup = try await Self.setUp()
        let item = SampleDisclosures.policy
        let receipt = try await setup.adapter.deliver(
            PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        let article = try #require(setup.simulator.article(externalID: Self.externalID(item)))
        #expect(receipt.remoteID == article.id)
        #expect(receipt.remoteURL == article.url)
        #expect(receipt.remoteURL?.hasPrefix(setup.simulator.baseURL + "/site/zcwj/202603/t20260305_") == true)
        #expect(receipt.httpStatus == 201)
        #expect(article.column == "zcwj")
        #expect(article.title == item.title)
        #expect(article.documentNumber == "吉林林草发〔2026〕12号")
        #expect(article.indexNumber == item.indexNumber)
        #expect(article.publisher == item.publisher.name)
        #expect(article.version == 1)
        #expect(article.contentHash == ItemCanonicalForm.contentHash(item))
        await setup.close()
    }

    @Test("a new version replaces the article in place: same id and URL, version 2")
    func updateInPlace() async throws {
        let setup = try await Self.setUp()
        let item = SampleDisclosures.policy
        let edited = SampleDisclosures.edited(item)
        let first = try await setup.adapter.deliver(
            PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        let second = try await setup.adapter.deliver(
            PublishingHarness.publish(edited, version: 2, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        #expect(second.remoteID == first.remoteID)
        #expect(second.remoteURL == first.remoteURL)
        #expect(second.httpStatus == 200)
        let articles = setup.simulator.articles()
        #expect(articles.count == 1)
        #expect(articles.first?.version == 2)
        #expect(articles.first?.title == edited.title)
        #expect(articles.first?.contentHash == ItemCanonicalForm.contentHash(edited))
        #expect(setup.simulator.createdCount == 1)
        await setup.close()
    }

    @Test("a PUT retried after a lost answer does not create a second article")
    func retriedPutDoesNotDuplicate() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.dropAfterApplying]))
        let request = PublishingHarness.publish(SampleDisclosures.notice, channelID: Self.channelID)
        let lost = await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(request, deadline: PublishingHarness.deadline())
        }
        let error = try #require(lost.error)
        #expect(error.isRetryable)
        let receipt = try await setup.adapter.deliver(request, deadline: PublishingHarness.deadline())
        #expect(setup.simulator.createdCount == 1)
        #expect(setup.simulator.writeCount == 2)
        #expect(setup.simulator.articles().count == 1)
        #expect(receipt.remoteID == setup.simulator.articles().first?.id)
        await setup.close()
    }

    @Test("withdrawal deletes the article; deleting one that is gone succeeds")
    func withdraw() async throws {
        let setup = try await Self.setUp()
        let item = SampleDisclosures.notice
        let published = try await setup.adapter.deliver(
            PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        let request = PublishingHarness.withdraw(item, channelID: Self.channelID, remoteID: published.remoteID)
        let withdrawn = try await setup.adapter.deliver(request, deadline: PublishingHarness.deadline())
        #expect(withdrawn.httpStatus == 204)
        #expect(withdrawn.remoteID == published.remoteID)
        #expect(setup.simulator.article(externalID: Self.externalID(item)) == nil)
        #expect(setup.simulator.deletionCount == 1)
        let again = try await setup.adapter.deliver(request, deadline: PublishingHarness.deadline())
        #expect(again.httpStatus == 404)
        await setup.close()
    }

    @Test("listing pages through the column with each article's version and hash")
    func listing() async throws {
        let setup = try await Self.setUp(pageSize: 10)
        var expected: [String: String] = [:]
        for n in 1...25 {
            let item = PublishingHarness.notice(n)
            expected[item.id] = ItemCanonicalForm.contentHash(item)
            _ = try await setup.adapter.deliver(
                PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        }
        let foreign = setup.simulator.addForeignArticle(column: "zcwj", title: "编辑手工发布的文章")
        setup.simulator.addForeignArticle(column: "tzgg", title: "其他栏目的文章")
        var entries: [ChannelListingEntry] = []
        var cursors: [String?] = []
        var cursor: String? = nil
        repeat {
            let page = try await setup.adapter.list(cursor: cursor, deadline: PublishingHarness.deadline())
            entries += page.entries
            cursor = page.nextCursor
            cursors.append(cursor)
        } while cursor != nil
        #expect(cursors == ["2", "3", nil])
        #expect(entries.count == 26)
        let ours = entries.filter { $0.itemID != nil }
        #expect(Dictionary(uniqueKeysWithValues: ours.map { ($0.itemID ?? "", $0.contentHash ?? "") }) == expected)
        #expect(ours.allSatisfy { $0.version == 1 && $0.url?.hasPrefix(setup.simulator.baseURL) == true })
        #expect(entries.contains { $0.remoteID == foreign.id && $0.itemID == nil })
        await setup.close()
    }

    @Test("seeded articles list in the order given, as gongkai's own")
    func seeded() async throws {
        let setup = try await Self.setUp(pageSize: 2)
        let hash = String(repeating: "a", count: 64)
        setup.simulator.seedPublished(itemIDs: ["c", "a", "b"], column: "zcwj", version: 3, contentHash: hash)
        var entries: [ChannelListingEntry] = []
        var cursor: String? = nil
        repeat {
            let page = try await setup.adapter.list(cursor: cursor, deadline: PublishingHarness.deadline())
            entries += page.entries
            cursor = page.nextCursor
        } while cursor != nil
        #expect(entries.map(\.itemID) == ["c", "a", "b"])
        #expect(entries.allSatisfy { $0.version == 3 && $0.contentHash == hash })
        #expect(setup.simulator.createdCount == 3)
        await setup.close()
    }

    @Test("tampering shows in the listing: deleted, stale, restored")
    func tampering() async throws {
        let setup = try await Self.setUp()
        let kept = SampleDisclosures.policy
        let removed = SampleDisclosures.notice
        let withdrawn = SampleDisclosures.interpretation
        for item in [kept, removed, withdrawn] {
            _ = try await setup.adapter.deliver(
                PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        }
        _ = try await setup.adapter.deliver(
            PublishingHarness.withdraw(withdrawn, channelID: Self.channelID, remoteID: nil), deadline: PublishingHarness.deadline())
        #expect(setup.simulator.removeBehindOurBack(externalID: Self.externalID(removed)))
        #expect(setup.simulator.setStale(externalID: Self.externalID(kept), version: 0, contentHash: "stale"))
        #expect(setup.simulator.restoreWithdrawn(externalID: Self.externalID(withdrawn)))
        let page = try await setup.adapter.list(cursor: nil, deadline: PublishingHarness.deadline())
        let byItem = Dictionary(uniqueKeysWithValues: page.entries.map { ($0.itemID ?? "", $0) })
        #expect(byItem[removed.id] == nil)
        #expect(byItem[kept.id]?.contentHash == "stale")
        #expect(byItem[kept.id]?.version == 0)
        #expect(byItem[withdrawn.id] != nil)
        // A delivery repairs the stale article in place.
        _ = try await setup.adapter.deliver(
            PublishingHarness.publish(kept, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        #expect(setup.simulator.article(externalID: Self.externalID(kept))?.contentHash == ItemCanonicalForm.contentHash(kept))
        await setup.close()
    }

    @Test("a refused token is permanent, says to fix the credential and never shows the token")
    func badToken() async throws {
        let wrong = "wrong-token-77aa"
        let setup = try await Self.setUp(token: wrong)
        let result = await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(
                PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID),
                deadline: PublishingHarness.deadline())
        }
        let error = try #require(result.error)
        #expect(!error.isRetryable)
        #expect(error.httpStatus == 401)
        #expect(error.failure.message.contains("credentials.apiToken"))
        #expect(!error.description.contains(wrong))
        #expect(!error.description.contains(Self.token))
        #expect(setup.simulator.rejectedCounts["unauthorized"] == 1)
        #expect(setup.simulator.articles().isEmpty)
        await setup.close()
    }

    @Test("a validation refusal is permanent and names the field")
    func validation() async throws {
        let setup = try await Self.setUp(column: "nosuch")
        let result = await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(
                PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID),
                deadline: PublishingHarness.deadline())
        }
        let error = try #require(result.error)
        #expect(!error.isRetryable)
        #expect(error.httpStatus == 422)
        #expect(error.failure.message.contains("`column`"))
        await setup.close()
    }

    @Test("an older version than the portal holds is refused permanently (409, field version)")
    func olderVersion() async throws {
        let setup = try await Self.setUp()
        let item = SampleDisclosures.policy
        _ = try await setup.adapter.deliver(
            PublishingHarness.publish(SampleDisclosures.edited(item), version: 2, channelID: Self.channelID),
            deadline: PublishingHarness.deadline())
        let result = await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(
                PublishingHarness.publish(item, version: 1, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        }
        let error = try #require(result.error)
        #expect(!error.isRetryable)
        #expect(error.httpStatus == 409)
        #expect(error.failure.message.contains("`version`"))
        #expect(setup.simulator.articles().first?.version == 2)
        await setup.close()
    }

    @Test("429 is retryable and throttled with the Retry-After")
    func throttled() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.throttle(retryAfterSeconds: 7)]))
        let result = await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(
                PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID),
                deadline: PublishingHarness.deadline())
        }
        let error = try #require(result.error)
        #expect(error.isRetryable)
        #expect(error.failure.throttled)
        #expect(error.failure.retryAfter == 7_000)
        #expect(error.httpStatus == 429)
        #expect(setup.simulator.articles().isEmpty)
        await setup.close()
    }

    @Test("5xx is retryable and counts as an outage")
    func serverError() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.serverError(status: 502)]))
        let result = await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(
                PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID),
                deadline: PublishingHarness.deadline())
        }
        let error = try #require(result.error)
        #expect(error.isRetryable)
        #expect(error.indicatesOutage)
        #expect(error.httpStatus == 502)
        await setup.close()
    }

    @Test("a slow answer past the deadline is a retryable timeout")
    func slow() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.slow(.seconds(3))]))
        let result = await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(
                PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID),
                deadline: PublishingHarness.deadline(milliseconds: 300))
        }
        let error = try #require(result.error)
        #expect(error.isRetryable)
        #expect(error.failure.throttled)
        await setup.close()
    }

    @Test("check passes with a good token and fails the credential with a bad one")
    func check() async throws {
        let good = try await Self.setUp()
        let passed = await good.adapter.check(deadline: PublishingHarness.deadline())
        #expect(passed.allSatisfy { $0.passed })
        #expect(Set(passed.map(\.name)) == ["configuration", "credentials", "reachability"])
        #expect(good.simulator.articles().isEmpty)
        await good.close()

        let wrong = "wrong-token-77aa"
        let bad = try await Self.setUp(token: wrong)
        let failed = await bad.adapter.check(deadline: PublishingHarness.deadline())
        #expect(failed.first { $0.name == "credentials" }?.passed == false)
        #expect(failed.first { $0.name == "reachability" }?.passed == true)
        #expect(failed.allSatisfy { !$0.detail.contains(wrong) })
        await bad.close()
    }

    @Test("the factory rejects unknown options and a missing column")
    func factory() throws {
        let base = ChannelDefinition(
            id: "portal", kind: .portal, endpoint: "http://127.0.0.1:1/api/v1",
            credentials: ["apiToken": .environment("T")], options: ["column": "zcwj", "colum": "x"])
        #expect(throws: GongkaiError.self) { try PortalAdapter.make(base, environment: ["T": "t"]) }
        var missing = base
        missing.options = [:]
        let error = #expect(throws: GongkaiError.self) { try PortalAdapter.make(missing, environment: ["T": "t"]) }
        #expect(error?.field == "options.column")
    }
}
