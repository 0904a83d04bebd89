import GongkaiCore
import GongkaiStore
import Testing

/// Channel leases: one sending daemon at a time for a channel whose limits live in the sender.
extension OutboxStoreContract {
    enum Leases {
        static let t0 = StoreFixtures.t0

        static func oneOwnerAtATimeUntilItExpiresOrIsReleased(_ store: any OutboxStore) async throws {
            let leases = try #require(store as? any ChannelLeasing, "the store hands out no channel leases")
            let first = try await leases.takeChannel("robot", owner: "a", leaseMillis: 10_000, now: t0)
            #expect(first == ChannelLease(channelID: "robot", owner: "a", acquiredAt: t0, expiresAt: t0 + 10_000))
            // Another daemon cannot take it while it is held; the holder renews it, keeping when it began.
            #expect(try await leases.takeChannel("robot", owner: "b", leaseMillis: 10_000, now: t0 + 1).owner == "a")
            let renewed = try await leases.takeChannel("robot", owner: "a", leaseMillis: 10_000, now: t0 + 5_000)
            #expect(renewed.acquiredAt == t0 && renewed.expiresAt == t0 + 15_000)
            #expect(try await leases.takeChannel("robot", owner: "b", leaseMillis: 10_000, now: t0 + 14_999).owner == "a")
            // Expired: the next taker has it, from then.
            let taken = try await leases.takeChannel("robot", owner: "b", leaseMillis: 10_000, now: t0 + 15_000)
            #expect(taken == ChannelLease(channelID: "robot", owner: "b", acquiredAt: t0 + 15_000, expiresAt: t0 + 25_000))
            // Releasing someone else's lease does nothing; releasing one's own frees it at once.
            try await leases.releaseChannel("robot", owner: "a")
            #expect(try await leases.takeChannel("robot", owner: "c", leaseMillis: 10_000, now: t0 + 15_001).owner == "b")
            try await leases.releaseChannel("robot", owner: "b")
            #expect(try await leases.takeChannel("robot", owner: "c", leaseMillis: 10_000, now: t0 + 15_002).owner == "c")
            // Channels are leased independently, and listed.
            _ = try await leases.takeChannel("weibo", owner: "a", leaseMillis: 10_000, now: t0 + 15_003)
            #expect(try await leases.channelLeases().map { "\($0.channelID)=\($0.owner)" } == ["robot=c", "weibo=a"])
        }

        static func concurrentTakersGetOneOwner(_ store: any OutboxStore) async throws {
            let leases = try #require(store as? any ChannelLeasing, "the store hands out no channel leases")
            let owners = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await leases.takeChannel("robot", owner: "w\(index)", leaseMillis: 10_000, now: t0).owner
                    }
                }
                var owners: Set<String> = []
                for try await owner in group { owners.insert(owner) }
                return owners
            }
            #expect(owners.count == 1)
        }
    }
}

extension OutboxStoreContract {
    enum Breakers {
        static let t0 = StoreFixtures.t0

        static func anOpenBreakerIsRecordedForEveryDaemonUntilCleared(_ store: any OutboxStore) async throws {
            let breakers = try #require(store as? any ChannelBreakerSharing, "the store shares no breakers")
            #expect(try await breakers.openBreakers().isEmpty)
            try await breakers.openBreaker("hub", openedBy: "a", openUntil: t0 + 60_000, now: t0)
            #expect(
                try await breakers.openBreakers()
                    == [ChannelBreakerState(channelID: "hub", openedBy: "a", openedAt: t0, openUntil: t0 + 60_000)])
            // Opened again (a failed probe): the latest opening is what counts.
            try await breakers.openBreaker("hub", openedBy: "b", openUntil: t0 + 120_000, now: t0 + 61_000)
            try await breakers.openBreaker("weibo", openedBy: "a", openUntil: t0 + 70_000, now: t0 + 10_000)
            #expect(try await breakers.openBreakers().map { "\($0.channelID)=\($0.openedBy)@\($0.openUntil - t0)" }
                == ["hub=b@120000", "weibo=a@70000"])
            try await breakers.closeBreaker("hub")
            #expect(try await breakers.openBreakers().map(\.channelID) == ["weibo"])
        }
    }
}
