import ArgumentParser
import GongkaiAudit
import GongkaiService
import GongkaiStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the outbox schema's migrations and print its version (daemons also migrate on start).",
        discussion: "Refuses a schema newer than this gongkai knows, naming both versions (exit status 2).\n"
            + ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            let result = try await StoreMaintenance.migrate(try global.settings())
            if json { printJSON(result); return }
            let before = result.versionBefore.map { $0 == result.schemaVersion ? " (already current)" : " (was \($0))" } ?? ""
            print("\(result.database): schema version \(result.schemaVersion)\(before); this gongkai knows \(result.latestKnown)")
        }
    }
}

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move an outbox between databases.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy an outbox (e.g. a SQLite file) into PostgreSQL exactly, and verify it table by table.",
            discussion: """
                Copies items, versions, deliveries (a lease in progress is cleared and the delivery is due again), \
                attempts, the audit log and channel pauses, in one transaction; then reads every table back and \
                compares row counts and SHA-256 hashes. A mismatch rolls the copy back. Stop the daemons first.
                \(ExitStatus.helpText)
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The outbox to copy: a SQLite file or postgres:// URL.") var from: String
        @Option(help: "The outbox to fill: a postgres:// URL (password from GONGKAI_DATABASE_PASSWORD or the password file).")
        var to: String
        @Flag(help: "Add to a target that already holds rows (a row whose key exists there fails the copy).")
        var allowNonEmpty = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let copied = try await StoreMaintenance.copy(
                    from: from, to: to, allowNonEmpty: allowNonEmpty, settings: try global.settings())
                if json {
                    /// The report with where it came from and went to.
                    struct Body: Encodable {
                        var from: String
                        var to: String
                        var verified: Bool
                        var leasesCleared: Int
                        var tables: [OutboxCopyReport.Table]
                    }
                    printJSON(
                        Body(
                            from: copied.from, to: copied.to, verified: copied.report.verified,
                            leasesCleared: copied.report.leasesCleared, tables: copied.report.tables))
                    return
                }
                var table = TextTable(["TABLE", "SOURCE ROWS", "TARGET ROWS", "SHA-256", "VERIFIED"])
                for row in copied.report.tables {
                    table.add([
                        row.table.rawValue, "\(row.sourceRows)", "\(row.targetRows)", String(row.sourceHash.prefix(16)),
                        row.verified ? "yes" : "NO",
                    ])
                }
                print("copied \(copied.from) → \(copied.to)")
                print(table.render())
                print("leases cleared: \(copied.report.leasesCleared); verified: \(copied.report.verified ? "yes" : "NO")")
            }
        }
    }
}
