import ArgumentParser
import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiDemo
import GongkaiMonitoring
import Logging
import ServiceLifecycle
import UnixSignals

/// `gongkai simulate`: a staging mode, the platform simulators as local
/// servers with matching channel files, until SIGINT/SIGTERM.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the platform simulators on 127.0.0.1 and write a channel file for each, until SIGTERM/SIGINT.",
        discussion: """
            A staging mode: point gongkai at the written directory (gongkai daemon --channels DIR) to try a \
            configuration end to end before pointing it at the production platforms. Each simulator enforces \
            its platform's published or assumed rules, as in the demo and the tests. The listing shows each \
            simulator's URL and credentials: they are made up at start and open only these local simulators, \
            so printing them is deliberate. The channel files read them from DIR/secrets/ (file: references, \
            as production files use), never inline. With --log-level debug every answered request is logged \
            (method, path without query, status).
            """ + "\n" + ExitStatus.helpText)

    @Option(help: "Kinds to simulate, comma-separated (default: all): portal, platform, wechat, weibo, credit-feed, wecom-robot, dingtalk-robot, feishu-robot, webhook.")
    var kinds: String?
    @Option(help: "Faults every simulator injects, e.g. drop=0.05,slow=0.1; names: error, throttle, drop, slow (shares 0-1), slowDelay (default 5s), seed.")
    var faults: String = "none"
    @Option(help: "Directory the channel files (and their secrets/) are written to; created if missing.")
    var channelsDir: String = "staging-channels"
    @Flag(help: "Overwrite channel and secret files already in the directory.") var force = false
    @Flag(help: "Print the listing as JSON.") var json = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"
    @Option(help: "Log format: text, or json for one JSON object per line.") var logFormat: String = "text"

    func validate() throws {
        do {
            _ = try parsedKinds()
        } catch {
            throw ValidationError("--kinds: \(error.message)")
        }
        do {
            _ = try StagingFaults(parsing: faults)
        } catch {
            throw ValidationError("--faults: \(error.message)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: must be trace, debug, info, notice, warning or error")
        }
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format: must be text or json") }
    }

    private func parsedKinds() throws(GongkaiError) -> [ChannelDefinition.Kind] {
        guard let kinds else { return Staging.allKinds }
        return try Staging.kinds(parsing: kinds)
    }

    func run() async throws {
        try await reporting(json: json) {
            let format = LogFormat(rawValue: logFormat) ?? .text
            LoggingSystem.bootstrap { format.handler(label: $0) }
            var logger = Logger(label: "gongkai.simulate")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let staging = try await Staging.start(
                kinds: try parsedKinds(), faults: try StagingFaults(parsing: faults), directory: channelsDir,
                force: force, logger: logger)
            let text = json ? JSONOutput.string(staging.listing) : Self.render(staging.listing)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: SimulatorsService(staging: staging, listing: text))],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch {
                await staging.stop()
                throw error
            }
        }
    }

    static func render(_ listing: Staging.Listing) -> String {
        var lines = [
            "gongkai simulate: \(listing.simulators.count) simulators on \(listing.host), faults: \(listing.faults.summary)",
            "channel files in \(listing.channelsDirectory) (secrets in its secrets/)",
            "",
        ]
        let width = max(4, listing.simulators.map(\.channel.count).max() ?? 0)
        for simulator in listing.simulators {
            let credentials = simulator.credentials.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.append(
                simulator.channel.padding(toLength: width + 2, withPad: " ", startingAt: 0) + simulator.url)
            lines.append(String(repeating: " ", count: width + 2) + credentials.joined(separator: " "))
        }
        lines += [
            "",
            "The credentials are the simulators' own: they open only these local simulators.",
            "Try a configuration against them:  gongkai daemon --channels \(listing.channelsDirectory) --database staging.sqlite",
            "Stop with Ctrl-C or SIGTERM.",
        ]
        return lines.joined(separator: "\n")
    }
}

/// Holds the simulators up until graceful shutdown, then stops them.
struct SimulatorsService: Service {
    let staging: Staging
    let listing: String

    func run() async throws {
        // Printed once the group runs, so a reader that signals as soon as it has the
        // listing finds the signal handlers in place; unbuffered, so it arrives now.
        FileHandle.standardOutput.write(Data((listing + "\n").utf8))
        // Cancellation also ends the wait; either way the simulators stop.
        try? await gracefulShutdown()
        await staging.stop()
    }
}
