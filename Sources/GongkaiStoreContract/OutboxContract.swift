import GongkaiCore
import GongkaiStore
import Testing

/// The core rules: submit, review, claim and lease, send outcomes, withdrawal, operator actions.
extension OutboxStoreContract {
    enum Outbox {
        typealias F = StoreFixtures
        static let t0 = StoreFixtures.t0

        static func submitCreatesVersionAndRoutedDeliveriesInOneGo(_ store: any OutboxStore) async throws {
            let outcomes = try await store.submit(
                [PreparedItem(F.item("a")), PreparedItem(F.item("w", attribute: .withheld)),
                 PreparedItem(F.item("p", review: .pending))],
                routes: F.routes, actor: "tester", now: t0)
            #expect(outcomes.map(\.change) == [.created, .created, .created])
            #expect(outcomes.allSatisfy { $0.version == 1 })
            let a = try await store.deliveries(DeliveryFilter(itemID: "a"))
            #expect(a.map(\.state) == [.pending, .pending])
            #expect(Set(a.map(\.channelID)) == ["hub", "robot"])
            let w = try await store.deliveries(DeliveryFilter(itemID: "w"))
            #expect(w.allSatisfy { $0.state == .skipped && $0.lastError?.contains("withheld") == true })
            let p = try await store.deliveries(DeliveryFilter(itemID: "p"))
            #expect(p.allSatisfy { $0.state == .blocked })
            let audit = try await store.auditLog(itemID: "a", limit: 10)
            #expect(audit.map(\.action) == ["submit"])
            #expect(audit.first?.actor == "tester")
        }

        static func identicalContentIsANoOpAndChangedContentIsANewVersion(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: F.routes, actor: "t", now: t0)
            let again = try await store.submit([PreparedItem(F.item("a"))], routes: F.routes, actor: "t", now: t0 + 1)
            #expect(again.first?.change == .unchanged)
            #expect(again.first?.version == 1)
            let edited = try await store.submit(
                [PreparedItem(F.item("a", title: "关于开展森林防火宣传月活动的通知（更正）"))], routes: F.routes, actor: "t",
                now: t0 + 2)
            #expect(edited.first?.change == .updated)
            #expect(edited.first?.version == 2)
            let item = try #require(try await store.item(id: "a"))
            #expect(item.currentVersion == 2)
            #expect(item.title.contains("更正"))
            let rows = try await store.deliveries(DeliveryFilter(itemID: "a"))
            #expect(rows.allSatisfy { $0.wantedVersion == 2 && $0.state == .pending })
        }

        static func reviewPendingHoldsUntilApproved(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("p", review: .pending))], routes: F.routes, actor: "t", now: t0)
            #expect(try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 1000, now: t0 + 5).isEmpty)
            let approved = try await store.approve(itemID: "p", routes: F.routes, actor: "reviewer", now: t0 + 10)
            #expect(approved.count == 2)
            #expect(approved.allSatisfy { $0.state == .pending })
            let claimed = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 1000, now: t0 + 11)
            #expect(claimed.map(\.record.itemID) == ["p"])
            // Re-submitting the same content as approved is an approval, not a new version.
            _ = try await store.submit([PreparedItem(F.item("q", review: .pending))], routes: F.routes, actor: "t", now: t0)
            let outcome = try await store.submit([PreparedItem(F.item("q"))], routes: F.routes, actor: "t", now: t0 + 20)
            #expect(outcome.first?.change == .approved)
            #expect(outcome.first?.version == 1)
        }

        static func claimLeasesRowsAndAnExpiredLeaseIsReclaimed(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                (1...5).map { PreparedItem(F.item("i\($0)")) }, routes: [F.publicRoute], actor: "t", now: t0)
            let first = try await store.claim(channelID: "hub", audience: .public, owner: "w1", limit: 3, leaseMillis: 10_000, now: t0 + 1)
            #expect(first.count == 3)
            #expect(first.allSatisfy { $0.record.state == .sending && $0.record.leaseOwner == "w1" })
            let second = try await store.claim(channelID: "hub", audience: .public, owner: "w2", limit: 10, leaseMillis: 10_000, now: t0 + 2)
            #expect(second.count == 2)
            #expect(Set(first.map(\.record.id)).isDisjoint(with: second.map(\.record.id)))
            #expect(try await store.claim(channelID: "hub", audience: .public, owner: "w3", limit: 10, leaseMillis: 10_000, now: t0 + 3).isEmpty)
            // w1 died: its leases expire and w3 takes them over.
            let reclaimed = try await store.claim(channelID: "hub", audience: .public, owner: "w3", limit: 10, leaseMillis: 10_000, now: t0 + 10_001)
            #expect(Set(reclaimed.map(\.record.id)) == Set(first.map(\.record.id)))
            // The dead worker's late answer is logged but does not settle a row it no longer holds.
            try await store.complete(first.map { F.success($0, at: t0 + 10_003) }, owner: "w1", now: t0 + 10_003)
            let rows = try await store.deliveries(DeliveryFilter(states: [.sending]))
            #expect(rows.count == 5)
            // The reclaim logged w1's send as abandoned; its late answer is a line of its own.
            let attempts = try await store.attempts(itemID: first[0].record.itemID, channelID: nil)
            #expect(attempts.map(\.outcome) == ["abandoned", "ok"])
        }

        static func aRenewedLeaseKeepsItsRowsFromOtherClaimers(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                (1...4).map { PreparedItem(F.item("r\($0)")) }, routes: [F.publicRoute], actor: "t", now: t0)
            let mine = try await store.claim(
                channelID: "hub", audience: .public, owner: "w1", limit: 3, leaseMillis: 1_000, now: t0 + 1)
            #expect(mine.count == 3)
            let theirs = try await store.claim(
                channelID: "hub", audience: .public, owner: "w2", limit: 1, leaseMillis: 1_000, now: t0 + 1)
            let settled = mine[2]
            try await store.complete([F.success(settled, at: t0 + 2)], owner: "w1", now: t0 + 2)
            // Renewing counts only rows w1 still holds: not w2's, not one already settled, not an unknown id.
            let ids = mine.map(\.record.id) + theirs.map(\.record.id) + [999_999]
            #expect(try await store.renewLeases(owner: "w1", deliveryIDs: ids, leaseMillis: 5_000, now: t0 + 900) == 2)
            #expect(try await store.renewLeases(owner: "w1", deliveryIDs: [], leaseMillis: 5_000, now: t0 + 900) == 0)
            let rows = Dictionary(
                uniqueKeysWithValues: try await store.deliveries(DeliveryFilter(channelID: "hub")).map { ($0.id, $0) })
            for claimed in mine.prefix(2) {
                #expect(rows[claimed.record.id]?.leaseExpiresAt == t0 + 5_900)
                #expect(rows[claimed.record.id]?.nextAttemptAt == t0 + 5_900)
            }
            #expect(rows[theirs[0].record.id]?.leaseExpiresAt == t0 + 1_001)
            #expect(rows[settled.record.id]?.state == .delivered)
            // Past the first lease only w2's row (not renewed) is taken over; the renewed ones after their new end.
            let early = try await store.claim(
                channelID: "hub", audience: .public, owner: "w3", limit: 10, leaseMillis: 60_000, now: t0 + 2_000)
            #expect(early.map(\.record.id) == theirs.map(\.record.id))
            let late = try await store.claim(
                channelID: "hub", audience: .public, owner: "w3", limit: 10, leaseMillis: 1_000, now: t0 + 5_900)
            #expect(Set(late.map(\.record.id)) == Set(mine.prefix(2).map(\.record.id)))
            // A lease lost to another worker is not renewed by its old owner.
            #expect(try await store.renewLeases(owner: "w1", deliveryIDs: ids, leaseMillis: 5_000, now: t0 + 6_000) == 0)
        }

        static func aReclaimedLeaseLogsTheAbandonedSendAndNothingElseDoes(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                (1...4).map { PreparedItem(F.item("x\($0)")) }, routes: [F.publicRoute], actor: "t", now: t0)
            let claimed = try await store.claim(
                channelID: "hub", audience: .public, owner: "w1", limit: 4, leaseMillis: 10_000, now: t0 + 1)
            #expect(claimed.count == 4)
            let byID = Dictionary(uniqueKeysWithValues: claimed.map { ($0.record.itemID, $0) })
            let x1 = try #require(byID["x1"]), x2 = try #require(byID["x2"])
            // x1 is given back unsent and x2 deferred by the adapter's own quota: leases that ended normally.
            _ = try await store.release(owner: "w1", deliveryIDs: [x1.record.id], now: t0 + 2)
            try await store.complete([F.deferral(x2, at: t0 + 3, wait: 1)], owner: "w1", now: t0 + 3)
            let early = try await store.claim(
                channelID: "hub", audience: .public, owner: "w2", limit: 10, leaseMillis: 10_000, now: t0 + 5_000)
            #expect(Set(early.map(\.record.itemID)) == ["x1", "x2"])
            #expect(try await store.attempts(itemID: "x1", channelID: nil).isEmpty)
            #expect(try await store.attempts(itemID: "x2", channelID: nil).isEmpty)
            try await store.complete(early.map { F.success($0, at: t0 + 5_001) }, owner: "w2", now: t0 + 5_002)
            // x3 and x4 were being sent when w1 stopped; their leases run out and w2 takes them over.
            let reclaimed = try await store.completeAndClaim(
                [], channelID: "hub", audience: .public, owner: "w2", limit: 10, leaseMillis: 10_000, now: t0 + 10_001)
            #expect(Set(reclaimed.map(\.record.itemID)) == ["x3", "x4"])
            for id in ["x3", "x4"] {
                let attempts = try await store.attempts(itemID: id, channelID: nil)
                #expect(attempts.count == 1)
                let line = try #require(attempts.first)
                #expect(line.outcome == OutboxRules.abandonedOutcome)
                #expect(line.error == OutboxRules.abandonedError)
                #expect(line.worker == "w1")
                #expect(line.deliveryID == byID[id]?.record.id)
                #expect(line.channelID == "hub" && line.itemID == id)
                #expect(line.version == 1 && line.operation == "publish" && line.trigger == "scheduled")
                // From w1's claim until its lease ran out; no answer, so no status.
                #expect(line.startedAt == t0 + 1)
                #expect(line.durationMillis == 10_000)
                #expect(line.httpStatus == nil)
            }
            // w2's own lease is an ordinary one: settled, it adds its answer and nothing else.
            try await store.complete(reclaimed.map { F.success($0, at: t0 + 10_002) }, owner: "w2", now: t0 + 10_003)
            #expect(try await store.attempts(itemID: "x3", channelID: nil).map(\.outcome) == ["abandoned", "ok"])
            #expect(try await store.attempts(itemID: "x1", channelID: nil).map(\.outcome) == ["ok"])
            #expect(try await store.attempts(itemID: "x2", channelID: nil).map(\.outcome) == ["ok"])
            let rows = try await store.deliveries(DeliveryFilter())
            #expect(rows.allSatisfy { $0.state == .delivered })
        }

        static func publicChannelsGetTheMaskedDocumentAndGovernmentTheFullOne(_ store: any OutboxStore) async throws {
            let item = F.item("pen", kind: .penalty, idNumber: "11010519491231002X")
            let prepared = PreparedItem(item)
            _ = try await store.submit([prepared], routes: [F.publicRoute, F.governmentRoute], actor: "t", now: t0)
            let hub = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 1000, now: t0)
            let credit = try await store.claim(channelID: "credit", audience: .government, owner: "w", limit: 1, leaseMillis: 1000, now: t0)
            #expect(hub.first?.document == prepared.publicDocument)
            #expect(credit.first?.document == prepared.document)
            #expect(hub.first?.contentHash == prepared.contentHash)
        }

        static func successDeliversAndFailuresRetryOrDie(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                ["ok", "retry", "perm"].map { PreparedItem(F.item($0)) }, routes: [F.publicRoute], actor: "t", now: t0)
            let claimed = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: t0)
            let byID = Dictionary(uniqueKeysWithValues: claimed.map { ($0.record.itemID, $0) })
            try await store.complete(
                [F.success(byID["ok"]!, at: t0), F.failure(byID["retry"]!, at: t0),
                 F.failure(byID["perm"]!, at: t0, permanent: true, status: 422)],
                owner: "w", now: t0 + 10)
            let rows = Dictionary(uniqueKeysWithValues: try await store.deliveries(DeliveryFilter()).map { ($0.itemID, $0) })
            #expect(rows["ok"]?.state == .delivered)
            #expect(rows["ok"]?.deliveredVersion == 1)
            #expect(rows["ok"]?.remoteID == "r-ok")
            #expect(rows["retry"]?.state == .retrying)
            #expect(rows["retry"]?.nextAttemptAt == t0 + 10 + 1_000)
            #expect(rows["perm"]?.state == .dead)
            #expect(rows["perm"]?.lastError == "HTTP 422")
            // Not due before its retry time; due after.
            #expect(try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: t0 + 500).isEmpty)
            #expect(try await store.nextDue(channelID: "hub") == t0 + 1_010)
            let retried = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: t0 + 1_010)
            #expect(retried.map(\.record.itemID) == ["retry"])
            // Second failure: the schedule has two delays, so the third failure exhausts it.
            try await store.complete([F.failure(retried[0], at: t0 + 1_010)], owner: "w", now: t0 + 1_020)
            let again = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: t0 + 3_020)
            try await store.complete([F.failure(again[0], at: t0 + 3_020)], owner: "w", now: t0 + 3_030)
            let dead = try #require(try await store.deliveries(DeliveryFilter(itemID: "retry")).first)
            #expect(dead.state == .dead)
            #expect(dead.lastError?.hasPrefix("retries exhausted after 3 attempts") == true)
            let attempts = try await store.attempts(itemID: "retry", channelID: "hub")
            #expect(attempts.map(\.outcome) == ["retryable", "retryable", "retryable"])
            #expect(attempts.map(\.httpStatus) == [503, 503, 503])
        }

        static func deferralsSpendNoAttemptAndNeverKill(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                [PreparedItem(F.item("wait")), PreparedItem(F.item("failed"))], routes: [F.publicRoute], actor: "t",
                now: t0)
            let wait: Int64 = 1_500
            var now = t0
            // "failed" had one real failure first: deferrals keep it retrying with its streak.
            let first = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: now)
            let failed = try #require(first.first { $0.record.itemID == "failed" })
            let waiting = try #require(first.first { $0.record.itemID == "wait" })
            try await store.complete([F.failure(failed, at: now)], owner: "w", now: now)
            try await store.complete([F.deferral(waiting, at: now, wait: 1_000)], owner: "w", now: now)
            now += 1_000
            // fastRetry dies at the third failure; fifty deferrals are not failures.
            for round in 1...50 {
                let claimed = try await store.claim(
                    channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: now)
                #expect(claimed.count == 2, "round \(round)")
                try await store.complete(claimed.map { F.deferral($0, at: now, wait: wait) }, owner: "w", now: now)
                let rows = Dictionary(
                    uniqueKeysWithValues: try await store.deliveries(DeliveryFilter()).map { ($0.itemID, $0) })
                let deferred = try #require(rows["wait"])
                #expect(deferred.state == .pending, "round \(round)")
                #expect(deferred.attemptCount == 0)
                #expect(deferred.failureStreak == 0)
                #expect(deferred.nextAttemptAt == now + wait)
                #expect(deferred.leaseOwner == nil && deferred.leaseExpiresAt == nil)
                #expect(deferred.lastError?.hasPrefix(DeliveryRecord.deferredPrefix) == true)
                let retrying = try #require(rows["failed"])
                #expect(retrying.state == .retrying, "round \(round)")
                #expect(retrying.attemptCount == 1)
                #expect(retrying.failureStreak == 1)
                #expect(retrying.nextAttemptAt == now + wait)
                // Not due before the wait is over.
                #expect(
                    try await store.claim(
                        channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: now + wait - 1
                    ).isEmpty)
                now += wait
            }
            #expect(try await store.attempts(itemID: "wait", channelID: nil).isEmpty)
            #expect(try await store.attempts(itemID: "failed", channelID: nil).map(\.outcome) == ["retryable"])
            let last = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: now)
            #expect(last.count == 2)
            #expect(last.allSatisfy { $0.record.attemptCount == ($0.record.itemID == "wait" ? 1 : 2) })
            try await store.complete(last.map { F.success($0, at: now) }, owner: "w", now: now)
            let rows = try await store.deliveries(DeliveryFilter())
            #expect(rows.allSatisfy { $0.state == .delivered && $0.failureStreak == 0 && $0.lastError == nil })
            #expect(try await store.attempts(itemID: "wait", channelID: nil).map(\.outcome) == ["ok"])
            #expect(try await store.attempts(itemID: "failed", channelID: nil).map(\.outcome) == ["retryable", "ok"])
        }

        static func aDeferredResendKeepsItsManualTrigger(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("m"))], routes: [F.publicRoute], actor: "t", now: t0)
            let claimed = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 5000, now: t0)
            try await store.complete([F.failure(claimed[0], at: t0, permanent: true, status: 400)], owner: "w", now: t0)
            _ = try await store.resend(itemID: "m", channelID: nil, force: false, routes: [F.publicRoute], actor: "op", now: t0 + 1)
            let manual = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 5000, now: t0 + 2)
            #expect(manual.first?.trigger == .manual)
            try await store.complete([F.deferral(manual[0], at: t0 + 2, wait: 100)], owner: "w", now: t0 + 2)
            // The operator's attempt has not happened yet: the next real one is still logged as manual.
            let again = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 5000, now: t0 + 102)
            #expect(again.first?.trigger == .manual)
            try await store.complete([F.success(again[0], at: t0 + 102)], owner: "w", now: t0 + 102)
            let attempts = try await store.attempts(itemID: "m", channelID: nil)
            #expect(attempts.map(\.trigger) == ["scheduled", "manual"])
            #expect(attempts.map(\.outcome) == ["permanent", "ok"])
        }

        static func aNewVersionDuringASendWaitsForItThenGoes(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: [F.publicRoute], actor: "t", now: t0)
            let v1 = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 5000, now: t0)
            _ = try await store.submit([PreparedItem(F.item("a", title: "新标题"))], routes: [F.publicRoute], actor: "t", now: t0 + 1)
            // Still in flight: nobody may send v2 before v1's answer is in.
            #expect(try await store.claim(channelID: "hub", audience: .public, owner: "w2", limit: 1, leaseMillis: 5000, now: t0 + 2).isEmpty)
            try await store.complete([F.success(v1[0], at: t0 + 3)], owner: "w", now: t0 + 3)
            let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "a")).first)
            #expect(row.state == .pending)
            #expect(row.deliveredVersion == 1)
            #expect(row.wantedVersion == 2)
            let v2 = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 5000, now: t0 + 4)
            #expect(v2.first?.version == 2)
            // A failure of a superseded send does not count against the new version.
            _ = try await store.submit([PreparedItem(F.item("a", title: "第三版"))], routes: [F.publicRoute], actor: "t", now: t0 + 5)
            try await store.complete([F.failure(v2[0], at: t0 + 6)], owner: "w", now: t0 + 6)
            let after = try #require(try await store.deliveries(DeliveryFilter(itemID: "a")).first)
            #expect(after.state == .pending)
            #expect(after.failureStreak == 0)
            #expect(after.wantedVersion == 3)
        }

        static func withdrawalTakesDownWhatMayBeShownAndNothingElse(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                [PreparedItem(F.item("live")), PreparedItem(F.item("queued"))], routes: F.routes, actor: "t", now: t0)
            let claimed = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 5000, now: t0)
            #expect(claimed.first?.record.itemID == "live")
            try await store.complete([F.success(claimed[0], at: t0)], owner: "w", now: t0 + 1)
            let robot = try await store.claim(channelID: "robot", audience: .public, owner: "w", limit: 1, leaseMillis: 5000, now: t0)
            try await store.complete([F.success(robot[0], at: t0, canWithdraw: false)], owner: "w", now: t0 + 1)

            let changed = try await store.withdraw(itemID: "live", reason: "政策已废止", routes: F.routes, actor: "op", now: t0 + 10)
            let byChannel = Dictionary(uniqueKeysWithValues: changed.map { ($0.channelID, $0) })
            #expect(byChannel["hub"]?.state == .pending)
            #expect(byChannel["hub"]?.operation == .withdraw)
            // A robot cannot take a message back: recorded as needing manual action, not pretended.
            #expect(byChannel["robot"]?.state == .withdrawn)
            #expect(byChannel["robot"]?.lastError?.contains("manual") == true)
            let withdrawal = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 5, leaseMillis: 5000, now: t0 + 11)
            let liveWithdrawal = try #require(withdrawal.first { $0.record.itemID == "live" })
            #expect(liveWithdrawal.operation == .withdraw)
            #expect(liveWithdrawal.withdrawReason == "政策已废止")
            try await store.complete([F.success(liveWithdrawal, at: t0 + 12)], owner: "w", now: t0 + 12)
            let hub = try #require(try await store.deliveries(DeliveryFilter(itemID: "live", channelID: "hub")).first)
            #expect(hub.state == .withdrawn)
            #expect(hub.deliveredVersion == nil)

            // Never sent anywhere: withdrawn at once, nothing to send.
            _ = try await store.release(owner: "w", deliveryIDs: nil, now: t0 + 13)
            let queued = try await store.withdraw(itemID: "queued", reason: "撤回", routes: F.routes, actor: "op", now: t0 + 14)
            #expect(queued.allSatisfy { $0.state == .withdrawn })
            let item = try #require(try await store.item(id: "queued"))
            #expect(item.withdrawnReason == "撤回")
        }

        static func rejectedOperationsChangeNothing(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: F.routes, actor: "t", now: t0)
            let before = try await store.deliveries(DeliveryFilter())
            await #expect(throws: GongkaiError.self) {
                _ = try await store.withdraw(itemID: "nope", reason: "x", routes: F.routes, actor: "op", now: t0 + 1)
            }
            await #expect(throws: GongkaiError.self) {
                _ = try await store.resend(itemID: "nope", channelID: nil, force: false, routes: F.routes, actor: "op", now: t0 + 1)
            }
            await #expect(throws: GongkaiError.self) {
                _ = try await store.resend(itemID: "a", channelID: "nowhere", force: false, routes: F.routes, actor: "op", now: t0 + 1)
            }
            #expect(try await store.deliveries(DeliveryFilter()) == before)
            #expect(try await store.auditLog(itemID: nil, limit: 10).count == 1)
        }

        static func resendAndRecoverRequeueWithAManualTrigger(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                ["d1", "d2", "ok"].map { PreparedItem(F.item($0)) }, routes: [F.publicRoute], actor: "t", now: t0)
            let claimed = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: t0)
            try await store.complete(
                claimed.map { $0.record.itemID == "ok" ? F.success($0, at: t0) : F.failure($0, at: t0, permanent: true, status: 400) },
                owner: "w", now: t0 + 1)
            #expect(try await store.resend(itemID: "ok", channelID: nil, force: false, routes: [F.publicRoute], actor: "op", now: t0 + 2).isEmpty)
            let forced = try await store.resend(itemID: "ok", channelID: "hub", force: true, routes: [F.publicRoute], actor: "op", now: t0 + 2)
            #expect(forced.map(\.state) == [.pending])
            let resent = try await store.resend(itemID: "d1", channelID: nil, force: false, routes: [F.publicRoute], actor: "op", now: t0 + 3)
            #expect(resent.map(\.state) == [.pending])
            let recovered = try await store.recover(
                channelID: "hub", states: [.dead], since: t0, routes: [F.publicRoute], actor: "op", now: t0 + 4)
            #expect(recovered == 1)
            let again = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 5000, now: t0 + 5)
            #expect(again.count == 3)
            #expect(again.allSatisfy { $0.trigger == .manual })
            try await store.complete(again.map { F.success($0, at: t0 + 6) }, owner: "w", now: t0 + 6)
            let attempts = try await store.attempts(itemID: "d1", channelID: nil)
            #expect(attempts.map(\.trigger) == ["scheduled", "manual"])
            let actions = try await store.auditLog(itemID: nil, limit: 20).map(\.action)
            #expect(actions.contains("resend-force"))
            #expect(actions.contains("recover"))
        }

        static func releaseGivesBackUnsentClaimsAndPausesPersist(_ store: any OutboxStore) async throws {
            _ = try await store.submit([PreparedItem(F.item("a"))], routes: [F.publicRoute], actor: "t", now: t0)
            _ = try await store.claim(channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 60_000, now: t0)
            #expect(try await store.release(owner: "w", deliveryIDs: nil, now: t0 + 1) == 1)
            let row = try #require(try await store.deliveries(DeliveryFilter(itemID: "a")).first)
            #expect(row.state == .pending)
            #expect(row.attemptCount == 0)
            #expect(row.leaseOwner == nil)
            try await store.setPaused(channelID: "hub", paused: true, reason: "平台维护", actor: "op", now: t0 + 2)
            let pauses = try await store.channelPauses()
            #expect(pauses.map(\.paused) == [true])
            #expect(pauses.first?.reason == "平台维护")
            let counts = try await store.stateCounts()
            #expect(counts["hub"]?[.pending] == 1)
        }

        static func completeAndClaimRecordsThenClaimsLikeTheTwoCallsInTurn(_ store: any OutboxStore) async throws {
            _ = try await store.submit(
                (1...5).map { PreparedItem(F.item("c\($0)")) }, routes: [F.publicRoute], actor: "t", now: t0)
            // Nothing to record yet: a plain claim.
            let first = try await store.completeAndClaim(
                [], channelID: "hub", audience: .public, owner: "w", limit: 2, leaseMillis: 10_000, now: t0 + 1)
            #expect(first.count == 2)
            // One success, one retryable failure, then the next claim in the same step.
            let second = try await store.completeAndClaim(
                [F.success(first[0], at: t0 + 2), F.failure(first[1], at: t0 + 2)], channelID: "hub", audience: .public,
                owner: "w", limit: 10, leaseMillis: 10_000, now: t0 + 2)
            // The failed one is not due again yet (retry in 1 s), so the claim takes the other three.
            #expect(Set(second.map(\.record.itemID)) == ["c3", "c4", "c5"])
            #expect(second.allSatisfy { $0.record.state == .sending && $0.document == PreparedItem(F.item($0.record.itemID)).publicDocument })
            let delivered = try #require(try await store.deliveries(DeliveryFilter(itemID: first[0].record.itemID)).first)
            #expect(delivered.state == .delivered)
            #expect(delivered.remoteID == "r-\(first[0].record.itemID)")
            let retrying = try #require(try await store.deliveries(DeliveryFilter(itemID: first[1].record.itemID)).first)
            #expect(retrying.state == .retrying)
            #expect(retrying.nextAttemptAt == t0 + 2 + 1_000)
            #expect(try await store.attempts(itemID: first[0].record.itemID, channelID: nil).map(\.outcome) == ["ok"])
            #expect(try await store.attempts(itemID: first[1].record.itemID, channelID: nil).map(\.outcome) == ["retryable"])
            // Due again after the retry delay.
            let third = try await store.completeAndClaim(
                second.map { F.success($0, at: t0 + 3) }, channelID: "hub", audience: .public, owner: "w", limit: 10,
                leaseMillis: 10_000, now: t0 + 1_002)
            #expect(third.map(\.record.itemID) == [first[1].record.itemID])
            #expect(third.first?.record.attemptCount == 2)
            let counts = try await store.stateCounts()
            #expect(counts["hub"]?[.delivered] == 4)
            #expect(counts["hub"]?[.sending] == 1)
        }
    }
}
