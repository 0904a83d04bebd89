import ArgumentParser
import GongkaiApp

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole outbox on a temporary SQLite file against local simulators, with faults, until it converges.",
        discussion: "Needs no set-up. Exits 0 only if every channel ended up showing what the outbox says.\n" + ExitStatus.helpText)
    @Option(help: "Give up after this many seconds.") var timeout: Int = 90
    @Flag(help: "Keep the temporary outbox and print its path.") var keep = false

    func run() async throws {
        let converged = try await Demo.run(timeoutSeconds: timeout, keep: keep)
        if !converged { throw ExitCode(ExitStatus.notConverged) }
    }
}
