import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import Testing

@Suite("Credit feed adapter against its simulator")
struct CreditFeedAdapterTests {
    static let token = "credit-token-7f3a9c"
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A started simulator and an adapter pointed at it; `body` runs with both, then both stop.
    static func withFeed(
        options: [String: String] = [:], token: String = token, clock: any WallClock = SystemWallClock(),
        _ body: (CreditFeedSimulator, CreditFeedAdapter) async throws -> Void
    ) async throws {
        let simulator = CreditFeedSimulator(apiToken: Self.token, logger: logger)
        try await simulator.start()
        let definition = ChannelDefinition(
            id: "credit-feed", kind: .creditFeed, endpoint: simulator.baseURL,
            credentials: ["apiToken": .environment("CREDIT_TOKEN")], options: options, audience: .government)
        let adapter = try CreditFeedAdapter.make(definition, environment: ["CREDIT_TOKEN": token], clock: clock)
        do {
            try await body(simulator, adapter)
        } catch {
            await adapter.shutdown()
            await simulator.stop()
            throw error
        }
        await adapter.shutdown()
        await simulator.stop()
    }

    /// The request the engine would build for the government audience (full document).
    static func request(
        _ item: DisclosureItem, version: Int = 1, operation: DeliveryOperation = .publish, reason: String? = nil,
        document: [UInt8]? = nil
    ) -> DeliveryRequest {
        DeliveryRequest(
            itemID: item.id, version: version, channelID: "credit-feed", operation: operation,
            contentHash: ItemCanonicalForm.contentHash(item), document: document ?? ItemCanonicalForm.document(item),
            withdrawReason: reason)
    }

    static var deadline: NIODeadline { .now() + .seconds(5) }

    /// A licence to another organisation, numbered `n`.
    static func licence(_ n: Int, creditCode: String = "91220600MA14TLW8KP") -> DisclosureItem {
        var item = SampleDisclosures.licence
        item.id = "jl-forestry-licence-2026-\(300 + n)"
        item.licence?.decisionNumber = "吉林草采许〔2026〕\(300 + n)号"
        item.subject?.creditCode = creditCode
        return item
    }

    @Test("a batch of a penalty and a licence is delivered record by record")
    func success() async throws {
        try await Self.withFeed { simulator, adapter in
            #expect(adapter.batchSize == 100)
            let results = await adapter.deliverBatch(
                [Self.request(SampleDisclosures.penaltyOnNaturalPerson), Self.request(SampleDisclosures.licence)],
                deadline: Self.deadline)
            #expect(results.count == 2)
            let receipts = try results.map { try $0.get() }
            #expect(receipts.allSatisfy { $0.remoteID != nil && $0.httpStatus == 200 })
            let penalty = try #require(simulator.record(itemID: SampleDisclosures.penaltyOnNaturalPerson.id))
            #expect(penalty.type == "CF")
            #expect(penalty.lastOperation == "add")
            #expect(penalty.remoteID == receipts[0].remoteID)
            #expect(penalty.fields["CF_JDRQ"] == "2026/10/20")
            let licence = try #require(simulator.record(itemID: SampleDisclosures.licence.id))
            #expect(licence.type == "XK")
            #expect(licence.contentHash == ItemCanonicalForm.contentHash(SampleDisclosures.licence))
            #expect(simulator.submissions().count == 1)
        }
    }

    @Test("one bad credit code in a batch: the good records are delivered, the bad one is permanent with the platform's reason")
    func batchWithBadRecord() async throws {
        try await Self.withFeed { simulator, adapter in
            let bad = Self.licence(2, creditCode: "91220600MA14TLW8K1")  // wrong check character
            let requests = [Self.request(Self.licence(1)), Self.request(bad), Self.request(Self.licence(3))]
            let results = await adapter.deliverBatch(requests, deadline: Self.deadline)
            #expect((try? results[0].get()) != nil)
            #expect((try? results[2].get()) != nil)
            guard case .failure(let error) = results[1] else {
                Issue.record("the bad record must fail")
                return
            }
            #expect(!error.isRetryable)
            #expect(error.itemID == bad.id)
            #expect(error.failure.message.contains("INVALID_CREDIT_CODE"))
            #expect(error.failure.message.contains("XK_XDR_SHXYM"))
            #expect(error.failure.message.contains("check character"))
            #expect(simulator.records().count == 2)
            #expect(simulator.record(itemID: bad.id) == nil)
            #expect(simulator.rejectedCounts["INVALID_CREDIT_CODE"] == 1)
        }
    }

    @Test("a wrong ID check digit is refused by the platform with its reason")
    func badIDNumber() async throws {
        try await Self.withFeed { simulator, adapter in
            var item = SampleDisclosures.penaltyOnNaturalPerson
            item.subject?.idNumber = "220621197903082510"  // check digit should be 9
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
                Issue.record("a wrong check digit must be refused")
            } catch {
                #expect(!error.isRetryable)
                #expect(error.failure.message.contains("INVALID_ID_NUMBER"))
                #expect(error.failure.message.contains("expected '9'"))
            }
            #expect(simulator.records().isEmpty)
        }
    }

    @Test("a resent batch (after a timeout on a batch that went through) creates no duplicates")
    func retriedBatchDoesNotDuplicate() async throws {
        try await Self.withFeed { simulator, adapter in
            let requests = [Self.request(Self.licence(1)), Self.request(SampleDisclosures.penaltyOnNaturalPerson)]
            // Far past the deadline: with 250 ms between them, a client event loop starved of CPU
            // read the late answer before its deadline fired (two busy loops beside the suite, 2026-12-07).
            simulator.setFaults(CreditFeedFaults(script: [.slow(.seconds(3))]))
            let first = await adapter.deliverBatch(requests, deadline: .now() + .milliseconds(150))
            for result in first {
                guard case .failure(let error) = result else {
                    Issue.record("the timed-out batch must fail")
                    continue
                }
                #expect(error.isRetryable)
            }
            #expect(simulator.records().count == 2)  // the platform did take it
            let second = await adapter.deliverBatch(requests, deadline: Self.deadline)
            let receipts = try second.map { try $0.get() }
            #expect(simulator.records().count == 2)
            #expect(simulator.records().allSatisfy { $0.revisions == 1 })
            #expect(simulator.duplicateCount == 2)
            #expect(Set(receipts.compactMap(\.remoteID)) == Set(simulator.records().map(\.remoteID)))
            let batches = simulator.submissions()
            #expect(batches.count == 2)
            #expect(batches[0].batchID == batches[1].batchID)
        }
    }

    @Test("version 2 is sent as an update (correction) record in place")
    func updateIsCorrection() async throws {
        try await Self.withFeed { simulator, adapter in
            let original = SampleDisclosures.licence
            let first = try await adapter.deliver(Self.request(original), deadline: Self.deadline)
            var corrected = SampleDisclosures.edited(original)
            corrected.licence?.content += "（更正：蓄积量以本版本为准）"
            let second = try await adapter.deliver(Self.request(corrected, version: 2), deadline: Self.deadline)
            #expect(second.remoteID == first.remoteID)
            let record = try #require(simulator.record(itemID: original.id))
            #expect(record.lastOperation == "update")
            #expect(record.version == 2)
            #expect(record.revisions == 2)
            #expect(record.fields["XK_NR"]?.hasSuffix("（更正：蓄积量以本版本为准）") == true)
            #expect(record.contentHash == ItemCanonicalForm.contentHash(corrected))
            #expect(simulator.records().count == 1)
        }
    }

    @Test("a withdrawal is sent as a revoke record with the reason in BZ; the listing drops it")
    func withdrawalIsRevocation() async throws {
        try await Self.withFeed { simulator, adapter in
            let item = SampleDisclosures.penaltyOnNaturalPerson
            _ = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
            _ = try await adapter.deliver(
                Self.request(item, operation: .withdraw, reason: "行政复议撤销原处罚决定"), deadline: Self.deadline)
            let record = try #require(simulator.record(itemID: item.id))
            #expect(record.status == .revoked)
            #expect(record.lastOperation == "revoke")
            #expect(record.fields["BZ"] == "撤销：行政复议撤销原处罚决定")
            let page = try await adapter.list(cursor: nil, deadline: Self.deadline)
            #expect(page.entries.isEmpty)
            // Revoking again (a retry after a lost answer) is still a success.
            _ = try await adapter.deliver(
                Self.request(item, operation: .withdraw, reason: "行政复议撤销原处罚决定"), deadline: Self.deadline)
        }
    }

    @Test("the feed gets the full ID number; a masked document or a public audience is refused")
    func fullIDNumberOnGovernmentChannel() async throws {
        try await Self.withFeed { simulator, adapter in
            let item = SampleDisclosures.penaltyOnNaturalPerson
            _ = try await adapter.deliver(Self.request(item), deadline: Self.deadline)
            let record = try #require(simulator.record(itemID: item.id))
            #expect(record.fields["CF_XDR_ZJHM"] == "220621197903082519")
            #expect(record.fields["CF_XDR_ZJLX"] == "001")
            #expect(record.fields["CF_SY"]?.contains("220621197903082519") == true)

            let masked = ItemCanonicalForm.document(PrivacyMasking.maskedForPublic(item))
            await #expect(throws: DeliveryError.self) {
                _ = try await adapter.deliver(Self.request(item, version: 2, document: masked), deadline: Self.deadline)
            }
            #expect(simulator.record(itemID: item.id)?.version == 1)
        }
        let publicDefinition = ChannelDefinition(
            id: "credit-feed", kind: .creditFeed, endpoint: "http://127.0.0.1:9",
            credentials: ["apiToken": .environment("CREDIT_TOKEN")], audience: .public)
        #expect(throws: GongkaiError.self) {
            _ = try CreditFeedAdapter.make(publicDefinition, environment: ["CREDIT_TOKEN": "x"], clock: SystemWallClock())
        }
    }

    @Test("batches are at least batchInterval apart; a wait past the deadline is deferred at once")
    func batchInterval() async throws {
        try await Self.withFeed(options: ["batchInterval": "60ms", "batchSize": "2"]) { simulator, adapter in
            #expect(adapter.batchSize == 2)
            // Open the connection first, so both batches travel the same warm path.
            _ = try await adapter.list(cursor: nil, deadline: Self.deadline)
            _ = try await adapter.deliver(Self.request(Self.licence(1)), deadline: Self.deadline)
            _ = try await adapter.deliver(Self.request(Self.licence(2)), deadline: Self.deadline)
            let batches = simulator.submissions()
            #expect(batches.count == 2)
            let gap = batches[1].receivedAt - batches[0].receivedAt
            // Unpaced, the second batch would follow within a few ms; the allowance is scheduling jitter.
            #expect(gap >= .milliseconds(50))
        }
        let clock = SteppedWallClock()
        try await Self.withFeed(options: ["batchInterval": "60ms"], clock: clock) { simulator, adapter in
            _ = try await adapter.deliver(Self.request(Self.licence(1)), deadline: Self.deadline)
            do throws(DeliveryError) {
                _ = try await adapter.deliver(Self.request(Self.licence(2)), deadline: .now() + .milliseconds(20))
                Issue.record("the second batch must not be sent inside the interval")
            } catch {
                #expect(error.deferredFor == 60)
                #expect(error.isRetryable)
                #expect(error.failure.throttled)
                #expect(error.failure.retryAfter == 60)
            }
            #expect(simulator.submissions().count == 1)
            // Once the clock has moved past the interval, the next batch goes at once.
            clock.advance(by: 61)
            _ = try await adapter.deliver(Self.request(Self.licence(3)), deadline: Self.deadline)
            #expect(simulator.submissions().count == 2)
        }
    }

    @Test("the listing pages through the active records with item, version and hash")
    func listing() async throws {
        try await Self.withFeed(options: ["listPageSize": "2"]) { simulator, adapter in
            let items = [Self.licence(1), Self.licence(2), Self.licence(3)]
            let results = await adapter.deliverBatch(items.map { Self.request($0) }, deadline: Self.deadline)
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            let first = try await adapter.list(cursor: nil, deadline: Self.deadline)
            #expect(first.entries.count == 2)
            #expect(first.nextCursor == "2")
            let second = try await adapter.list(cursor: first.nextCursor, deadline: Self.deadline)
            #expect(second.entries.count == 1)
            #expect(second.nextCursor == nil)
            let entries = first.entries + second.entries
            #expect(Set(entries.compactMap(\.itemID)) == Set(items.map(\.id)))
            #expect(entries.allSatisfy { $0.version == 1 && $0.contentHash?.isEmpty == false })
            // Tampering shows up in the listing.
            simulator.setStale(itemID: items[0].id, version: 0, contentHash: "stale")
            simulator.dropRecord(itemID: items[1].id)
            let after = try await adapter.list(cursor: nil, deadline: Self.deadline)
            #expect(after.entries.count == 2)
            #expect(after.entries.contains { $0.itemID == items[0].id && $0.contentHash == "stale" })
            #expect(!after.entries.contains { $0.itemID == items[1].id })
        }
    }

    @Test("a refused token is permanent for every record; a 5xx leaves every record retryable")
    func wholeBatchFailures() async throws {
        try await Self.withFeed(token: "wrong-token-123") { simulator, adapter in
            let results = await adapter.deliverBatch(
                [Self.request(Self.licence(1)), Self.request(Self.licence(2))], deadline: Self.deadline)
            for result in results {
                guard case .failure(let error) = result else {
                    Issue.record("a refused token must fail")
                    continue
                }
                #expect(!error.isRetryable)
                #expect(error.httpStatus == 401)
                #expect(error.failure.message.contains("credentials.apiToken"))
                #expect(!error.description.contains("wrong-token-123"))
            }
            #expect(simulator.rejectedCounts["UNAUTHORIZED"] == 1)
            let checks = await adapter.check(deadline: Self.deadline)
            #expect(checks.first { $0.name == "credentials" }?.passed == false)
        }
        try await Self.withFeed { simulator, adapter in
            simulator.setFaults(CreditFeedFaults(script: [.serverError(status: 503)]))
            let results = await adapter.deliverBatch(
                [Self.request(Self.licence(1)), Self.request(Self.licence(2))], deadline: Self.deadline)
            #expect(results.allSatisfy { if case .failure(let error) = $0 { error.isRetryable } else { false } })
            #expect(simulator.records().isEmpty)
            let checks = await adapter.check(deadline: Self.deadline)
            #expect(checks.allSatisfy { $0.passed })
        }
    }

    @Test("a non-licence, non-penalty item is a permanent error and is not sent")
    func wrongKind() async throws {
        try await Self.withFeed { simulator, adapter in
            let results = await adapter.deliverBatch(
                [Self.request(SampleDisclosures.policy), Self.request(SampleDisclosures.licence)], deadline: Self.deadline)
            guard case .failure(let error) = results[0] else {
                Issue.record("a policy must not go to the credit feed")
                return
            }
            #expect(!error.isRetryable)
            #expect(error.failure.message.contains("kind"))
            #expect((try? results[1].get()) != nil)
            #expect(simulator.submissions().first?.recordIDs.count == 1)
        }
    }

    @Test("the shipped channel file loads and builds an adapter")
    func channelFile() async throws {
        let text = try String(contentsOfFile: #filePath.replacingOccurrences(
            of: "Tests/GongkaiChannelsTests/CreditFeedAdapterTests.swift", with: "channels/credit-feed.yaml"), encoding: .utf8)
        let definition = try ChannelFileLoader.parse(text, source: "credit-feed.yaml")
        #expect(definition.kind == .creditFeed)
        #expect(definition.audience == .government)
        #expect(definition.routing.kinds == [.licence, .penalty])
        let adapter = try CreditFeedAdapter.make(
            definition, environment: ["GONGKAI_CREDIT_FEED_TOKEN": "t"], clock: SystemWallClock())
        #expect(adapter.batchSize == 100)
        #expect(adapter.capabilities == [.publish, .update, .withdraw, .list])
        await adapter.shutdown()
    }
}
