import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import GongkaiStore
import GongkaiSync
import Logging

/// `gongkai demo`: the whole outbox on a temporary SQLite file against local
/// webhook simulators that fail on purpose, until every channel shows what
/// the outbox says. Needs no set-up; prints as it goes.
public enum Demo {
    /// One simulated platform with the channel that points at it.
    struct Platform {
        var definition: ChannelDefinition
        var simulator: WebhookSimulator
        var secretVariable: String
        var secret: StandardWebhookSecret
    }

    public static func run(timeoutSeconds: Int, keep: Bool) async throws -> Bool {
        var logger = Logger(label: "gongkai.demo")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let databasePath = directory.appendingPathComponent("outbox.sqlite").path
        let store = try SQLiteOutboxStore(path: databasePath)
        say("gongkai demo — outbox \(keep ? databasePath : "in a temporary SQLite file (use --keep to keep it)")")

        let platforms = try await startPlatforms(logger: logger)
        var environment: [String: String] = [:]
        for platform in platforms { environment[platform.secretVariable] = platform.secret.text }
        let definitions = platforms.map(\.definition)
        var runtimes: [ChannelRuntime] = []
        for definition in definitions {
            runtimes.append(
                ChannelRuntime(
                    definition: definition, adapter: try ChannelAdapterFactory.make(definition, environment: environment)))
        }
        for platform in platforms {
            say("  channel \(platform.definition.id) (\(platform.definition.audience.rawValue)) → \(platform.simulator.url)")
        }
        say("  faults: portal-feed answers 500, drops a connection, then 429 Retry-After 1s;")
        say("          newmedia answers 503 to 30% of requests; credit-exchange times out once, then refuses the licence (422)")

        let engine = DeliveryEngine(
            store: store, channels: runtimes,
            configuration: EngineConfiguration(workerID: "demo-\(ProcessInfo.processInfo.processIdentifier)", pollInterval: 100),
            logger: logger)
        let console = OutboxConsole(store: store, channels: definitions, actor: "demo-operator")
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)

        let converged = try await withThrowingTaskGroup(of: Bool.self) { group in
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
                sample.policy, sample.interpretation, sample.penaltyOnNaturalPerson, sample.licence, sample.withheld, notice,
            ]) {
                say("   \(outcome.itemID) v\(outcome.version) \(outcome.change.rawValue)")
            }
            engine.nudge()
            await progress(console, until: deadline, settleOnly: true)

            say("\n2. approve the notice (先审后发), correct the policy (纠错), annul the penalty (撤销)")
            _ = try await console.approve(itemID: notice.id)
            let edited = try await console.submit([sample.edited(sample.policy)])
            say("   \(sample.policy.id) v\(edited[0].version) \(edited[0].change.rawValue)")
            _ = try await console.withdraw(itemID: sample.penaltyOnNaturalPerson.id, reason: "行政复议撤销原处罚决定")
            engine.nudge()
            await progress(console, until: deadline, settleOnly: true)

            let dead = try await store.deliveries(DeliveryFilter(states: [.dead]))
            if !dead.isEmpty {
                say("\n3. dead deliveries need an operator:")
                print(StatusView.deliveries(dead))
                say("   the platform fixes its validation; the operator runs `gongkai recover --channel …`")
                for platform in platforms { platform.simulator.setFaults(.none) }
                for channel in Set(dead.map(\.channelID)).sorted() {
                    let count = try await console.recover(channelID: channel, states: [.dead], since: nil)
                    say("   recovered \(count) on \(channel)")
                }
                engine.nudge()
            }
            let converged = await progress(console, until: deadline, settleOnly: false, platforms: platforms)
            engine.stop()
            _ = try await group.next()

            say("\nfinal state:")
            print(StatusView.deliveries(try await store.deliveries(DeliveryFilter())))
            say("")
            var table = TextTable(["PLATFORM", "ACCEPTED", "DUPLICATES", "REJECTED/FAILED ON PURPOSE"])
            for platform in platforms {
                let rejected = platform.simulator.rejectedCounts.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
                table.add([
                    platform.definition.id, "\(platform.simulator.acceptedCount)", "\(platform.simulator.duplicateCount)",
                    rejected.isEmpty ? "-" : rejected,
                ])
            }
            print(table.render())
            let leaks = privacyLeaks(platforms)
            say("privacy: \(leaks.isEmpty ? "no unmasked ID number reached a public platform" : "LEAK: " + leaks.joined(separator: ", "))")
            let ok = converged && leaks.isEmpty
            say(ok ? "\nconverged: every channel shows what the outbox says." : "\nNOT converged within \(timeoutSeconds)s.")
            return ok
        }
        for platform in platforms { await platform.simulator.stop() }
        return converged
    }

    static func startPlatforms(logger: Logger) async throws -> [Platform] {
        let fastRetry = try RetrySchedule(
            delays: [200, 500, 1_000, 2_000, 4_000], jitter: 0.2, minimumThrottleDelay: 300, maximumRetryAfter: 5_000)
        let specs: [(String, ChannelAudience, RoutingRule, WebhookFaults)] = [
            ("portal-feed", .public, .everything,
             WebhookFaults(script: [.serverError(status: 500), .drop, .throttle(retryAfterSeconds: 1)])),
            ("newmedia", .public, RoutingRule(kinds: [.policy, .interpretation, .notice]),
             WebhookFaults(serverErrorRate: 0.3)),
            ("credit-exchange", .government, RoutingRule(kinds: [.penalty, .licence]),
             WebhookFaults(permanentItemIDs: [SampleDisclosures.licence.id], script: [.slow(.seconds(2))])),
        ]
        var platforms: [Platform] = []
        for (index, (id, audience, routing, faults)) in specs.enumerated() {
            let secret = StandardWebhookSecret.generate()
            let simulator = WebhookSimulator(secret: secret, logger: logger)
            try await simulator.start()
            simulator.setFaults(faults)
            let variable = "GONGKAI_DEMO_SECRET_\(index)"
            let definition = ChannelDefinition(
                id: id, kind: .webhook, endpoint: simulator.url, secret: .environment(variable), audience: audience,
                routing: routing, retry: fastRetry, concurrency: 4, timeout: 1_000, breakerFailureThreshold: 5,
                breakerOpenDuration: 1_000)
            platforms.append(Platform(definition: definition, simulator: simulator, secretVariable: variable, secret: secret))
        }
        return platforms
    }

    /// Prints per-channel counts every half second until nothing is in motion
    /// (and, unless `settleOnly`, every platform shows what the outbox says).
    @discardableResult
    static func progress(
        _ console: OutboxConsole, until deadline: ContinuousClock.Instant, settleOnly: Bool, platforms: [Platform] = []
    ) async -> Bool {
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
            let inMotion = counts.values.contains { row in row.contains { moving.contains($0.key) && $0.value > 0 } }
            if !inMotion {
                if settleOnly { return true }
                if let deliveries = try? await console.store.deliveries(DeliveryFilter()),
                    platformsAgree(deliveries, platforms)
                {
                    return true
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    /// Every delivered row is shown at its version; every withdrawn or skipped one is not shown.
    static func platformsAgree(_ deliveries: [DeliveryRecord], _ platforms: [Platform]) -> Bool {
        let byChannel = Dictionary(uniqueKeysWithValues: platforms.map { ($0.definition.id, $0.simulator) })
        for record in deliveries {
            guard let simulator = byChannel[record.channelID] else { continue }
            let shown = simulator.shown(itemID: record.itemID)
            switch record.state {
            case .delivered:
                guard case .published(let version, _) = shown, version == record.deliveredVersion else { return false }
            case .withdrawn, .skipped:
                if case .published = shown { return false }
            case .dead, .pending, .sending, .retrying, .blocked:
                return false
            }
        }
        return true
    }

    /// ID numbers of the sample's natural person found unmasked in what public platforms received.
    static func privacyLeaks(_ platforms: [Platform]) -> [String] {
        guard let idNumber = SampleDisclosures.penaltyOnNaturalPerson.subject?.idNumber else { return [] }
        return platforms.filter { $0.definition.audience == .public }.compactMap { platform in
            platform.simulator.received().contains { $0.body?.contains(idNumber) == true } ? platform.definition.id : nil
        }
    }

    static func say(_ text: String) {
        print(text)
    }
}
