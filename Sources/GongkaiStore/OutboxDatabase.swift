public import Foundation
public import GongkaiCore
public import Logging
import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Where the outbox lives, read from the `database` setting: a SQLite file
/// path (the embedded default) or a `postgres://user@host:port/database` URL.
///
/// A password never belongs in the setting: it comes from
/// `GONGKAI_DATABASE_PASSWORD` or the `databasePasswordFile` setting, and a URL
/// that carries one is refused without echoing it.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public struct PostgresLocation: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var database: String
        /// `sslmode` from the URL: `disable`, `prefer` (the default, as libpq's) or `require`.
        public var tls: String
    }

    public init(_ setting: String) throws(GongkaiError) {
        let lower = setting.lowercased()
        guard lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") else {
            guard !setting.isEmpty else {
                throw GongkaiError(.configuration, "database must be a SQLite file path or a postgres:// URL", field: "database")
            }
            self = .sqlite(path: setting)
            return
        }
        func invalid(_ message: String) -> GongkaiError {
            GongkaiError(
                .configuration, "database URL \(message); expected postgres://user@host:5432/database", field: "database")
        }
        guard let url = URLComponents(string: setting) else { throw invalid("is not a valid URL") }
        if url.password != nil {
            throw GongkaiError(
                .configuration,
                "database URL must not contain a password; set GONGKAI_DATABASE_PASSWORD or databasePasswordFile instead",
                field: "database")
        }
        guard let host = url.host, !host.isEmpty else { throw invalid("has no host") }
        guard let user = url.user, !user.isEmpty else { throw invalid("has no user") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw invalid("has no database name") }
        let port = url.port ?? 5432
        guard (1...65_535).contains(port) else { throw invalid("has an invalid port") }
        var tls = "prefer"
        for item in url.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", let value?) where ["disable", "prefer", "require"].contains(value):
                tls = value
            case ("sslmode", _):
                throw invalid("has an unsupported sslmode (use disable, prefer or require)")
            default:
                throw invalid("has an unknown parameter \"\(item.name)\"")
            }
        }
        self = .postgres(PostgresLocation(host: host, port: port, user: user, database: database, tls: tls))
    }

    /// The setting as it may be printed (it never holds a password).
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let pg):
            return "postgres://\(pg.user)@\(pg.host):\(pg.port)/\(pg.database)"
                + (pg.tls == "prefer" ? "" : "?sslmode=\(pg.tls)")
        }
    }

    public var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }
}

/// Connection settings for PostgreSQL (ignored for SQLite).
public struct DatabaseOptions: Sendable, Equatable {
    /// A file holding the password (its first line); `GONGKAI_DATABASE_PASSWORD` wins over it.
    public var passwordFile: String?
    /// Most connections one process opens.
    public var poolSize = 10
    /// Milliseconds to wait for a connection.
    public var connectTimeout: Int64 = 10_000
    /// Milliseconds any one statement may run before the server cancels it.
    public var statementTimeout: Int64 = 30_000
    /// A PostgreSQL schema to keep the outbox in instead of the role's default
    /// (created if missing): lowercase letters, digits and `_`. The bench gives
    /// each phase its own, so that nothing it writes mixes with an outbox in use.
    public var schema: String?

    public init() {}
}

/// An opened outbox: the store, and for PostgreSQL the connection pool that
/// must run beside it (a `Service`; the daemon runs it in its `ServiceGroup`,
/// one-shot commands through ``withRunning(_:)``).
///
/// The one way the daemon, every CLI command, the demo and the bench open the
/// store from the `database` setting.
public struct OutboxDatabase: Sendable {
    public let location: DatabaseLocation
    public let store: any OutboxStore
    /// The PostgreSQL pool; nil for SQLite.
    public let service: (any Service)?

    /// Whether the pool had to be left behind at shutdown (see ``PoolService``): the
    /// process should then end without running exit-time teardown under it.
    public var poolWasAbandoned: Bool { (service as? PoolService)?.abandoned.isSet ?? false }
    /// Opened once ``service`` runs: the store waits for it before its first query.
    let poolStarted: StartGate?
    /// The schema version once prepared: the daemon's services each wait for the
    /// schema, and only the first need connect and migrate.
    private let preparedVersion = PreparedVersion()

    /// Opens the outbox named by `setting`. SQLite is opened and migrated here;
    /// PostgreSQL connects once ``service`` runs and migrates in ``prepare()``.
    public static func open(
        _ setting: String, options: DatabaseOptions = DatabaseOptions(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "gongkai.store")
    ) throws -> OutboxDatabase {
        let location = try DatabaseLocation(setting)
        switch location {
        case .sqlite(let path):
            return OutboxDatabase(
                location: location, store: try SQLiteOutboxStore(path: path), service: nil, poolStarted: nil)
        case .postgres(let pg):
            let password = try password(options: options, environment: environment)
            let tls: PostgresClient.Configuration.TLS
            switch pg.tls {
            case "disable": tls = .disable
            case "require": tls = .require(.makeClientConfiguration())
            default: tls = .prefer(.makeClientConfiguration())
            }
            var configuration = PostgresClient.Configuration(
                host: pg.host, port: pg.port, username: pg.user, password: password, database: pg.database, tls: tls)
            configuration.options.maximumConnections = options.poolSize
            configuration.options.minimumConnections = 0
            configuration.options.connectTimeout = .milliseconds(options.connectTimeout)
            configuration.options.additionalStartupParameters = [
                ("statement_timeout", "\(options.statementTimeout)"),
                ("application_name", "gongkai"),
            ]
            if let schema = options.schema {
                guard !schema.isEmpty, schema.count <= 63,
                    schema.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
                else {
                    throw GongkaiError(
                        .configuration, "a schema name is lowercase letters, digits and _ (at most 63)", field: "schema")
                }
                configuration.options.additionalStartupParameters.append(("search_path", schema))
            }
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let pool = PoolService(client: client, logger: logger)
            let connectionTLS: PostgresConnection.Configuration.TLS
            switch pg.tls {
            case "disable": connectionTLS = .disable
            case "require": connectionTLS = .require(try .init(configuration: .makeClientConfiguration()))
            default: connectionTLS = .prefer(try .init(configuration: .makeClientConfiguration()))
            }
            var diagnosis = PostgresConnection.Configuration(
                host: pg.host, port: pg.port, username: pg.user, password: password, database: pg.database,
                tls: connectionTLS)
            diagnosis.options.connectTimeout = .milliseconds(options.connectTimeout)
            let store = PostgresOutboxStore(client: client, logger: logger, diagnosis: diagnosis, schema: options.schema,
                leaseTimeout: .milliseconds(options.connectTimeout))
            return OutboxDatabase(
                location: location, store: store, service: pool,
                poolStarted: pool.started)
        }
    }

    /// Brings the schema up to date (PostgreSQL; SQLite did on open) and returns its
    /// version. Refuses a schema newer than this build knows, naming both versions.
    @discardableResult
    public func prepare() async throws -> Int {
        if let version = preparedVersion.value { return version }
        await poolStarted?.wait()
        let version = try await migrate()
        preparedVersion.value = version
        return version
    }

    private func migrate() async throws -> Int {
        if let postgres = store as? PostgresOutboxStore { return try await postgres.migrate() }
        return (store as? SQLiteOutboxStore)?.schemaVersion ?? 0
    }

    /// Runs the pool (if any) while `body` uses the prepared store: for commands that are not a `ServiceGroup`.
    public func withRunning<T>(_ body: (any OutboxStore) async throws -> T) async throws -> T {
        guard let service else {
            try await prepare()
            return try await body(store)
        }
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await service.run() }
            defer { group.cancelAll() }
            try await prepare()
            return try await body(store)
        }
    }

    private static func password(options: DatabaseOptions, environment: [String: String]) throws(GongkaiError)
        -> String?
    {
        if let password = environment["GONGKAI_DATABASE_PASSWORD"], !password.isEmpty { return password }
        guard let file = options.passwordFile else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw GongkaiError(.configuration, "cannot read the database password file \(file)", field: "databasePasswordFile")
        }
        let password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !password.isEmpty else {
            throw GongkaiError(.configuration, "the database password file \(file) is empty", field: "databasePasswordFile")
        }
        return password
    }
}

/// Runs the PostgreSQL pool and says so: a query issued before `run()` is
/// under way is queued, but PostgresNIO warns about it, and every command
/// and the daemon start their first query at the same moment as the pool.
///
/// Its shutdown is bounded. PostgresNIO 1.33's pool waits for a connection it is
/// still making before `run()` returns, and one made while the server was
/// terminating the database's connections (`pg_terminate_backend`, a failover) was
/// seen never to finish: a daemon then hung after SIGTERM with no socket left, its
/// work drained and its state in the store (2026-12-06 and 12-07). Past
/// ``closeGrace`` the pool is left behind and ``abandoned`` says so.
struct PoolService: Service {
    let client: PostgresClient
    let logger: Logger
    let started = StartGate()
    let abandoned = PoolAbandoned()
    /// How long the pool may take to close once it is asked to stop.
    static let closeGrace: Duration = .seconds(10)

    func run() async throws {
        started.open()
        let client = self.client
        // Unstructured, so that a pool that does not end cannot hold this service; it inherits
        // the task locals, so the group's graceful shutdown reaches PostgresClient as before.
        let pool = Task { await client.run() }
        do {
            try await cancelWhenGracefulShutdown { try await abandonOnCancel { await pool.value } }
            return
        } catch {
            // Asked to stop: the pool was asked too (graceful shutdown) or is now (cancellation).
            pool.cancel()
        }
        let waiter = Task { try await abandonOnCancel { await pool.value } }
        let timer = Task {
            try await Task.sleep(for: Self.closeGrace)
            waiter.cancel()
        }
        let closed = (try? await waiter.value) != nil
        timer.cancel()
        if !closed {
            abandoned.set()
            logger.error(
                "the PostgreSQL pool did not close within \(Self.closeGrace); leaving it (nothing is lost: every state change is in the store)")
        }
    }
}

/// Set once the pool was left behind at shutdown.
final class PoolAbandoned: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}

/// A value set once and read from any task.
final class PreparedVersion: Sendable {
    private let stored = Mutex<Int?>(nil)
    var value: Int? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}

/// A one-way gate: waiters resume once it is opened (and at once after).
final class StartGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// A service that waits for the store's schema before it starts: the daemon's
/// workers run only once migrations are applied, while the pool they need runs
/// beside them in the same `ServiceGroup`.
///
/// A database that cannot be reached yet is waited for with back-off (the
/// daemon may start before PostgreSQL does); a schema newer than this build
/// knows, or any other configuration error, ends the service at once.
public struct AfterStorePrepared<Wrapped: Service>: Service {
    let database: OutboxDatabase
    let wrapped: Wrapped
    let logger: Logger

    public init(_ database: OutboxDatabase, _ wrapped: Wrapped, logger: Logger = Logger(label: "gongkai.store")) {
        self.database = database
        self.wrapped = wrapped
        self.logger = logger
    }

    public func run() async throws {
        var wait: Int64 = 500
        while true {
            do {
                try await database.prepare()
                break
            } catch let error as GongkaiError where error.code == .store {
                logger.warning(
                    "outbox database not ready; retrying",
                    metadata: ["database": "\(database.location)", "error": "\(error.message)", "retryInMs": "\(wait)"])
                do {
                    let delay = wait
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(delay)) }
                } catch {
                    return
                }
                wait = min(wait * 2, 30_000)
            }
        }
        try await wrapped.run()
    }
}
