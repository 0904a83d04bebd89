import Foundation
import GongkaiCore
import GongkaiSimulators
import GongkaiStore
import Logging
import Testing

/// Nothing lost across a crash: `kill -9` the daemon mid-delivery, start it
/// again, and every delivery still reaches the platform.
@Suite("Crash recovery")
struct CrashTests {
    /// A temporary directory with one webhook channel file (`channel`: its extra keys)
    /// aimed at a started simulator that answers every request after `slowDelay`.
    static func webhookDaemon(slowDelay: Duration, channel: String) async throws
        -> (URL, WebhookSimulator, CLIProcess)
    {
        let directory = try CLIProcess.temporaryDirectory()
        let secret = StandardWebhookSecret.generate()
        let simulator = WebhookSimulator(
            secret: secret, recordBodies: false, logger: Logger(label: "sim", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await simulator.start()
        simulator.setFaults(WebhookFaults(slowRate: 1, slowDelay: slowDelay))
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("channels"), withIntermediateDirectories: true)
        try """
        id: hub
        kind: webhook
        endpoint: \(simulator.url)
        secret:
          env: CRASH_HUB_SECRET
        \(channel)
        """.write(to: directory.appendingPathComponent("channels/hub.yaml"), atomically: true, encoding: .utf8)
        return (directory, simulator, CLIProcess(directory: directory, environment: ["CRASH_HUB_SECRET": secret.text]))
    }

    @Test func killedDaemonLosesNothing() async throws {
        // Slow enough that the kill lands while deliveries are in flight, and long before the
        // last: 300 answers of 150 ms, 8 at a time, take 5.6 s, and on a loaded machine this
        // test wakes for the 60th a second or more late (at 40 ms all 300 were in by then).
        let (directory, simulator, cli) = try await Self.webhookDaemon(
            slowDelay: .milliseconds(150),
            channel: """
                retry:
                  delays: [100ms, 200ms, 400ms, 800ms, 1s, 1s, 1s]
                  minimumThrottleDelay: 100ms
                concurrency: 8
                timeout: 1s
                """)

        let count = 300
        let items = SampleDisclosures.generated(count: count, seed: 42)
        let lines = items.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n")
        let submit = try await cli.run(["submit", "-"], stdin: lines)
        #expect(submit.status == 0, "\(submit.stderr)")

        let daemonArguments = ["daemon", "--lease", "1s", "--poll-interval", "50ms", "--log-level", "warning"]
        let first = try cli.launch(daemonArguments, log: directory.appendingPathComponent("daemon-1.log"))
        #expect(await simulator.waitUntil(acceptedCount: 60, timeout: .seconds(60)))
        kill(first.pid, SIGKILL)
        #expect(await first.exited().signalled)

        let store = try SQLiteOutboxStore(path: directory.appendingPathComponent("gongkai.sqlite").path)
        let orphaned = try await store.deliveries(DeliveryFilter(states: [.sending])).count
        let deliveredBeforeRestart = try await store.deliveries(DeliveryFilter(states: [.delivered])).count
        #expect(deliveredBeforeRestart < count, "the kill came too late to test anything")

        simulator.setFaults(.none)
        let second = try cli.launch(daemonArguments, log: directory.appendingPathComponent("daemon-2.log"))
        var delivered = deliveredBeforeRestart
        let deadline = ContinuousClock.now + .seconds(90)
        while delivered < count && ContinuousClock.now < deadline {
            // Await the platform's progress, then read the outbox.
            _ = await simulator.waitUntil(acceptedCount: simulator.acceptedCount + 1, timeout: .milliseconds(500))
            delivered = try await store.deliveries(DeliveryFilter(states: [.delivered])).count
        }
        kill(second.pid, SIGTERM)
        #expect(await second.exited().status == 0)

        #expect(delivered == count)
        var missing: [String] = []
        for item in items where simulator.count(itemID: item.id, version: 1, type: .published) == 0 {
            missing.append(item.id)
        }
        #expect(missing.isEmpty, "never reached the platform: \(missing.prefix(5))")
        #expect(try await store.deliveries(DeliveryFilter(states: [.sending])).isEmpty)
        // Each send the kill cut off is in the attempt log once, as abandoned by the first daemon.
        var abandoned: [AttemptRecord] = []
        for item in items {
            abandoned += try await store.attempts(itemID: item.id, channelID: "hub").filter { $0.outcome == "abandoned" }
        }
        #expect(abandoned.count == orphaned)
        #expect(Set(abandoned.map(\.deliveryID)).count == abandoned.count)
        #expect(Set(abandoned.map(\.worker)).count <= 1)
        let duplicates = simulator.duplicateCount
        print(
            "crash test: \(count) items, \(orphaned) in flight at the kill (\(abandoned.count) logged abandoned), "
                + "\(deliveredBeforeRestart) recorded delivered before it; "
                + "platform saw \(simulator.acceptedCount) deliveries, \(duplicates) duplicates (same webhook-id, absorbed by idempotency)")
        // At-least-once: duplicates are bounded by what was in flight (plus answers lost in the kill).
        #expect(duplicates <= orphaned + 8)
        await simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func restartedDaemonTakesOverAKilledOnesLeasesAtOnce() async throws {
        // Before heartbeats a restarted daemon waited out its dead predecessor's 60 s leases.
        // Every answer comes late, so the kill lands while the first sends wait for theirs.
        let (directory, simulator, cli) = try await Self.webhookDaemon(
            slowDelay: .seconds(3), channel: "concurrency: 4\ntimeout: 30s")
        let items = SampleDisclosures.generated(count: 12, seed: 7)
        let lines = items.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n")
        let submit = try await cli.run(["submit", "-"], stdin: lines)
        #expect(submit.status == 0, "\(submit.stderr)")

        // A long lease (the default is 20 s), so that waiting it out could not pass for a takeover.
        let daemonArguments = ["daemon", "--lease", "60s", "--poll-interval", "50ms", "--log-level", "warning"]
        let first = try cli.launch(daemonArguments, log: directory.appendingPathComponent("daemon-1.log"))
        #expect(await simulator.waitUntil(acceptedCount: 4, timeout: .seconds(60)))
        kill(first.pid, SIGKILL)
        #expect(await first.exited().signalled)

        let store = try SQLiteOutboxStore(path: directory.appendingPathComponent("gongkai.sqlite").path)
        let orphaned = try await store.deliveries(DeliveryFilter(states: [.sending]))
        #expect(orphaned.count == 4)
        let leaseEnds = try #require(orphaned.compactMap(\.leaseExpiresAt).min())
        #expect(try await store.workerHeartbeats().count == 1)

        simulator.setFaults(.none)
        let restartedAt = SystemWallClock().now()
        let second = try cli.launch(daemonArguments, log: directory.appendingPathComponent("daemon-2.log"))
        var delivered = 0
        let deadline = ContinuousClock.now + .seconds(90)
        while delivered < items.count && ContinuousClock.now < deadline {
            _ = await simulator.waitUntil(acceptedCount: simulator.acceptedCount + 1, timeout: .milliseconds(500))
            delivered = try await store.deliveries(DeliveryFilter(states: [.delivered])).count
        }
        let doneAt = SystemWallClock().now()
        kill(second.pid, SIGTERM)
        #expect(await second.exited().status == 0)

        #expect(delivered == items.count)
        // Sent again, and recorded, well before the killed daemon's leases would have run out.
        #expect(doneAt < leaseEnds - 30_000, "took \(doneAt - restartedAt) ms after the restart")
        for row in orphaned {
            let attempts = try await store.attempts(itemID: row.itemID, channelID: "hub")
            #expect(attempts.map(\.outcome) == ["abandoned", "ok"])
            #expect(attempts.first?.worker == row.leaseOwner)
        }
        // The killed daemon's row went with its leases; the second removed its own on the way out.
        #expect(try await store.workerHeartbeats().isEmpty)
        print("restart test: 4 leases of a killed daemon resent \(doneAt - restartedAt) ms after the restart (lease 60 s)")
        await simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
