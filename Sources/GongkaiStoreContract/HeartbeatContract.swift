import GongkaiCore
import GongkaiStore
import Testing

/// Daemon heartbeats: a dead daemon's leases are freed at once, not after the lease runs out.
extension OutboxStoreContract {
    enum Heartbeats {
        typealias F = StoreFixtures
        static let t0 = StoreFixtures.t0

        static func aDeadWorkersLeasesAreFreedForTheNextClaim(_ store: any OutboxStore) async throws {
            let beats = try #require(store as? any WorkerHeartbeats, "the store keeps no heartbeats")
            let leases = try #require(store as? any ChannelLeasing, "the store hands out no channel leases")
            try await beats.beat(WorkerHeartbeat(workerID: "w1", host: "h", pid: 11, startedAt: t0, beatAt: t0))
            try await beats.beat(WorkerHeartbeat(workerID: "w2", host: "h", pid: 12, startedAt: t0, beatAt: t0))
            try await beats.beat(WorkerHeartbeat(workerID: "w2", host: "h", pid: 12, startedAt: t0, beatAt: t0 + 5_000))
            #expect(
                try await beats.workerHeartbeats() == [
                    WorkerHeartbeat(workerID: "w1", host: "h", pid: 11, startedAt: t0, beatAt: t0),
                    WorkerHeartbeat(workerID: "w2", host: "h", pid: 12, startedAt: t0, beatAt: t0 + 5_000),
                ])
            _ = try await store.submit(
                (1...4).map { PreparedItem(F.item("h\($0)")) }, routes: [F.publicRoute], actor: "t", now: t0)
            let first = try await store.claim(
                channelID: "hub", audience: .public, owner: "w1", limit: 2, leaseMillis: 60_000, now: t0 + 1)
            let second = try await store.claim(
                channelID: "hub", audience: .public, owner: "w2", limit: 2, leaseMillis: 60_000, now: t0 + 2)
            #expect(first.count == 2 && second.count == 2)
            _ = try await leases.takeChannel("robot", owner: "w1", leaseMillis: 60_000, now: t0 + 3)
            // Under their leases nobody else may take them.
            #expect(try await store.claim(
                channelID: "hub", audience: .public, owner: "w3", limit: 10, leaseMillis: 60_000, now: t0 + 6_000).isEmpty)

            // w1 is found dead: what it held is free at once, long before its 60 s leases end.
            #expect(try await beats.reclaimLeases(of: ["w1"], now: t0 + 6_001) == 2)
            #expect(try await beats.workerHeartbeats().map(\.workerID) == ["w2"])
            #expect(try await leases.channelLeases().isEmpty)
            let taken = try await store.claim(
                channelID: "hub", audience: .public, owner: "w3", limit: 10, leaseMillis: 60_000, now: t0 + 6_002)
            #expect(Set(taken.map(\.record.id)) == Set(first.map(\.record.id)))
            for claimed in first {
                let attempts = try await store.attempts(itemID: claimed.record.itemID, channelID: nil)
                #expect(attempts.map(\.outcome) == [OutboxRules.abandonedOutcome])
                #expect(attempts.first?.worker == "w1")
                // From w1's claim to the moment it was found dead.
                #expect(attempts.first?.startedAt == t0 + 1)
                #expect(attempts.first?.durationMillis == 6_000)
            }
            // w2's rows are still its own.
            let rows = try await store.deliveries(DeliveryFilter(states: [.sending]))
            #expect(Set(rows.filter { $0.leaseOwner == "w2" }.map(\.id)) == Set(second.map(\.record.id)))
            #expect(rows.filter { $0.leaseOwner == "w2" }.allSatisfy { $0.leaseExpiresAt == t0 + 60_002 })
            // Nothing more to free: not w1 again, not a worker that never beat.
            #expect(try await beats.reclaimLeases(of: ["w1", "nobody"], now: t0 + 7_000) == 0)
            try await beats.retireWorker("w2")
            #expect(try await beats.workerHeartbeats().isEmpty)
        }
    }
}
