import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import NIOCore
import Testing

@Suite("Provincial disclosure platform channel")
struct PlatformAdapterTests {
    static let appKey = "gk-app-2201"
    static let secret = "platform-secret-9c41d2"
    static let site = "jl-lcj"
    static let channelID = "platform"

    struct Setup {
        let simulator: PlatformSimulator
        let adapter: PlatformAdapter

        func close() async {
            await adapter.shutdown()
            await simulator.stop()
        }
    }

    static func setUp(
        secret: String = secret, siteCode: String = site, pageSize: Int? = nil, clock: any WallClock = SystemWallClock()
    ) async throws -> Setup {
        let simulator = PlatformSimulator(appKey: appKey, appSecret: Self.secret, logger: PublishingHarness.logger)
        try await simulator.start()
        var options = ["appKey": appKey, "siteCode": siteCode]
        if let pageSize { options["pageSize"] = String(pageSize) }
        let definition = ChannelDefinition(
            id: channelID, kind: .platform, endpoint: simulator.endpoint,
            credentials: ["appSecret": .environment("TEST_PLATFORM_SECRET")], options: options)
        let adapter = try PlatformAdapter.make(definition, environment: ["TEST_PLATFORM_SECRET": secret], clock: clock)
        return Setup(simulator: simulator, adapter: adapter)
    }

    static func document(_ setup: Setup, _ item: DisclosureItem) -> PlatformDocument? {
        setup.simulator.document(siteCode: site, externalID: PlatformAdapter.externalID(for: item.id))
    }

    static func failure(_ setup: Setup, _ request: DeliveryRequest, deadline: NIODeadline = PublishingHarness.deadline())
        async -> DeliveryError?
    {
        await PublishingHarness.outcome { () async throws(DeliveryError) in
            try await setup.adapter.deliver(request, deadline: deadline)
        }.error
    }

    @Test("a publish creates the document with its catalogue and answers id and URL")
    func create() async throws {
        let setup = try await Self.setUp()
        let item = SampleDisclosures.policy
        let canonical = "https://www.example.gov.cn/site/zcwj/202603/t20260305_10001.html"
        let receipt = try await setup.adapter.deliver(
            PublishingHarness.publish(item, channelID: Self.channelID, canonicalURL: canonical),
            deadline: PublishingHarness.deadline())
        let document = try #require(Self.document(setup, item))
        #expect(receipt.remoteID == document.docID)
        #expect(receipt.remoteURL == document.url)
        #expect(receipt.remoteURL?.hasPrefix(setup.simulator.baseURL + "/gk/jl-lcj/xxgk/") == true)
        #expect(document.catalogue["indexNumber"] == "013544285/2026-00012")
        #expect(document.catalogue["publisher"] == "吉林省林业和草原局")
        #expect(document.catalogue["topic"] == SampleDisclosures.topic)
        #expect(document.catalogue["genre"] == "方案")
        #expect(document.catalogue["writtenOn"] == "2026-03-02")
        #expect(document.catalogue["publishOn"] == "2026-03-05")
        #expect(document.catalogue["documentNumber"] == "吉林林草发〔2026〕12号")
        #expect(document.catalogue["validity"] == "有效")
        #expect(document.catalogue["attribute"] == "主动公开")
        #expect(document.sourceURL == canonical)
        #expect(document.version == 1)
        await setup.close()
    }

    @Test("an item without 文号 goes without it")
    func withoutDocumentNumber() async throws {
        let setup = try await Self.setUp()
        let item = SampleDisclosures.interpretation
        _ = try await setup.adapter.deliver(
            PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        let document = try #require(Self.document(setup, item))
        #expect(document.catalogue["documentNumber"] == nil)
        #expect(document.catalogue["genre"] == "解读")
        await setup.close()
    }

    @Test("a new version replaces the document in place")
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
        let documents = setup.simulator.documents()
        #expect(documents.count == 1)
        #expect(documents.first?.version == 2)
        #expect(documents.first?.title == edited.title)
        #expect(setup.simulator.createdCount == 1)
        await setup.close()
    }

    @Test("a PUT retried after a lost answer is signed afresh and does not duplicate")
    func retriedPutDoesNotDuplicate() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.dropAfterApplying]))
        let request = PublishingHarness.publish(SampleDisclosures.notice, channelID: Self.channelID)
        let error = try #require(await Self.failure(setup, request))
        #expect(error.isRetryable)
        _ = try await setup.adapter.deliver(request, deadline: PublishingHarness.deadline())
        #expect(setup.simulator.createdCount == 1)
        #expect(setup.simulator.writeCount == 2)
        #expect(setup.simulator.documents().count == 1)
        #expect(setup.simulator.rejectedCounts["replayed-nonce"] == nil)
        await setup.close()
    }

    @Test("withdrawal deletes the document; deleting one that is gone succeeds")
    func withdraw() async throws {
        let setup = try await Self.setUp()
        let item = SampleDisclosures.notice
        let published = try await setup.adapter.deliver(
            PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        let request = PublishingHarness.withdraw(item, channelID: Self.channelID, remoteID: published.remoteID)
        let withdrawn = try await setup.adapter.deliver(request, deadline: PublishingHarness.deadline())
        #expect(withdrawn.remoteID == published.remoteID)
        #expect(Self.document(setup, item) == nil)
        #expect(setup.simulator.deletionCount == 1)
        let again = try await setup.adapter.deliver(request, deadline: PublishingHarness.deadline())
        #expect(again.httpStatus == 404)
        await setup.close()
    }

    @Test("listing pages through the site with each document's version and hash")
    func listing() async throws {
        let setup = try await Self.setUp(pageSize: 10)
        var expected: [String: String] = [:]
        for n in 1...25 {
            let item = PublishingHarness.notice(n)
            expected[item.id] = ItemCanonicalForm.contentHash(item)
            _ = try await setup.adapter.deliver(
                PublishingHarness.publish(item, channelID: Self.channelID), deadline: PublishingHarness.deadline())
        }
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
        #expect(entries.count == 25)
        #expect(Dictionary(uniqueKeysWithValues: entries.map { ($0.itemID ?? "", $0.contentHash ?? "") }) == expected)
        #expect(entries.allSatisfy { $0.version == 1 && $0.remoteID.hasPrefix("DOC") })
        // Tampering shows up in the next listing.
        let victim = PlatformAdapter.externalID(for: "notice-3")
        #expect(setup.simulator.setStale(siteCode: Self.site, externalID: victim, version: 0, contentHash: "old"))
        #expect(setup.simulator.removeBehindOurBack(siteCode: Self.site, externalID: PlatformAdapter.externalID(for: "notice-4")))
        let first = try await setup.adapter.list(cursor: nil, deadline: PublishingHarness.deadline())
        #expect(first.entries.first { $0.itemID == "notice-3" }?.contentHash == "old")
        #expect(!first.entries.contains { $0.itemID == "notice-4" })
        await setup.close()
    }

    @Test("an item without 体裁分类 is refused before anything is sent, naming the field")
    func missingGenre() async throws {
        let setup = try await Self.setUp()
        var item = SampleDisclosures.policy
        item.genre = nil
        let error = try #require(await Self.failure(setup, PublishingHarness.publish(item, channelID: Self.channelID)))
        #expect(!error.isRetryable)
        #expect(error.failure.message.contains("体裁分类"))
        #expect(error.failure.message.contains("genre"))
        #expect(error.itemID == item.id)
        #expect(setup.simulator.requestCount == 0)
        await setup.close()
    }

    @Test("a refused signature is permanent, says to fix the secret and never shows it")
    func badSecret() async throws {
        let wrong = "not-the-secret-5511"
        let setup = try await Self.setUp(secret: wrong)
        let error = try #require(
            await Self.failure(setup, PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID)))
        #expect(!error.isRetryable)
        #expect(error.httpStatus == 401)
        #expect(error.failure.message.contains("40101"))
        #expect(error.failure.message.contains("credentials.appSecret"))
        #expect(!error.description.contains(wrong))
        #expect(!error.description.contains(Self.secret))
        #expect(setup.simulator.rejectedCounts["invalid-signature"] == 1)
        #expect(setup.simulator.documents().isEmpty)
        await setup.close()
    }

    @Test("a clock far off gets 40102: retryable, and the message says to check the clock")
    func staleClock() async throws {
        let setup = try await Self.setUp(clock: FixedClock(millis: SystemWallClock().now() - 10 * 60_000))
        let error = try #require(
            await Self.failure(setup, PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID)))
        #expect(error.isRetryable)
        #expect(error.failure.message.contains("40102"))
        #expect(error.failure.message.contains("clock"))
        #expect(setup.simulator.rejectedCounts["stale-timestamp"] == 1)
        await setup.close()
    }

    @Test("42901 is retryable and throttled with the Retry-After")
    func throttled() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.throttle(retryAfterSeconds: 7)]))
        let error = try #require(
            await Self.failure(setup, PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID)))
        #expect(error.isRetryable)
        #expect(error.failure.throttled)
        #expect(error.failure.retryAfter == 7_000)
        #expect(error.failure.message.contains("42901"))
        await setup.close()
    }

    @Test("50001 / 5xx is retryable and counts as an outage")
    func serverError() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.serverError(status: 500)]))
        let error = try #require(
            await Self.failure(setup, PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID)))
        #expect(error.isRetryable)
        #expect(error.indicatesOutage)
        #expect(error.failure.message.contains("50001"))
        await setup.close()
    }

    @Test("a dropped connection is retryable and nothing is held")
    func dropped() async throws {
        let setup = try await Self.setUp()
        setup.simulator.setFaults(PublishingFaults(script: [.drop]))
        let error = try #require(
            await Self.failure(setup, PublishingHarness.publish(SampleDisclosures.policy, channelID: Self.channelID)))
        #expect(error.isRetryable)
        #expect(setup.simulator.documents().isEmpty)
        await setup.close()
    }

    @Test("check passes with good credentials, fails with a bad secret or a foreign site")
    func check() async throws {
        let good = try await Self.setUp()
        let passed = await good.adapter.check(deadline: PublishingHarness.deadline())
        #expect(passed.allSatisfy { $0.passed })
        #expect(Set(passed.map(\.name)) == ["configuration", "credentials", "reachability"])
        #expect(good.simulator.documents().isEmpty)
        await good.close()

        let wrong = "not-the-secret-5511"
        let bad = try await Self.setUp(secret: wrong)
        let failed = await bad.adapter.check(deadline: PublishingHarness.deadline())
        #expect(failed.first { $0.name == "credentials" }?.passed == false)
        #expect(failed.first { $0.name == "reachability" }?.passed == true)
        #expect(failed.allSatisfy { !$0.detail.contains(wrong) })
        await bad.close()

        let foreign = try await Self.setUp(siteCode: "other-site")
        let refused = await foreign.adapter.check(deadline: PublishingHarness.deadline())
        #expect(refused.first { $0.name == "configuration" }?.passed == false)
        #expect(refused.first { $0.name == "configuration" }?.detail.contains("options.siteCode") == true)
        await foreign.close()
    }

    @Test("the factory needs appKey, siteCode and appSecret")
    func factory() throws {
        let definition = ChannelDefinition(
            id: "platform", kind: .platform, endpoint: "http://127.0.0.1:1/api/v1",
            credentials: ["appSecret": .environment("S")], options: ["appKey": "k"])
        let error = #expect(throws: GongkaiError.self) { try PlatformAdapter.make(definition, environment: ["S": "s"]) }
        #expect(error?.field == "options.siteCode")
        var noSecret = definition
        noSecret.options["siteCode"] = "jl-lcj"
        let missing = #expect(throws: GongkaiError.self) { try PlatformAdapter.make(noSecret, environment: [:]) }
        #expect(missing?.field == "credentials.appSecret")
    }
}
