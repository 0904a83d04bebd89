import Foundation
import GongkaiCore
import GongkaiSimulators
import GongkaiStore
import GongkaiTestSupport
import Logging
import Testing

/// Several `gongkai daemon` processes sharing one PostgreSQL outbox and one
/// webhook platform: every delivery arrives, none twice while they all live;
/// a daemon killed with `kill -9` costs at most its in-flight deliveries in
/// duplicates; connections cut by the server are survived.
@Suite(
    "Several daemons on one PostgreSQL",
    .serialized,
    .enabled(if: PostgresTestCluster.isAvailable || PostgresTestCluster.mustRun, "PostgreSQL is not installed"))
struct MultiDaemonTests {
    /// A directory with one webhook channel, a fresh database and the items submitted through the CLI.
    struct Rig {
        let directory: URL
        let simulator: WebhookSimulator
        let cli: CLIProcess
        let database: OutboxDatabase
        let databaseName: String
        let items: [DisclosureItem]
        let cluster: PostgresTestCluster

        static func make(items count: Int, slowDelay: Duration) async throws -> Rig {
            let cluster = try await PostgresTestCluster.shared()
            let url = try await cluster.makeDatabase()
            let directory = try CLIProcess.temporaryDirectory()
            let secret = StandardWebhookSecret.generate()
            let simulator = WebhookSimulator(
                secret: secret, recordBodies: false, logger: Logger(label: "sim", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await simulator.start()
            // Each send takes a little while, so that daemons overlap and a kill lands mid-send.
            simulator.setFaults(WebhookFaults(slowRate: 1, slowDelay: slowDelay))
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("channels"), withIntermediateDirectories: true)
            try """
            id: hub
            kind: webhook
            endpoint: \(simulator.url)
            secret:
              env: MULTI_HUB_SECRET
            retry:
              delays: [100ms, 200ms, 400ms, 800ms, 1s, 1s, 1s]
              minimumThrottleDelay: 100ms
            concurrency: 8
            timeout: 3s
            """.write(to: directory.appendingPathComponent("channels/hub.yaml"), atomically: true, encoding: .utf8)
            let setting = url + "?sslmode=disable"
            let cli = CLIProcess(
                directory: directory,
                environment: [
                    "MULTI_HUB_SECRET": secret.text, "GONGKAI_DATABASE": setting,
                    "GONGKAI_DATABASE_PASSWORD": cluster.password,
                ])
            let items = SampleDisclosures.generated(count: count, seed: 7)
            if count > 0 {
                let lines = items.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n")
                let submit = try await cli.run(["submit", "-"], stdin: lines)
                #expect(submit.status == 0, "\(submit.stderr)")
            }
            let database = try OutboxDatabase.open(
                setting, environment: ["GONGKAI_DATABASE_PASSWORD": cluster.password])
            return Rig(
                directory: directory, simulator: simulator, cli: cli, database: database,
                databaseName: String(url.split(separator: "/").last!), items: items, cluster: cluster)
        }

        func daemon(_ name: String, pollInterval: String = "50ms") throws -> CLIProcess.Running {
            try cli.launch(
                ["daemon", "--worker-id", name, "--lease", "10s", "--poll-interval", pollInterval, "--log-level", ProcessInfo.processInfo.environment["MULTI_LOG"] ?? "warning"],
                log: directory.appendingPathComponent("\(name).log"))
        }

        /// Awaits the platform until every item was published at least once (or the deadline passes).
        func awaitEveryItem(store: any OutboxStore, timeout: Duration) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                _ = await simulator.waitUntil(acceptedCount: simulator.acceptedCount + 1, timeout: .milliseconds(500))
                if simulator.acceptedCount >= items.count,
                    try await store.deliveries(DeliveryFilter(states: [.delivered], limit: items.count + 1)).count
                        == items.count
                {
                    return true
                }
            }
            return false
        }

        func missing() -> [String] {
            items.filter { simulator.count(itemID: $0.id, version: 1, type: .published) == 0 }.map(\.id)
        }

        func log(_ name: String) -> String {
            (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        }

        func finish() async {
            await simulator.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func threeDaemonsDeliverEveryItemOnceBetweenThem() async throws {
        let rig = try await Rig.make(items: 2_000, slowDelay: .milliseconds(2))
        try await rig.database.withRunning { store in
            let names = ["daemon-a", "daemon-b", "daemon-c"]
            let daemons = try names.map { try rig.daemon($0) }
            let everything = try await rig.awaitEveryItem(store: store, timeout: .seconds(180))
            for (name, daemon) in zip(names, daemons) {
                #expect(daemon.isRunning, "\(name) stopped on its own: \(rig.log(name).suffix(2_000))")
                kill(daemon.pid, SIGTERM)
            }
            for (name, daemon) in zip(names, daemons) {
                let exit = await daemon.exited()
                #expect(exit.status == 0 && !exit.signalled, "\(name) did not drain cleanly: \(rig.log(name).suffix(2_000))")
            }
            #expect(everything)
            #expect(rig.missing().isEmpty)
            let attempts = try await store.deliveries(DeliveryFilter(states: [.delivered], limit: 3_000))
            // Each daemon took a share: the claim is shared, not won by one process.
            var perWorker: [String: Int] = [:]
            for item in stride(from: 0, to: rig.items.count, by: 7).map({ rig.items[$0] }) {
                for attempt in try await store.attempts(itemID: item.id, channelID: "hub") { perWorker[attempt.worker, default: 0] += 1 }
            }
            print(
                "multi-daemon test: 3 daemons, \(rig.items.count) items, platform accepted \(rig.simulator.acceptedCount), "
                    + "duplicates \(rig.simulator.duplicateCount); attempts on every 7th item by worker: \(perWorker)")
            #expect(attempts.count == rig.items.count)
            // No daemon sends what another holds: a second copy only follows a send whose answer
            // did not come in time (at least once), which the attempt log then shows as failed.
            let sentTwice = rig.items.filter { rig.simulator.count(itemID: $0.id, version: 1, type: .published) > 1 }
            for item in sentTwice {
                let outcomes = try await store.attempts(itemID: item.id, channelID: "hub").map { "\($0.outcome): \($0.error ?? "")" }
                // An `abandoned` line would mean a live daemon's lease was taken over: not an excuse.
                #expect(
                    outcomes.contains { !$0.hasPrefix("ok") && !$0.hasPrefix("abandoned") },
                    "\(item.id) was sent twice with no failed attempt: \(outcomes)")
            }
            #expect(sentTwice.count <= 5, "\(sentTwice.count) items sent twice")
            #expect(rig.simulator.acceptedCount == rig.items.count + rig.simulator.duplicateCount)
            #expect(perWorker.count == 3, "\(perWorker)")
            #expect(try await store.deliveries(DeliveryFilter(states: [.sending])).isEmpty)
        }
        await rig.finish()
    }

    @Test func aDaemonKilledMidRunCostsAtMostItsInFlightDeliveries() async throws {
        let rig = try await Rig.make(items: 2_000, slowDelay: .milliseconds(5))
        try await rig.database.withRunning { store in
            let survivors = try ["daemon-a", "daemon-c"].map { try rig.daemon($0) }
            let victim = try rig.daemon("daemon-b")
            #expect(await rig.simulator.waitUntil(acceptedCount: 600, timeout: .seconds(120)))
            kill(victim.pid, SIGKILL)
            let killed = await victim.exited()
            #expect(killed.signalled)
            // The survivors free these rows as soon as a heartbeat finds daemon-b gone, perhaps
            // before this read: the abandoned lines counted below are the exact figure.
            let inFlight = try await store.deliveries(DeliveryFilter(states: [.sending], limit: 3_000))
                .filter { $0.leaseOwner == "daemon-b" }.count
            let deliveredAtKill = try await store.deliveries(DeliveryFilter(states: [.delivered], limit: 3_000)).count
            #expect(deliveredAtKill < rig.items.count, "the kill came too late to test anything")

            let everything = try await rig.awaitEveryItem(store: store, timeout: .seconds(180))
            for daemon in survivors {
                #expect(daemon.isRunning, "a surviving daemon stopped on its own")
                kill(daemon.pid, SIGTERM)
            }
            for daemon in survivors { #expect(await daemon.exited().status == 0) }
            #expect(everything)
            #expect(rig.missing().isEmpty, "never reached the platform: \(rig.missing().prefix(5))")
            // Every delivery daemon-b held when it died was taken over, and logged abandoned, once.
            var abandoned = 0
            for item in rig.items {
                abandoned += try await store.attempts(itemID: item.id, channelID: "hub")
                    .filter { $0.outcome == "abandoned" && $0.worker == "daemon-b" }.count
            }
            #expect(abandoned >= inFlight)
            let duplicates = rig.simulator.duplicateCount
            print(
                "multi-daemon kill test: 3 daemons, \(rig.items.count) items; daemon-b killed with \(abandoned) deliveries in flight "
                    + "(\(inFlight) still leased to it when read, \(deliveredAtKill) recorded delivered by then); "
                    + "platform accepted \(rig.simulator.acceptedCount), "
                    + "duplicates \(duplicates) (same webhook-id, absorbed by idempotency)")
            #expect(duplicates <= abandoned)
            #expect(try await store.deliveries(DeliveryFilter(states: [.sending])).isEmpty)
        }
        await rig.finish()
    }

    @Test func daemonsSurviveTheServerCuttingTheirConnections() async throws {
        let rig = try await Rig.make(items: 1_000, slowDelay: .milliseconds(5))
        try await rig.database.withRunning { store in
            let names = ["daemon-a", "daemon-b"]
            let daemons = try names.map { try rig.daemon($0) }
            #expect(await rig.simulator.waitUntil(acceptedCount: 200, timeout: .seconds(120)))
            // Twice, as a failover or an administrator's pg_terminate_backend would.
            let first = try await rig.cluster.terminateConnections(database: rig.databaseName)
            #expect(await rig.simulator.waitUntil(acceptedCount: 500, timeout: .seconds(120)))
            let second = try await rig.cluster.terminateConnections(database: rig.databaseName)
            #expect(first > 0 && second > 0)
            // The test's own pool lost its connections too; the store's reads reconnect.
            let everything = try await rig.awaitEveryItem(store: store, timeout: .seconds(180))
            for (name, daemon) in zip(names, daemons) {
                #expect(daemon.isRunning, "\(name) stopped on its own: \(rig.log(name).suffix(2_000))")
                kill(daemon.pid, SIGTERM)
            }
            for (name, daemon) in zip(names, daemons) {
                #expect(await daemon.exited().status == 0, "\(rig.log(name).suffix(2_000))")
            }
            #expect(everything)
            #expect(rig.missing().isEmpty)
            print(
                "connection-cut test: 2 daemons, \(rig.items.count) items, \(first) then \(second) connections terminated; "
                    + "platform accepted \(rig.simulator.acceptedCount), duplicates \(rig.simulator.duplicateCount)")
            #expect(try await store.deliveries(DeliveryFilter(states: [.sending])).isEmpty)
        }
        await rig.finish()
    }

    @Test func aSubmitFromTheCLIWakesAnIdleDaemonAtOnce() async throws {
        let rig = try await Rig.make(items: 0, slowDelay: .milliseconds(1))
        // Idle workers would look for work only once a minute: only the notification can be quick.
        let daemon = try rig.daemon("daemon-a", pollInterval: "60s")
        let deadline = ContinuousClock.now + .seconds(60)
        while try await rig.cluster.listeners(database: rig.databaseName, channel: PostgresOutboxStore.workChannel) == 0,
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        let item = SampleDisclosures.generated(count: 1, seed: 99)[0]
        let started = ContinuousClock.now
        let submit = try await rig.cli.run(["submit", "-"], stdin: String(decoding: try JSONEncoder().encode(item), as: UTF8.self))
        #expect(submit.status == 0, "\(submit.stderr)")
        let arrived = await rig.simulator.waitUntil(acceptedCount: 1, timeout: .seconds(20))
        let elapsed = ContinuousClock.now - started
        print("wake-up test: a CLI submit reached the platform \(elapsed) after it started (poll interval 60 s)")
        #expect(arrived)
        #expect(elapsed < .seconds(20))
        #expect(daemon.isRunning, "\(rig.log("daemon-a").suffix(2_000))")
        kill(daemon.pid, SIGTERM)
        #expect(await daemon.exited().status == 0)
        await rig.finish()
    }

    /// A robot's limits live in the sender: three daemons must not each send their own share
    /// of the platform's window. One holds the channel's lease and sends; the others wait.
    @Test func threeDaemonsKeepARobotsWindowByLettingOneSend() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let url = try await cluster.makeDatabase() + "?sslmode=disable"
        let directory = try CLIProcess.temporaryDirectory()
        var limits = RobotDialect.wecom.defaultLimits
        limits.messagesPerWindow = 20
        limits.window = .seconds(1)
        limits.messagesPerSecond = nil
        let simulator = RobotSimulator(
            dialect: .wecom, token: "robot-key", limits: limits,
            logger: Logger(label: "sim", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await simulator.start()
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("channels"), withIntermediateDirectories: true)
        // One daemon sends at most burst + rate = 10 in any second, half the window; three
        // daemons sending each on their own would pass 20 and meet the throttle code.
        try """
        id: robot
        kind: wecom-robot
        endpoint: \(simulator.endpoint)
        credentials:
          key:
            env: MULTI_ROBOT_KEY
        options:
          messagesPerWindow: 20
          rateWindow: 1s
        retry:
          delays: [200ms, 500ms, 1s, 2s, 2s, 2s]
          minimumThrottleDelay: 100ms
        rateLimit:
          perSecond: 5
          burst: 5
        concurrency: 4
        timeout: 5s
        """.write(to: directory.appendingPathComponent("channels/robot.yaml"), atomically: true, encoding: .utf8)
        let cli = CLIProcess(
            directory: directory,
            environment: [
                "MULTI_ROBOT_KEY": "robot-key", "GONGKAI_DATABASE": url, "GONGKAI_DATABASE_PASSWORD": cluster.password,
            ])
        let count = 60
        let items = SampleDisclosures.generated(count: count, seed: 11)
        let submit = try await cli.run(
            ["submit", "-"],
            stdin: items.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n"))
        #expect(submit.status == 0, "\(submit.stderr)")
        let names = ["daemon-a", "daemon-b", "daemon-c"]
        let daemons = try names.map { name in
            try cli.launch(
                ["daemon", "--worker-id", name, "--lease", "10s", "--poll-interval", "50ms", "--log-level", "warning"],
                log: directory.appendingPathComponent("\(name).log"))
        }
        let database = try OutboxDatabase.open(url, environment: ["GONGKAI_DATABASE_PASSWORD": cluster.password])
        try await database.withRunning { store in
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline,
                try await !store.deliveries(DeliveryFilter(states: [.pending, .sending, .retrying], limit: 1)).isEmpty
            {
                try await Task.sleep(for: .milliseconds(100))
            }
            let listing = try await cli.run(["channels", "list", "--json"])
            for (name, daemon) in zip(names, daemons) {
                #expect(daemon.isRunning, "\(name) stopped on its own")
                kill(daemon.pid, SIGTERM)
            }
            for daemon in daemons { #expect(await daemon.exited().status == 0) }
            let delivered = try await store.deliveries(DeliveryFilter(states: [.delivered], limit: 1_000))
            var senders: Set<String> = []
            for item in items {
                for attempt in try await store.attempts(itemID: item.id, channelID: "robot") { senders.insert(attempt.worker) }
            }
            print(
                "robot window test: 3 daemons, \(count) notices; platform accepted \(simulator.acceptedCount), "
                    + "throttled \(simulator.rejectedCount(.rateLimited)); sent by \(senders.sorted())")
            #expect(delivered.count == count)
            #expect(simulator.rejectedCount(.rateLimited) == 0)
            #expect(senders.count == 1, "\(senders)")
            // channels list names the sending daemon.
            #expect(listing.stdout.contains("\"sender\" : \"\(senders.first ?? "?")\""), "\(listing.stdout)")
        }
        await simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
