import Foundation
import GongkaiAudit
import GongkaiChannels
public import GongkaiCore
import GongkaiService
import GongkaiSimulators
public import GongkaiStore
import GongkaiSync
import Logging

/// `gongkai demo`: the whole outbox on a temporary SQLite file (or an empty
/// PostgreSQL database) against local simulators that fail on purpose, until
/// every channel shows what the outbox says. Needs no set-up; prints as it goes.
public enum Demo {
    /// Runs the demo; `database` is nil for a temporary SQLite file, else a `database` setting (a path or a URL).
    /// - Parameter table: renders deliveries for the terminal (the executable owns terminal rendering).
    public static func run(
        timeoutSeconds: Int, keep: Bool, database setting: String? = nil, options: DatabaseOptions = DatabaseOptions(),
        table: @escaping @Sendable ([DeliveryRecord]) -> String = { $0.map { "\($0.itemID) \($0.channelID) \($0.state.rawValue)" }.joined(separator: "\n") }
    ) async throws -> Bool {
        var logger = Logger(label: "gongkai.demo")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let databasePath = directory.appendingPathComponent("outbox.sqlite").path
        let database = try OutboxDatabase.open(setting ?? databasePath, options: options, logger: logger)
        return try await database.withRunning { store in
            // The demo's items have fixed ids: on a used outbox they would be "unchanged" and prove nothing.
            if setting != nil, !(try await store.items(after: nil, limit: 1)).isEmpty {
                throw GongkaiError(
                    .configuration, "the demo needs an empty outbox; \(database.location) already holds items",
                    field: "database")
            }
            let shown = setting != nil ? "\(database.location)"
                : (keep ? databasePath : "in a temporary SQLite file (use --keep to keep it)")
            say("gongkai demo — outbox \(shown)")
            return try await run(store: store, timeoutSeconds: timeoutSeconds, logger: logger, table: table)
        }
    }

    static func run(
        store: any OutboxStore, timeoutSeconds: Int, logger: Logger, table: @Sendable ([DeliveryRecord]) -> String
    ) async throws -> Bool {
        // The embedded calendar: the demo shows deadlines wherever it runs.
        let calendar = try WorkCalendar.standard()
        let platforms = try await DemoPlatforms.start(logger: logger)
        let definitions = platforms.definitions
        let runtimes: [ChannelRuntime]
        do {
            runtimes = try await ChannelAdapterFactory.makeAll(definitions, environment: platforms.environment)
                .map { ChannelRuntime(definition: $0.definition, adapter: $0.adapter) }
        } catch {
            await platforms.stopAll()
            throw error
        }
        say("  \(definitions.count) channels, each against a local simulator of its platform:")
        for (id, note) in platforms.notes { say("  \(id): \(note)") }

        let engine = DeliveryEngine(
            store: store, channels: runtimes,
            configuration: EngineConfiguration(workerID: "demo-\(ProcessInfo.processInfo.processIdentifier)", pollInterval: 100),
            logger: logger)
        let console = OutboxConsole(store: store, channels: definitions, actor: "demo-operator", calendar: calendar)
        // The policy's 附件, hosted on the portal's site as an agency hosts it.
        var policy = SampleDisclosures.policy
        let annex = Array("附件：森林草原防火实施方案（演示文件）".utf8)
        if let portal = platforms.portal {
            let url = portal.hostFile("2026-annex-1.pdf", bytes: annex)
            policy.attachments = [.init(name: "实施方案.pdf", url: url, sha256: PublicPageDemo.sha256(annex))]
        }
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)

        let settled = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await engine.run()
                return true
            }
            defer { engine.stop() }

            say("\n1. submit: a policy, its interpretation, a penalty on a natural person, a licence, a withheld item, a notice pending review")
            let sample = SampleDisclosures.self
            var notice = sample.notice
            notice.review = .pending
            for outcome in try await console.submit([
                policy, sample.interpretation, sample.penaltyOnNaturalPerson, sample.licence, sample.withheld, notice,
            ]) {
                say("   \(outcome.itemID) v\(outcome.version) \(outcome.change.rawValue)")
            }
            engine.nudge()
            await progress(console, until: deadline)

            say("\n2. approve the notice (先审后发), correct the policy (纠错), annul the penalty (撤销)")
            _ = try await console.approve(itemID: notice.id)
            let edited = try await console.submit([sample.edited(policy)])
            say("   \(sample.policy.id) v\(edited[0].version) \(edited[0].change.rawValue)")
            _ = try await console.withdraw(itemID: sample.penaltyOnNaturalPerson.id, reason: "行政复议撤销原处罚决定")
            engine.nudge()
            let settled = await progress(console, until: deadline)

            let dead = try await store.deliveries(DeliveryFilter(states: [.dead]))
            if !dead.isEmpty {
                say("\n3. dead deliveries need an operator:")
                print(table(dead))
            }
            engine.stop()
            _ = try await group.next()
            return settled && dead.isEmpty
        }

        say("\nfinal state:")
        print(table(try await store.deliveries(DeliveryFilter())))

        say("\n4. reconcile: every channel against the outbox (gongkai reconcile)")
        let adapters = try await ChannelAdapterFactory.makeAll(definitions, environment: platforms.environment)
        var reconciler = Reconciler(store: store, channels: adapters)
        reconciler.calendar = calendar
        let report = try await reconciler.run()
        for (_, adapter) in adapters { await adapter.shutdown() }
        print(ReconcileRenderer.render(report, format: .table, language: .zh))

        say("\n5. public pages: what citizens see (gongkai reconcile --public), with a stale page and a broken 附件 injected")
        let pagesFound = try await PublicPageDemo.run(
            store: store, platforms: platforms, definitions: definitions, policyID: policy.id, annex: "2026-annex-1.pdf")

        var leaks: [String] = []
        if let idNumber = SampleDisclosures.penaltyOnNaturalPerson.subject?.idNumber {
            leaks = platforms.leaks(of: idNumber)
        }
        say("privacy: \(leaks.isEmpty ? "no unmasked ID number reached a public platform" : "LEAK on " + leaks.joined(separator: ", "))")
        await platforms.stopAll()
        let ok = settled && report.exitStatus == 0 && leaks.isEmpty && pagesFound
        say(ok ? "\nconverged: every channel shows what the outbox says." : "\nNOT converged within \(timeoutSeconds)s.")
        return ok
    }

    /// Prints per-channel counts as they change until nothing is in motion.
    @discardableResult
    static func progress(_ console: OutboxConsole, until deadline: ContinuousClock.Instant) async -> Bool {
        let moving: Set<DeliveryState> = [.pending, .sending, .retrying]
        var last = ""
        while ContinuousClock.now < deadline {
            let counts: [String: [DeliveryState: Int]]
            do {
                counts = try await console.store.stateCounts()
            } catch {
                say("   cannot read the outbox: \(error)")
                return false
            }
            let line = counts.keys.sorted().map { channel in
                let row = counts[channel] ?? [:]
                let parts = DeliveryState.allCases.compactMap { state in row[state].map { "\(state.rawValue)=\($0)" } }
                return "\(channel): " + parts.joined(separator: " ")
            }.joined(separator: " | ")
            if line != last {
                say("   " + line)
                last = line
            }
            if !counts.values.contains(where: { row in row.contains { moving.contains($0.key) && $0.value > 0 } }) {
                return true
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    static func say(_ text: String) {
        print(text)
    }
}
