import Foundation
import GongkaiCore
import GongkaiStore
import GongkaiStoreContract
import GongkaiTestSupport
import Testing

/// LISTEN/NOTIFY: an operator action committed through one store handle (a
/// CLI process) wakes a listener on another (a daemon) with the channels
/// that have work; bookkeeping announces nothing.
@Suite(
    "PostgreSQL wake-ups",
    .enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
struct PostgresWakeUpTests {
    typealias F = StoreFixtures

    @Test(.timeLimit(.minutes(1))) func operatorActionsWakeAListenerWithTheirChannels() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let url = try await cluster.makeDatabase() + "?sslmode=disable"
        let environment = ["GONGKAI_DATABASE_PASSWORD": cluster.password]
        let daemonSide = try OutboxDatabase.open(url, environment: environment)
        let cliSide = try OutboxDatabase.open(url, environment: environment)
        let (wakes, wake) = AsyncStream<Set<String>>.makeStream()
        let (ready, listening) = AsyncStream<Void>.makeStream()
        try await daemonSide.withRunning { daemonStore in
            let listener = try #require(daemonStore as? PostgresOutboxStore)
            let task = Task {
                try await listener.listenForWork(onListening: { listening.yield() }) { wake.yield($0) }
            }
            defer { task.cancel() }
            for await _ in ready { break }
            var received = wakes.makeAsyncIterator()
            try await cliSide.withRunning { store in
                _ = try await store.submit([PreparedItem(F.item("a"))], routes: F.routes, actor: "cli", now: F.t0)
                #expect(await received.next() == ["hub", "robot"])

                // Bookkeeping is the daemon's own doing: a claim and a success announce nothing,
                // so the next wake-up is the resend below, not them.
                let claimed = try await store.claim(
                    channelID: "hub", audience: .public, owner: "w", limit: 10, leaseMillis: 60_000, now: F.t0 + 1)
                try await store.complete([F.success(claimed[0], at: F.t0 + 2)], owner: "w", now: F.t0 + 2)
                _ = try await store.resend(
                    itemID: "a", channelID: "hub", force: true, routes: F.routes, actor: "cli", now: F.t0 + 3)
                #expect(await received.next() == ["hub"])

                try await store.setPaused(channelID: "robot", paused: true, reason: nil, actor: "cli", now: F.t0 + 4)
                try await store.setPaused(channelID: "robot", paused: false, reason: nil, actor: "cli", now: F.t0 + 5)
                #expect(await received.next() == ["robot"])
            }
        }
    }
}
