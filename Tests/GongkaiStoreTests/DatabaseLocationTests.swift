import GongkaiCore
import GongkaiStore
import Testing

/// The `database` setting: a SQLite path or a postgres:// URL, and never a password.
@Suite("Database setting")
struct DatabaseLocationTests {
    @Test func aPathIsSQLite() throws {
        #expect(try DatabaseLocation("outbox.sqlite") == .sqlite(path: "outbox.sqlite"))
        #expect(try DatabaseLocation("/var/lib/gongkai/outbox.sqlite").isPostgres == false)
    }

    @Test func aURLIsPostgreSQLWithTheDefaultPort() throws {
        let location = try DatabaseLocation("postgres://gongkai@db.internal/gongkai")
        guard case .postgres(let pg) = location else {
            Issue.record("not PostgreSQL: \(location)")
            return
        }
        #expect(pg.host == "db.internal" && pg.port == 5432 && pg.user == "gongkai" && pg.database == "gongkai")
        #expect(pg.tls == "prefer")
        #expect(location.description == "postgres://gongkai@db.internal:5432/gongkai")
        let disabled = try DatabaseLocation("postgresql://u@127.0.0.1:6543/d?sslmode=disable")
        #expect(disabled.description == "postgres://u@127.0.0.1:6543/d?sslmode=disable")
    }

    @Test func aPasswordInTheURLIsRefusedWithoutBeingEchoed() {
        do {
            _ = try DatabaseLocation("postgres://gongkai:s3cret-Pa55@db/gongkai")
            Issue.record("a URL with a password was accepted")
        } catch {
            #expect(error.field == "database")
            #expect(error.message.contains("GONGKAI_DATABASE_PASSWORD"))
            #expect(!"\(error)".contains("s3cret-Pa55"))
        }
    }

    @Test(arguments: [
        "postgres://db/gongkai", "postgres://u@/gongkai", "postgres://u@db/", "postgres://u@db/a/b",
        "postgres://u@db/g?sslmode=verify-full", "postgres://u@db/g?pool=3", "",
    ])
    func malformedSettingsNameTheField(_ setting: String) {
        #expect(throws: GongkaiError.self) { try DatabaseLocation(setting) }
        do { _ = try DatabaseLocation(setting) } catch { #expect(error.field == "database") }
    }

    @Test func thePasswordFileMustBeReadable() {
        var options = DatabaseOptions()
        options.passwordFile = "/nonexistent/gongkai-password"
        do {
            _ = try OutboxDatabase.open("postgres://u@127.0.0.1:1/d", options: options, environment: [:])
            Issue.record("an unreadable password file was accepted")
        } catch let error as GongkaiError {
            #expect(error.field == "databasePasswordFile")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
