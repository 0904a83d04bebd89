import GongkaiCore
import GongkaiStore
import Testing

/// The reads that reports, reconciliation and the operator's views page through.
extension OutboxStoreContract {
    enum Reads {
        typealias F = StoreFixtures
        static let t0 = StoreFixtures.t0

        static func itemsPageInIDOrderWithEveryField(_ store: any OutboxStore) async throws {
            var related = F.item("b", kind: .interpretation)
            related.relatedTo = ["a", "c"]
            var prepared = PreparedItem(related)
            prepared.dueIfNew = CalendarDate("2026-03-11")
            _ = try await store.submit(
                [PreparedItem(F.item("c")), PreparedItem(F.item("a")), prepared, PreparedItem(F.item("e")),
                 PreparedItem(F.item("d"))],
                routes: F.routes, actor: "t", now: t0)
            let first = try await store.items(after: nil, limit: 2)
            #expect(first.map(\.id) == ["a", "b"])
            let rest = try await store.items(after: "b", limit: 10)
            #expect(rest.map(\.id) == ["c", "d", "e"])
            #expect(try await store.items(after: "e", limit: 10).isEmpty)
            let b = try #require(first.last)
            #expect(b.kind == "interpretation")
            #expect(b.relatedTo == ["a", "c"])
            #expect(b.dueOn == "2026-03-11")
            #expect(b.currentVersion == 1)
            #expect(b.contentHash == prepared.contentHash)
            #expect(b.createdAt == t0 && b.updatedAt == t0)
            #expect(b.withdrawnAt == nil && b.withdrawnReason == nil && b.canonicalURL == nil)
            #expect(try await store.item(id: "b") == b)
            #expect(try await store.item(id: "zz") == nil)
        }

        static func eachVersionKeepsItsDocuments(_ store: any OutboxStore) async throws {
            let first = F.item("pen", kind: .penalty, idNumber: "11010519491231002X")
            var second = first
            second.title = "关于某某违法行为的行政处罚决定（更正）"
            let prepared = [PreparedItem(first), PreparedItem(second)]
            _ = try await store.submit([prepared[0]], routes: F.routes, actor: "alice", now: t0)
            _ = try await store.submit([prepared[1]], routes: F.routes, actor: "bob", now: t0 + 5)
            for (index, expected) in prepared.enumerated() {
                let version = try #require(try await store.itemVersion(itemID: "pen", version: index + 1))
                #expect(version.itemID == "pen" && version.version == index + 1)
                #expect(version.contentHash == expected.contentHash)
                #expect(version.document == expected.document && version.publicDocument == expected.publicDocument)
                #expect(version.submittedBy == (index == 0 ? "alice" : "bob") && version.createdAt == t0 + Int64(index) * 5)
            }
            // The public document is the masked one: the ID number is not in it.
            let current = try #require(try await store.itemVersion(itemID: "pen", version: 2))
            #expect(String(decoding: current.document, as: UTF8.self).contains("11010519491231002X"))
            #expect(!String(decoding: current.publicDocument, as: UTF8.self).contains("11010519491231002X"))
            #expect(try await store.itemVersion(itemID: "pen", version: 3) == nil)
            #expect(try await store.itemVersion(itemID: "none", version: 1) == nil)
        }

        /// The new kinds fit the item table, a consultation keeps its feedback due day,
        /// and its feedback is found by the relation, whole ids only.
        static func aConsultationsFeedbackIsFoundByItsRelation(_ store: any OutboxStore) async throws {
            var consultation = PreparedItem(F.item("c-1", kind: .consultation))
            consultation.feedbackDue = CalendarDate("2026-04-20")
            func feedback(_ id: String, _ related: [String]) -> PreparedItem {
                var item = F.item(id, kind: .feedback)
                item.relatedTo = related
                return PreparedItem(item)
            }
            var unrelated = F.item("n-1", kind: .notice)
            unrelated.relatedTo = ["c-1"]
            _ = try await store.submit(
                [consultation, feedback("f-2", ["x", "c-1"]), feedback("f-1", ["c-1"]), feedback("f-3", ["c-10", "c-"]),
                 PreparedItem(unrelated), PreparedItem(F.item("r-1", kind: .response))],
                routes: F.routes, actor: "t", now: t0)
            #expect(try await store.items(relatedTo: "c-1", kind: "feedback").map(\.id) == ["f-1", "f-2"])
            #expect(try await store.items(relatedTo: "c-1", kind: "notice").map(\.id) == ["n-1"])
            #expect(try await store.items(relatedTo: "c", kind: "feedback").isEmpty)
            let stored = try #require(try await store.item(id: "c-1"))
            #expect(stored.kind == "consultation" && stored.feedbackDueOn == "2026-04-20")
            #expect(try await store.item(id: "f-1")?.feedbackDueOn == nil)
            #expect(try await store.item(id: "r-1")?.kind == "response")
            // A new version keeps what the rule computed for it.
            var changed = F.item("c-1", kind: .consultation, title: "关于征求意见的公告（修订）")
            changed.relatedTo = nil
            var next = PreparedItem(changed)
            next.feedbackDue = CalendarDate("2026-04-27")
            _ = try await store.submit([next], routes: F.routes, actor: "t", now: t0 + 1)
            #expect(try await store.item(id: "c-1")?.feedbackDueOn == "2026-04-27")
        }

        /// Whole histories of the chosen kinds, page by page: a page may end inside an
        /// item's versions and the next one goes on from there.
        static func itemVersionsPageWholeHistoriesOfTheChosenKinds(_ store: any OutboxStore) async throws {
            var repealed = F.item("n-2", kind: .normative)
            _ = try await store.submit(
                [PreparedItem(repealed), PreparedItem(F.item("n-1", kind: .normative)),
                 PreparedItem(F.item("p-1", kind: .penalty)), PreparedItem(F.item("a-1"))],
                routes: F.routes, actor: "alice", now: t0)
            repealed.validity = .amended
            let amended = PreparedItem(repealed)
            _ = try await store.submit([amended], routes: F.routes, actor: "bob", now: t0 + 10)
            repealed.validity = .repealed
            _ = try await store.submit([PreparedItem(repealed)], routes: F.routes, actor: "bob", now: t0 + 20)
            _ = try await store.withdraw(itemID: "p-1", reason: "撤销", routes: F.routes, actor: "t", now: t0 + 30)

            let kinds = ["normative", "penalty"]
            let first = try await store.itemVersions(kinds: kinds, after: nil, limit: 2)
            #expect(first.map { "\($0.version.itemID)/\($0.version.version)" } == ["n-1/1", "n-2/1"])
            let second = try await store.itemVersions(kinds: kinds, after: ("n-2", 1), limit: 2)
            #expect(second.map { "\($0.version.itemID)/\($0.version.version)" } == ["n-2/2", "n-2/3"])
            let last = try await store.itemVersions(kinds: kinds, after: ("n-2", 3), limit: 2)
            #expect(last.map { "\($0.version.itemID)/\($0.version.version)" } == ["p-1/1"])
            #expect(try await store.itemVersions(kinds: kinds, after: ("p-1", 1), limit: 2).isEmpty)

            // Each row is the stored version with its item as the item read gives it.
            let middle = try #require(second.first)
            #expect(middle.version == (try await store.itemVersion(itemID: "n-2", version: 2)))
            #expect(middle.version.contentHash == amended.contentHash && middle.version.document == amended.document)
            #expect(middle.version.submittedBy == "bob" && middle.version.createdAt == t0 + 10)
            #expect(middle.item == (try await store.item(id: "n-2")))
            #expect(middle.item.currentVersion == 3)
            #expect(last.first?.item.withdrawnAt == t0 + 30)

            #expect(try await store.itemVersions(kinds: ["notice"], after: nil, limit: 10).map(\.item.id) == ["a-1"])
            #expect(try await store.itemVersions(kinds: ["licence"], after: nil, limit: 10).isEmpty)
            #expect(try await store.itemVersions(kinds: [], after: nil, limit: 10).isEmpty)
        }

        static func deliveriesWithItemsPageOneChannel(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                ["c", "a", "b"].map { PreparedItem(F.item($0)) }, routes: F.routes, actor: "t", now: t0)
            let page = try await store.deliveriesWithItems(channelID: "hub", afterItemID: nil, limit: 2)
            #expect(page.map(\.item.id) == ["a", "b"])
            #expect(page.allSatisfy { $0.delivery.channelID == "hub" && $0.delivery.itemID == $0.item.id })
            #expect(try await page.first?.item == store.item(id: "a"))
            let next = try await store.deliveriesWithItems(channelID: "hub", afterItemID: "b", limit: 2)
            #expect(next.map(\.item.id) == ["c"])
            #expect(try await next.first?.delivery == store.deliveries(DeliveryFilter(itemID: "c", channelID: "hub")).first)
            #expect(try await store.deliveriesWithItems(channelID: "nowhere", afterItemID: nil, limit: 5).isEmpty)
        }

        static func deliveryFiltersCombineAndOrder(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                ["b", "a", "c"].map { PreparedItem(F.item($0)) } + [PreparedItem(F.item("p", review: .pending))],
                routes: F.routes, actor: "t", now: t0)
            let all = try await store.deliveries(DeliveryFilter())
            #expect(all.map { "\($0.itemID)/\($0.channelID)" } == [
                "a/hub", "a/robot", "b/hub", "b/robot", "c/hub", "c/robot", "p/hub", "p/robot",
            ])
            let hub = try await store.deliveries(DeliveryFilter(channelID: "hub", states: [.pending]))
            #expect(hub.map(\.itemID) == ["a", "b", "c"])
            let blocked = try await store.deliveries(DeliveryFilter(states: [.blocked, .dead]))
            #expect(blocked.map(\.itemID) == ["p", "p"])
            let paged = try await store.deliveries(DeliveryFilter(channelID: "robot", limit: 2, afterItemID: "a"))
            #expect(paged.map(\.itemID) == ["b", "c"])
            let one = try #require(try await store.deliveries(DeliveryFilter(itemID: "b", channelID: "robot")).first)
            #expect(one.state == .pending && one.wantedVersion == 1 && one.deliveredVersion == nil)
            #expect(one.nextAttemptAt == t0 && one.updatedAt == t0 && one.attemptCount == 0 && !one.mayBeLive)
            #expect(one.leaseOwner == nil && one.leaseExpiresAt == nil && one.remoteID == nil)
            let counts = try await store.stateCounts()
            #expect(counts["hub"] == [.pending: 3, .blocked: 1])
            #expect(counts["robot"] == [.pending: 3, .blocked: 1])
        }

        static func unfinishedDeliveriesFoldWithTheirItems(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                ["a", "b", "c"].map { PreparedItem(F.item($0)) } + [PreparedItem(F.item("p", review: .pending))],
                routes: F.routes, actor: "t", now: t0)
            // a/hub delivered, b/hub dead, c/hub in flight; every robot row and p stay as submitted.
            let claimed = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 3, leaseMillis: 1000, now: t0 + 1)
            let byItem = Dictionary(uniqueKeysWithValues: claimed.map { ($0.record.itemID, $0) })
            try await store.complete(
                [F.success(try #require(byItem["a"]), at: t0 + 2), F.failure(try #require(byItem["b"]), at: t0 + 2, permanent: true)],
                owner: "w", now: t0 + 3)
            let seen = try await store.reduceUnfinishedDeliveries(into: [String: String]()) { seen, delivery, item in
                #expect(delivery.itemID == item.id)
                seen["\(delivery.itemID)/\(delivery.channelID)"] = "\(delivery.state.rawValue) \(item.review)"
            }
            #expect(seen == [
                "b/hub": "dead approved", "c/hub": "sending approved", "p/hub": "blocked pending",
                "a/robot": "pending approved", "b/robot": "pending approved", "c/robot": "pending approved",
                "p/robot": "blocked pending",
            ])
        }

        static func attemptsKeepEveryFieldAndFilterByChannel(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: F.routes, actor: "t", now: t0)
            let hub = try await store.claim(channelID: "hub", audience: .public, owner: "w1", limit: 1, leaseMillis: 1000, now: t0 + 1)
            let robot = try await store.claim(channelID: "robot", audience: .public, owner: "w2", limit: 1, leaseMillis: 1000, now: t0 + 1)
            try await store.complete([F.failure(hub[0], at: t0 + 2, status: 503)], owner: "w1", now: t0 + 5)
            var lost = F.failure(robot[0], at: t0 + 3)
            lost.httpStatus = nil
            lost.result = .failed(SendFailure(permanent: true, message: "HTTP 400: 参数错误"))
            try await store.complete([lost], owner: "w2", now: t0 + 6)
            let all = try await store.attempts(itemID: "a", channelID: nil)
            #expect(all.map(\.channelID) == ["hub", "robot"])
            let first = try #require(all.first)
            #expect(first.deliveryID == hub[0].record.id && first.itemID == "a" && first.version == 1)
            #expect(first.operation == "publish" && first.trigger == "scheduled" && first.worker == "w1")
            #expect(first.startedAt == t0 + 2 && first.durationMillis == 3 && first.httpStatus == 503)
            #expect(first.outcome == "retryable" && first.error == "HTTP 503")
            let robotOnly = try await store.attempts(itemID: "a", channelID: "robot")
            #expect(robotOnly.count == 1)
            #expect(robotOnly.first?.httpStatus == nil)
            #expect(robotOnly.first?.outcome == "permanent")
            #expect(robotOnly.first?.error == "HTTP 400: 参数错误")
            #expect(try await store.attempts(itemID: "nobody", channelID: nil).isEmpty)
        }

        /// The batch acknowledgement's fast path carries NULLs and kept values apart from
        /// empty ones: PostgreSQL sends it as arrays, which have no NULL elements.
        static func aFastAcknowledgementKeepsNullsAndEarlierRemoteValues(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: [F.publicRoute], actor: "t", now: t0)
            let first = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 1000, now: t0 + 1)
            var delivered = F.success(first[0], at: t0 + 2)
            delivered.result = .delivered(remoteID: "r-1", remoteURL: "https://example.gov.cn/a.html")
            try await store.complete([delivered], owner: "w", now: t0 + 5)

            var next = F.item("a")
            next.title += "（修订）"
            _ = try await store.submit([PreparedItem(next)], routes: [F.publicRoute], actor: "t", now: t0 + 10)
            let second = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 1000, now: t0 + 11)
            var again = F.success(second[0], at: t0 + 12)
            again.result = .delivered(remoteID: nil, remoteURL: "")
            again.httpStatus = nil
            try await store.complete([again], owner: "w", now: t0 + 15)

            let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "a", channelID: "hub")).first)
            #expect(row.state == .delivered && row.deliveredVersion == 2)
            #expect(row.remoteID == "r-1", "a success without a remote id keeps the earlier one")
            #expect(row.remoteURL == "", "an empty URL is a value, not a missing one")
            let attempts = try await store.attempts(itemID: "a", channelID: "hub")
            #expect(attempts.map(\.httpStatus) == [200, nil])
            #expect(attempts.map(\.error) == [nil, nil])
            #expect(attempts.map(\.version) == [1, 2])
        }

        /// A split robot notice's progress survives the store and comes back with the next claim.
        static func aFailuresProgressIsKeptForTheNextClaim(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: [F.robotRoute], actor: "t", now: t0)
            let first = try await store.claim(channelID: "robot", audience: .public, owner: "w", limit: 1, leaseMillis: 1000, now: t0 + 1)
            var failed = F.failure(first[0], at: t0 + 2, status: 502)
            failed.result = .failed(SendFailure(permanent: false, message: "HTTP 502 (part 2 of 3)", progress: "robot-parts:v1:1/3:ab"))
            try await store.complete([failed], owner: "w", now: t0 + 3)
            let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "a", channelID: "robot")).first)
            #expect(row.state == .retrying && row.remoteID == "robot-parts:v1:1/3:ab")
            let again = try await store.claim(
                channelID: "robot", audience: .public, owner: "w", limit: 1, leaseMillis: 1000, now: t0 + 60_000)
            #expect(again.first?.record.remoteID == "robot-parts:v1:1/3:ab")
        }

        static func auditLogIsNewestFirstByItemAndLimited(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a")), PreparedItem(F.item("b"))], routes: F.routes, actor: "oa", now: t0)
            _ = try await store.withdraw(itemID: "a", reason: "已废止", routes: F.routes, actor: "ops", now: t0 + 5)
            try await store.setPaused(channelID: "robot", paused: true, reason: "维护", actor: "ops", now: t0 + 6)
            let newest = try await store.auditLog(itemID: nil, limit: 2)
            #expect(newest.map(\.action) == ["pause", "withdraw"])
            #expect(newest.first?.channelID == "robot" && newest.first?.itemID == nil && newest.first?.detail == "维护")
            #expect(newest.last?.at == t0 + 5 && newest.last?.actor == "ops" && newest.last?.detail == "已废止")
            let a = try await store.auditLog(itemID: "a", limit: 10)
            #expect(a.map(\.action) == ["withdraw", "submit"])
            #expect(a.last?.detail == "version 1")
            #expect(try await store.auditLog(itemID: nil, limit: 10).count == 4)
            #expect(a[0].id > a[1].id)
        }

        static func nextDueIsTheChannelsEarliestClaimableTime(_ store: any OutboxStore) async throws {
            #expect(try await store.nextDue(channelID: "hub") == nil)
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: F.routes, actor: "t", now: t0)
            _ = try await store.submit([PreparedItem(F.item("b"))], routes: F.routes, actor: "t", now: t0 + 50)
            _ = try await store.submit([PreparedItem(F.item("p", review: .pending))], routes: F.routes, actor: "t", now: t0 - 50)
            #expect(try await store.nextDue(channelID: "hub") == t0)
            let claimed = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 10_000, now: t0 + 60)
            #expect(claimed.map(\.record.itemID) == ["a"])
            // b is due first now; a's lease ends later.
            #expect(try await store.nextDue(channelID: "hub") == t0 + 50)
            try await store.complete([F.failure(claimed[0], at: t0 + 61)], owner: "w", now: t0 + 70)
            #expect(try await store.nextDue(channelID: "hub") == t0 + 50)
            let b = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 10_000, now: t0 + 80)
            try await store.complete([F.success(b[0], at: t0 + 81)], owner: "w", now: t0 + 90)
            // Only a's retry is left (fast schedule: 1 s after the failure).
            #expect(try await store.nextDue(channelID: "hub") == t0 + 70 + 1_000)
            #expect(try await store.nextDue(channelID: "robot") == t0)
        }
    }

    /// What several workers or daemons do to one store at the same time.
    enum Concurrency {
        typealias F = StoreFixtures
        static let t0 = StoreFixtures.t0

        static func concurrentClaimersNeverShareARow(_ store: any OutboxStore) async throws {
            let count = 240
            _ = try await store.submit(
                (0..<count).map { PreparedItem(F.item("c\($0)")) }, routes: [F.publicRoute], actor: "t", now: t0)
            let claimedIDs = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await store.claim(
                                channelID: "hub", audience: .public, owner: "w\(worker)", limit: 7, leaseMillis: 60_000,
                                now: t0 + 1)
                            if batch.isEmpty { return mine }
                            #expect(batch.allSatisfy { $0.record.leaseOwner == "w\(worker)" })
                            mine += batch.map(\.record.id)
                            try await store.complete(batch.map { F.success($0, at: t0 + 2) }, owner: "w\(worker)", now: t0 + 2)
                        }
                    }
                }
                var all: [Int64] = []
                for try await ids in group { all += ids }
                return all
            }
            #expect(claimedIDs.count == count)
            #expect(Set(claimedIDs).count == count)
            #expect(try await store.stateCounts()["hub"] == [.delivered: count])
            let attempts = try await store.attempts(itemID: "c7", channelID: nil)
            #expect(attempts.count == 1)
        }

        static func concurrentSubmitsOfOneItemStayConsistent(_ store: any OutboxStore) async throws {
            // Eight writers each submit their own edit of the same item: every edit becomes one
            // version, in some order, and the deliveries want the last one.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        _ = try await store.submit(
                            [PreparedItem(F.item("same", title: "关于开展森林防火宣传月活动的通知（第\(writer)稿）"))],
                            routes: F.routes, actor: "w\(writer)", now: t0 + Int64(writer))
                    }
                }
                try await group.waitForAll()
            }
            let item = try #require(try await store.item(id: "same"))
            #expect(item.currentVersion == 8)
            let rows = try await store.deliveries(DeliveryFilter(itemID: "same"))
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.wantedVersion == 8 })
            #expect(try await store.auditLog(itemID: "same", limit: 20).count == 8)
        }
    }
}
