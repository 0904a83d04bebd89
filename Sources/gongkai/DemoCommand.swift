import ArgumentParser
import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiStore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole outbox on a temporary SQLite file against local simulators, with faults, until it converges.",
        discussion: "Needs no set-up. Exits 0 only if every channel ended up showing what the outbox says.\n" + ExitStatus.helpText)
    @Option(help: "Give up after this many seconds.") var timeout: Int = 90
    @Flag(help: "Keep the temporary outbox and print its path.") var keep = false
    @Option(help: "Run on this outbox instead of a temporary SQLite file: an empty postgres://user@host:5432/database (password from GONGKAI_DATABASE_PASSWORD) or a new SQLite path.")
    var database: String?
    @Option(help: "File holding the PostgreSQL password (env GONGKAI_DATABASE_PASSWORD_FILE).") var databasePasswordFile: String?

    func run() async throws {
        var converged = false
        try await reporting {
            // The demo ignores gongkai.yaml: it must never run on an agency's real outbox by accident.
            var options = DatabaseOptions()
            options.passwordFile = databasePasswordFile ?? ProcessInfo.processInfo.environment["GONGKAI_DATABASE_PASSWORD_FILE"]
            converged = try await Demo.run(
                timeoutSeconds: timeout, keep: keep, database: database, options: options,
                table: { StatusView.deliveries($0) })
        }
        if !converged { throw ExitCode(ExitStatus.notConverged) }
    }
}
