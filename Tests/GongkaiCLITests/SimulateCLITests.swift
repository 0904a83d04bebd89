import Foundation
import GongkaiCore
import GongkaiServer
import GongkaiStore
import GongkaiTestSupport
import Testing

/// `gongkai simulate` (issue 11 §3): the simulators as standalone servers with
/// matching channel files that a real `gongkai daemon` delivers to.
@Suite("gongkai simulate")
struct SimulateCLITests {
    struct Listing: Decodable {
        struct Simulator: Decodable {
            var kind: String
            var channel: String
            var url: String
            var credentials: [String: String]
            var channelFile: String
            var secretFiles: [String: String]
        }
        var host: String
        var channelsDirectory: String
        var simulators: [Simulator]
    }

    static let kinds = [
        "portal", "platform", "wechat", "weibo", "credit-feed", "wecom-robot", "dingtalk-robot", "feishu-robot", "webhook",
    ]

    /// Reads the pretty-printed listing: it ends with the first line that is a lone `}`.
    static func listing(_ output: LineCollector) async throws -> (Listing, String) {
        let end = try #require(await output.firstIndex(timeout: .seconds(120)) { $0 == "}" }, "no listing")
        let lines = output.lines
        let start = try #require(lines.firstIndex(of: "{"))
        let text = lines[start...end].joined(separator: "\n")
        return (try JSONDecoder().decode(Listing.self, from: Data(text.utf8)), text)
    }

    @Test func aDaemonDeliversToTheSimulatorsThroughTheWrittenChannelFiles() async throws {
        let directory = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let staging = directory.appendingPathComponent("staging")
        let output = LineCollector()
        let errors = LineCollector()
        let simulate = try CLIProcess(directory: directory).launch(
            ["simulate", "--json", "--channels-dir", staging.path, "--faults", "error=0.2,seed=7", "--log-level", "debug"],
            output: output, errors: errors)
        var stopped = false
        defer { if !stopped { kill(simulate.pid, SIGKILL) } }

        let (listing, text) = try await Self.listing(output)
        let checker = try JSONSchemaChecker(openAPI: try OpenAPIDocument.text())
        #expect(checker.errors(text, against: "SimulateListing").isEmpty, "\(checker.errors(text, against: "SimulateListing"))")
        #expect(listing.simulators.map(\.kind) == Self.kinds)
        #expect(listing.channelsDirectory == staging.standardizedFileURL.path)
        for simulator in listing.simulators {
            #expect(simulator.url.hasPrefix("http://127.0.0.1:"), "\(simulator.channel)")
            let file = try String(contentsOfFile: simulator.channelFile, encoding: .utf8)
            #expect(file.contains("endpoint: \"\(simulator.url)\""), "\(simulator.channel)")
            for (name, value) in simulator.credentials {
                // Referenced, never inline; the secret file holds it, readable by its owner only.
                #expect(!file.contains(value), "\(simulator.channel): \(name) is inline")
                let path = try #require(simulator.secretFiles[name])
                #expect(file.contains("file: \"\(path)\""), "\(simulator.channel)")
                #expect(try String(contentsOfFile: path, encoding: .utf8) == value + "\n")
                let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
                #expect(mode == 0o600, "\(path)")
            }
        }

        // A real gongkai against the written directory: submit, deliver, reconcile.
        let cli = CLIProcess(directory: directory, environment: ["GONGKAI_CHANNELS": staging.path])
        let items = [
            SampleDisclosures.policy, SampleDisclosures.interpretation, SampleDisclosures.penaltyOnNaturalPerson,
            SampleDisclosures.licence,
        ]
        let lines = items.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n")
        let submit = try await cli.run(["submit", "-"], stdin: lines)
        #expect(submit.status == 0, "\(submit.stderr)")
        // Opened before the daemon starts, so that opening it never races the daemon's own start.
        let store = try SQLiteOutboxStore(path: directory.appendingPathComponent("gongkai.sqlite").path)
        let daemonLog = directory.appendingPathComponent("daemon.log")
        let daemon = try cli.launch(["daemon", "--poll-interval", "50ms", "--log-level", "warning"], log: daemonLog)

        let moving: Set<DeliveryState> = [.pending, .sending, .retrying, .blocked]
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline, daemon.isRunning {
            // Read in-process, as the crash tests do: a `gongkai status` per look would load the machine.
            let counts = try await store.stateCounts()
            let settled = counts.count == Self.kinds.count
                && !counts.values.contains { row in row.contains { moving.contains($0.key) && $0.value > 0 } }
            if settled { break }
            // Paced by the simulators' own request log: each answer may have settled a delivery.
            _ = await errors.waitForLines(after: errors.lines.count, timeout: .milliseconds(500))
        }
        kill(daemon.pid, SIGTERM)
        let daemonExit = await daemon.exited()
        let log = (try? String(contentsOf: daemonLog, encoding: .utf8)) ?? ""
        #expect(daemonExit.status == 0 && !daemonExit.signalled, "\(daemonExit)\n\(log)")
        // What an operator would look at: gongkai status on the written configuration.
        let status = try await cli.run(["status", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let counts = try JSONDecoder().decode([String: [String: Int]].self, from: Data(status.stdout.utf8))
        #expect(counts.count == Self.kinds.count, "\(counts)\n\(log)")
        for (channel, row) in counts {
            #expect((row["delivered"] ?? 0) > 0 && row["dead"] == nil, "\(channel): \(row)\n\(log)")
            #expect(!row.contains { moving.contains(DeliveryState(rawValue: $0.key) ?? .delivered) && $0.value > 0 }, "\(channel): \(row)")
        }
        // The injected 5xx answers were met and retried, and every request was logged without its query.
        #expect(errors.lines.contains { $0.contains("simulator answered") && $0.contains("status=5") })
        #expect(!errors.lines.contains { $0.contains("access_token=") || $0.contains("key=") })

        // Reconciliation reads the simulators' listings: every platform shows what the outbox says.
        let reconcile = try await cli.run(["reconcile"])
        #expect(reconcile.status == 0, "\(reconcile.stdout)\n\(reconcile.stderr)")

        kill(simulate.pid, SIGTERM)
        let exit = await simulate.exited()
        stopped = true
        #expect(exit.status == 0 && !exit.signalled, "\(errors.lines.suffix(20))")
        // The stream closes after the exit; the last lines may still be on their way.
        #expect(await errors.firstIndex(timeout: .seconds(10)) { $0.contains("simulator stopped") } != nil)
    }

    @Test func unknownKindsAndFaultsAreRefusedNamingTheOption() async throws {
        let directory = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cli = CLIProcess(directory: directory)

        let kind = try await cli.run(["simulate", "--kinds", "portal,fax"])
        #expect(kind.status == 64)
        #expect(kind.stderr.contains("--kinds") && kind.stderr.contains("\"fax\""), "\(kind.stderr)")
        let fault = try await cli.run(["simulate", "--faults", "drop=0.1,explode=1"])
        #expect(fault.status == 64)
        #expect(fault.stderr.contains("--faults") && fault.stderr.contains("\"explode\""), "\(fault.stderr)")
        let rate = try await cli.run(["simulate", "--faults", "drop=2"])
        #expect(rate.status == 64)
        #expect(rate.stderr.contains("--faults") && rate.stderr.contains("drop"), "\(rate.stderr)")
        // Nothing was written for the refused runs.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("staging-channels").path))
    }

    @Test func existingChannelFilesAreKeptWithoutForce() async throws {
        let directory = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let staging = directory.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let mine = "# the operator's own file\n"
        try mine.write(to: staging.appendingPathComponent("portal.yaml"), atomically: true, encoding: .utf8)

        let result = try await CLIProcess(directory: directory).run(
            ["simulate", "--kinds", "webhook,portal", "--channels-dir", staging.path])
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("portal.yaml") && result.stderr.contains("--force"), "\(result.stderr)")
        #expect(try String(contentsOf: staging.appendingPathComponent("portal.yaml"), encoding: .utf8) == mine)
        #expect(!FileManager.default.fileExists(atPath: staging.appendingPathComponent("open-data-webhook.yaml").path))
    }
}
