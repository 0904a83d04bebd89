import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiAudit
import GongkaiSimulators
public import GongkaiStore
import GongkaiSync
import Logging
import NIOCore
import ServiceLifecycle

/// `gongkai bench`: measures the outbox end to end against the local webhook
/// simulator and prints the figures. It asserts nothing; the README records
/// what it printed and on which machine.
public enum Bench {
    public struct Options: Sendable {
        public var items: Int
        public var channels: Int
        public var concurrency: Int
        public var faultRate: Double
        public var latencySeconds: Int
        public var latencyRate: Int
        /// Items in the reconcile phase; 0 skips it.
        public var reconcileItems = 100_000
        /// The phases to run, all by default; one alone is what a profiler wants.
        public var phases = Set(Phase.allCases)
        /// Where the phases' outboxes live: nil for temporary SQLite files, or a
        /// `postgres://` URL in whose database each phase gets a schema of its own.
        public var database: String?
        public var databaseOptions = DatabaseOptions()
        /// Engines, each with its own store connections, draining one outbox together (the e2e phase runs again with them).
        public var daemons = 1
        /// Delivered rows put in the outbox before a second e2e run, to show the claim's cost does not grow with it.
        public var preload = 0

        public init(items: Int, channels: Int, concurrency: Int, faultRate: Double, latencySeconds: Int, latencyRate: Int) {
            self.items = items
            self.channels = channels
            self.concurrency = concurrency
            self.faultRate = faultRate
            self.latencySeconds = latencySeconds
            self.latencyRate = latencyRate
        }
    }

    /// A part of the run that can be measured on its own.
    public enum Phase: String, CaseIterable, Sendable {
        case submit, e2e, bookkeeping, bare, latency, faults, reconcile, api, metrics
    }

    public static func run(_ options: Options) async throws {
        var logger = Logger(label: "gongkai.bench")
        logger.logLevel = .error
        #if DEBUG
            print("warning: this is a debug build; figures are only meaningful with `swift run -c release gongkai bench`")
        #endif
        print("gongkai bench — \(MachineInfo.summary())")
        let phases = options.phases
        if phases.isSubset(of: [.reconcile]) {
            try await reconcilePhase(items: options.reconcileItems, options: options, logger: logger)
            print(line("peak RSS", "\(MachineInfo.peakRSSMegabytes()) MiB", "(whole run)"))
            return
        }
        print(
            "items \(options.items) × \(options.channels) webhook channels, concurrency \(options.concurrency) per channel\n")

        let secret = StandardWebhookSecret.generate()
        let simulator = WebhookSimulator(secret: secret, recordBodies: false, logger: logger)
        try await simulator.start()
        let environment = ["GONGKAI_BENCH_SECRET": secret.text]
        let sampler = RSSSampler()
        let samplerTask = Task { await sampler.run() }
        defer { samplerTask.cancel() }

        let items = SampleDisclosures.generated(count: options.items, seed: 1)
        let noFaultChannels = try channels(options, url: simulator.url, fast: false)
        let total = options.items * options.channels
        var e2eRate: Double?
        var e2eCPU: Double?

        // 1. Submit rate (validation, hashing, masking, one durable transaction per batch).
        let backend = options.database.map { (try? DatabaseLocation($0))?.isPostgres == true ? "PostgreSQL" : "SQLite" } ?? "SQLite"
        print("outbox: \(backend)\(options.database.map { " at " + ((try? DatabaseLocation($0).description) ?? $0) } ?? ", temporary files")\n")
        if phases.contains(.submit) || phases.contains(.e2e) {
            try await withWorkspace(options) { run1 in
                let console1 = OutboxConsole(store: run1.store, channels: noFaultChannels, actor: "bench")
                let submitStart = ContinuousClock.now
                for batch in items.chunked(500) { _ = try await console1.submit(batch) }
                let submitSeconds = (ContinuousClock.now - submitStart).seconds
                let durability = backend == "PostgreSQL" ? "synchronous_commit=on" : "synchronous=FULL"
                print(line("submit", "\(rate(Double(items.count) / submitSeconds)) items/s", "(\(items.count) items in batches of 500, \(durability))"))

                // 2. End to end: drain the backlog through the engine, no faults.
                if phases.contains(.e2e) {
                    sampler.reset()
                    let cpuBefore = MachineInfo.cpuSeconds()
                    let e2e = try await drain(
                        stores: [run1.store], channels: noFaultChannels, environment: environment, total: total,
                        simulator: simulator, logger: logger)
                    e2eCPU = (MachineInfo.cpuSeconds() - cpuBefore) / Double(total)
                    e2eRate = Double(total) / e2e
                    print(line("end to end", "\(rate(Double(total) / e2e)) deliveries/s", "(\(total) deliveries in \(format(e2e)) s; RSS \(sampler.describe()))"))
                    print(line("  CPU", "\(micros(e2eCPU ?? 0)) µs/delivery", "(process CPU time, both cores, simulator included)"))
                }
            }
        }

        // 2a. The same with several engines, each with its own connections, sharing the outbox.
        if phases.contains(.e2e), options.daemons > 1 {
            try await withWorkspace(options) { run in
                let console = OutboxConsole(store: run.store, channels: noFaultChannels, actor: "bench")
                for batch in items.chunked(500) { _ = try await console.submit(batch) }
                var stores = [run.store]
                for _ in 1..<options.daemons { stores.append(try await run.open()) }
                // The same items again: the receiver must not take them for repeats of the first run.
                simulator.reset()
                let duplicatesBefore = simulator.duplicateCount
                let cpuBefore = MachineInfo.cpuSeconds()
                let seconds = try await drain(
                    stores: stores, channels: noFaultChannels, environment: environment, total: total,
                    simulator: simulator, logger: logger)
                let cpu = (MachineInfo.cpuSeconds() - cpuBefore) / Double(total)
                let multiRate = Double(total) / seconds
                print(line("\(options.daemons) daemons", "\(rate(multiRate)) deliveries/s", "(\(total) deliveries in \(format(seconds)) s, \(micros(cpu)) µs CPU/delivery)"))
                if let e2eRate {
                    print(line("  ratio", String(format: "%.2f", multiRate / e2eRate), "(\(options.daemons) daemons ÷ one daemon, same run)"))
                }
                print(line("  duplicates", "\(simulator.duplicateCount - duplicatesBefore)", "(deliveries the receiver saw twice)"))
            }
        }

        // 2b. End to end again on an outbox that already holds a long delivered history.
        if phases.contains(.e2e), options.preload > 0 {
            try await withWorkspace(options) { run in
                let preloadItems = max(1, options.preload / max(1, noFaultChannels.count))
                let fillStart = ContinuousClock.now
                guard let filler = run.store as? any OutboxPreloading else { return }
                try await filler.preloadDelivered(
                    items: preloadItems, channelIDs: noFaultChannels.map(\.id), now: SystemWallClock().now())
                let fillSeconds = (ContinuousClock.now - fillStart).seconds
                let console = OutboxConsole(store: run.store, channels: noFaultChannels, actor: "bench")
                for batch in items.chunked(500) { _ = try await console.submit(batch) }
                let preloaded = preloadItems * noFaultChannels.count
                simulator.reset()
                let seconds = try await drain(
                    stores: [run.store], channels: noFaultChannels, environment: environment, total: total,
                    simulator: simulator, logger: logger)
                let preloadRate = Double(total) / seconds
                print(line("preloaded e2e", "\(rate(preloadRate)) deliveries/s", "(\(preloaded) delivered rows first, filled in \(format(fillSeconds)) s)"))
                if let e2eRate {
                    print(line("  ratio", String(format: "%.2f", preloadRate / e2eRate), "(with \(preloaded) rows ÷ empty, same run)"))
                }
            }
        }

        // 2c. The bookkeeping alone: claim and acknowledge, no HTTP.
        if phases.contains(.api) {
            try await apiPhase(options: options, channels: noFaultChannels, environment: environment, logger: logger)
        }
        if phases.contains(.metrics) {
            try await metricsPhase(options: options, channels: noFaultChannels, items: items, logger: logger)
        }
        if phases.contains(.bookkeeping) {
            try await withWorkspace(options) { run0 in
                let console0 = OutboxConsole(store: run0.store, channels: noFaultChannels, actor: "bench")
                for batch in items.chunked(1_000) { _ = try await console0.submit(batch) }
                let bookkeeping = try await bookkeepingOnly(store: run0.store, channels: noFaultChannels, total: total)
                print(line("bookkeeping", "\(rate(Double(total) / bookkeeping)) deliveries/s", "(claim + record in batches of 256, no HTTP)"))
            }
        }

        // 3. Bare HTTP: the same adapter, client and concurrency posting the same bodies, no outbox.
        if phases.contains(.bare) {
            let (bare, bareCPUSeconds) = try await bareHTTP(
                options, channels: noFaultChannels, items: items, environment: environment)
            let bareCPU = bareCPUSeconds / Double(total)
            let bareRate = Double(total) / bare
            print(line("bare HTTP", "\(rate(bareRate)) requests/s", "(same client, bodies and concurrency, no outbox)"))
            print(line("  CPU", "\(micros(bareCPU)) µs/request", "(process CPU time, both cores, simulator included)"))
            if let e2eRate, let e2eCPU {
                print(line("ratio", String(format: "%.2f", e2eRate / bareRate), "(end to end ÷ bare HTTP)"))
                print(line("  by CPU", String(format: "%.2f", bareCPU / e2eCPU), "(bare CPU ÷ end-to-end CPU per delivery: the same ratio, less sensitive to a drifting VM)"))
            }
        }

        // 4. Latency under a steady offered load.
        if phases.contains(.latency) {
            simulator.reset()
            try await withWorkspace(options) { run2 in
                let latency = try await steadyLatency(
                    options, store: run2.store, channels: noFaultChannels, environment: environment, simulator: simulator,
                    logger: logger)
                print(line("latency", "p50 \(latency.p50) ms, p99 \(latency.p99) ms", "(enqueue → received, \(options.latencyRate) items/s offered for \(options.latencySeconds) s)"))
            }
        }

        // 5. With injected 5xx.
        if phases.contains(.faults) {
            simulator.reset()
            simulator.setFaults(WebhookFaults(serverErrorRate: options.faultRate))
            try await withWorkspace(options) { run3 in
                let faultChannels = try channels(options, url: simulator.url, fast: true)
                let console3 = OutboxConsole(store: run3.store, channels: faultChannels, actor: "bench")
                for batch in items.chunked(1_000) { _ = try await console3.submit(batch) }
                sampler.reset()
                let faulty = try await drain(
                    stores: [run3.store], channels: faultChannels, environment: environment, total: total,
                    simulator: simulator, logger: logger)
                let rejected = simulator.rejectedCounts.values.reduce(0, +)
                print(line("with \(Int(options.faultRate * 100))% 5xx", "\(rate(Double(total) / faulty)) deliveries/s", "(\(rejected) failed on purpose and retried; RSS \(sampler.describe()))"))
                print(line("duplicates", "\(simulator.duplicateCount)", "(fault phase, deliveries the receiver saw twice)"))
            }
        }
        await simulator.stop()
        if phases.contains(.reconcile), options.reconcileItems > 0 {
            try await reconcilePhase(items: options.reconcileItems, options: options, logger: logger)
        }
        print(line("peak RSS", "\(MachineInfo.peakRSSMegabytes()) MiB", "(whole run)"))
    }

    static func channels(_ options: Options, url: String, fast: Bool) throws -> [ChannelDefinition] {
        let retry = fast
            ? try RetrySchedule(delays: [50, 100, 200, 400, 800, 1_600, 3_200, 6_400], jitter: 0.2, minimumThrottleDelay: 50)
            : RetrySchedule.standard
        return (1...options.channels).map { index in
            ChannelDefinition(
                id: "bench-\(index)", kind: .webhook, endpoint: url + "/\(index)", secret: .environment("GONGKAI_BENCH_SECRET"),
                retry: retry, concurrency: options.concurrency, timeout: 10_000, breakerFailureThreshold: 50)
        }
    }

    /// Runs one engine per store handle until every delivery is delivered; returns the seconds it took.
    ///
    /// It awaits the simulator's count first and reads the outbox only at the end,
    /// so that watching does not slow down what is watched.
    static func drain(
        stores: [any OutboxStore], channels: [ChannelDefinition], environment: [String: String], total: Int,
        simulator: WebhookSimulator, logger: Logger
    ) async throws -> Double {
        let engines = try stores.map { try engine(store: $0, channels: channels, environment: environment, logger: logger) }
        let target = simulator.acceptedCount + total
        let start = ContinuousClock.now
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for engine in engines { group.addTask { try await engine.run() } }
            _ = await simulator.waitUntil(acceptedCount: target, timeout: .seconds(600))
            // Through the due index, so that a long delivered history is not counted on every look.
            while try await inMotion(stores[0], channels: channels) {
                try await Task.sleep(for: .milliseconds(5))
            }
            let seconds = (ContinuousClock.now - start).seconds
            for engine in engines { engine.stop() }
            try await group.waitForAll()
            return seconds
        }
    }

    static func bookkeepingOnly(store: any OutboxStore, channels: [ChannelDefinition], total: Int) async throws -> Double {
        let clock = SystemWallClock()
        let start = ContinuousClock.now
        var done = 0
        while done < total {
            for channel in channels {
                let claimed = try await store.claim(
                    channelID: channel.id, audience: channel.audience, owner: "bench", limit: 256, leaseMillis: 60_000,
                    now: clock.now())
                let now = clock.now()
                try await store.complete(
                    claimed.map {
                        SendOutcome(
                            deliveryID: $0.record.id, itemID: $0.record.itemID, channelID: $0.record.channelID,
                            operation: $0.operation, version: $0.version,
                            result: .delivered(remoteID: nil, remoteURL: nil), httpStatus: 200, startedAt: now,
                            durationMillis: 1, trigger: $0.trigger, schedule: channel.retry, randomUnit: 0.5,
                            canWithdraw: true)
                    }, owner: "bench", now: now)
                done += claimed.count
            }
        }
        return (ContinuousClock.now - start).seconds
    }

    static func engine(
        store: any OutboxStore, channels: [ChannelDefinition], environment: [String: String], logger: Logger
    ) throws -> DeliveryEngine {
        let runtimes = try channels.map {
            ChannelRuntime(definition: $0, adapter: try ChannelAdapterFactory.make($0, environment: environment))
        }
        return DeliveryEngine(
            store: store, channels: runtimes,
            configuration: EngineConfiguration(workerID: "bench-\(UUID().uuidString.prefix(8))", pollInterval: 20),
            logger: logger)
    }

    /// Whether any delivery of these channels is still pending, retrying or being sent.
    static func inMotion(_ store: any OutboxStore, channels: [ChannelDefinition]) async throws -> Bool {
        for channel in channels where try await store.nextDue(channelID: channel.id) != nil { return true }
        return false
    }

    static func bareHTTP(
        _ options: Options, channels: [ChannelDefinition], items: [DisclosureItem], environment: [String: String]
    ) async throws -> (seconds: Double, cpuSeconds: Double) {
        let documents = items.map { PreparedItem($0) }
        let adapters = try channels.map { try ChannelAdapterFactory.make($0, environment: environment) }
        let cpuBefore = MachineInfo.cpuSeconds()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for adapter in adapters {
                for lane in 0..<options.concurrency {
                    group.addTask {
                        var index = lane
                        while index < documents.count {
                            let prepared = documents[index]
                            let request = DeliveryRequest(
                                itemID: prepared.item.id, version: 1, channelID: adapter.channelID, operation: .publish,
                                contentHash: prepared.contentHash, document: prepared.publicDocument)
                            _ = try await adapter.deliver(request, deadline: .now() + .seconds(10))
                            index += options.concurrency
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - start).seconds
        let cpuSeconds = MachineInfo.cpuSeconds() - cpuBefore
        for adapter in adapters { await adapter.shutdown() }
        return (seconds, cpuSeconds)
    }

    static func steadyLatency(
        _ options: Options, store: any OutboxStore, channels: [ChannelDefinition], environment: [String: String],
        simulator: WebhookSimulator, logger: Logger
    ) async throws -> (p50: Int64, p99: Int64) {
        let engine = try engine(store: store, channels: channels, environment: environment, logger: logger)
        let console = OutboxConsole(store: store, channels: channels, actor: "bench")
        let count = options.latencyRate * options.latencySeconds
        let items = SampleDisclosures.generated(count: count, seed: 2)
        let clock = SystemWallClock()
        var submittedAt: [String: Int64] = [:]
        submittedAt.reserveCapacity(count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            let tick = 100
            let perTick = max(1, options.latencyRate / (1_000 / tick))
            let start = ContinuousClock.now
            for (index, batch) in items.chunked(perTick).enumerated() {
                try await Task.sleep(until: start + .milliseconds(tick * index), clock: .continuous)
                let now = clock.now()
                for item in batch { submittedAt[item.id] = now }
                _ = try await console.submit(batch)
                engine.nudge()
            }
            _ = await simulator.waitUntil(acceptedCount: count * channels.count, timeout: .seconds(60))
            engine.stop()
            try await group.waitForAll()
        }
        var latencies = simulator.received().compactMap { received in
            submittedAt[received.itemID].map { received.receivedAt - $0 }
        }
        latencies.sort()
        guard !latencies.isEmpty else { return (0, 0) }
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    static func line(_ label: String, _ figure: String, _ note: String) -> String {
        label.padding(toLength: max(14, label.count + 1), withPad: " ", startingAt: 0) + figure.padding(toLength: 30, withPad: " ", startingAt: 0) + note
    }

    static func rate(_ value: Double) -> String { String(format: "%.0f", value) }
    static func micros(_ seconds: Double) -> String { String(format: "%.0f", seconds * 1e6) }
    static func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }

    /// Runs `body` with a fresh outbox and removes it afterwards, whatever happens.
    static func withWorkspace(_ options: Options, _ body: (Workspace) async throws -> Void) async throws {
        let workspace = try await Workspace.make(options)
        do {
            try await body(workspace)
        } catch {
            await workspace.remove()
            throw error
        }
        await workspace.remove()
    }

    /// A throwaway outbox for one phase: a temporary SQLite file, or a schema of
    /// its own (`gongkai_bench_…`) in the PostgreSQL database the bench was given.
    final class Workspace: @unchecked Sendable {
        let setting: String
        let options: DatabaseOptions
        let directory: URL?
        private var databases: [OutboxDatabase] = []
        private var pools: [Task<Void, any Error>] = []

        var store: any OutboxStore { databases[0].store }

        private init(setting: String, options: DatabaseOptions, directory: URL?) {
            self.setting = setting
            self.options = options
            self.directory = directory
        }

        static func make(_ bench: Options) async throws -> Workspace {
            let workspace: Workspace
            if let database = bench.database, try DatabaseLocation(database).isPostgres {
                var options = bench.databaseOptions
                options.schema = "gongkai_bench_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
                workspace = Workspace(setting: database, options: options, directory: nil)
            } else {
                let directory = FileManager.default.temporaryDirectory
                    .appendingPathComponent("gongkai-bench-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                workspace = Workspace(
                    setting: directory.appendingPathComponent("outbox.sqlite").path, options: bench.databaseOptions,
                    directory: directory)
            }
            _ = try await workspace.open()
            return workspace
        }

        /// Another handle on the same outbox with connections of its own, as a second daemon has.
        func open() async throws -> any OutboxStore {
            var logger = Logger(label: "gongkai.bench.store")
            logger.logLevel = .error
            let database = try OutboxDatabase.open(setting, options: options, logger: logger)
            if let service = database.service { pools.append(Task { try await service.run() }) }
            try await database.prepare()
            databases.append(database)
            return database.store
        }

        func remove() async {
            if let postgres = databases.first?.store as? PostgresOutboxStore {
                try? await postgres.dropBenchSchema()
            }
            for pool in pools { pool.cancel() }
            for pool in pools { _ = await pool.result }
            if let directory { try? FileManager.default.removeItem(at: directory) }
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
