import Foundation
import GongkaiStore
import Logging
public import PostgresNIO

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests: `initdb` into a temporary
/// directory, `pg_ctl start` on 127.0.0.1 at a free port, run as a non-root
/// user (PostgreSQL refuses root), password authentication over TCP, and
/// removed when the test process ends. One cluster per test process; each
/// test gets a database of its own (``makeDatabase()``).
///
/// Where PostgreSQL is not installed, ``availability`` says why and the
/// PostgreSQL suites are skipped with one line on standard error, except under
/// `CI=true`, where ``requireUnderCI()`` fails the run instead.
public final class PostgresTestCluster: Sendable {
    public let host = "127.0.0.1"
    public let port: Int
    public let user = "gongkai_test"
    /// The superuser's password (a fresh random one per cluster; tests pass it as
    /// `GONGKAI_DATABASE_PASSWORD`, never in a URL).
    public let password: String
    public let directory: String
    /// The server's version, as `postgres --version` prints it.
    public let serverVersion: String
    private let binDirectory: String
    private let osUser: String?

    // MARK: - Availability

    public enum Availability: Sendable {
        case available(binDirectory: String)
        case missing(String)
    }

    /// Whether PostgreSQL's server programs are on this machine (checked once).
    public static let availability: Availability = {
        let candidates =
            (ProcessInfo.processInfo.environment["GONGKAI_PG_BINDIR"].map { [$0] } ?? [])
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
            + ["/usr/local/bin", "/usr/bin"]
        for directory in candidates
        where FileManager.default.isExecutableFile(atPath: directory + "/initdb")
            && FileManager.default.isExecutableFile(atPath: directory + "/pg_ctl")
        {
            return .available(binDirectory: directory)
        }
        let reason = "no initdb and pg_ctl found (install Debian's postgresql, or set GONGKAI_PG_BINDIR)"
        FileHandle.standardError.write(Data("gongkai tests: PostgreSQL suites skipped: \(reason)\n".utf8))
        return .missing(reason)
    }()

    /// True when the PostgreSQL suites can run.
    public static var isAvailable: Bool {
        if case .available = availability { return true }
        return false
    }

    /// Under `CI=true` a missing PostgreSQL is a failure, never a skip.
    public static var mustRun: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    // MARK: - The shared cluster

    private static let starter = ClusterStarter()

    /// The process's cluster, started on first use.
    public static func shared() async throws -> PostgresTestCluster {
        try await starter.cluster()
    }

    private actor ClusterStarter {
        private var task: Task<PostgresTestCluster, any Error>?
        func cluster() async throws -> PostgresTestCluster {
            if let task { return try await task.value }
            // initdb and pg_ctl take seconds: wait for them on a thread of their own, not on one
            // of the two cooperative threads the other tests share on this machine.
            let task = Task {
                try await withCheckedThrowingContinuation { continuation in
                    Thread { continuation.resume(with: Result { try PostgresTestCluster.start() }) }.start()
                }
            }
            self.task = task
            return try await task.value
        }
    }

    private init(port: Int, password: String, directory: String, serverVersion: String, binDirectory: String, osUser: String?) {
        self.port = port
        self.password = password
        self.directory = directory
        self.serverVersion = serverVersion
        self.binDirectory = binDirectory
        self.osUser = osUser
    }

    private static func start() throws -> PostgresTestCluster {
        guard case .available(let bin) = availability else {
            throw ClusterError("PostgreSQL is not installed: \(String(describing: availability))")
        }
        let osUser: String? = getuid() == 0 ? nonRootUser() : nil
        if getuid() == 0 && osUser == nil {
            throw ClusterError("running as root and no non-root user (postgres or nobody) to run PostgreSQL as")
        }
        let directory = try makeDirectory(owner: osUser)
        let password = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 36) }.joined()
        let passwordFile = directory + "/pwfile"
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try chown(passwordFile, to: osUser)
        let data = directory + "/data"
        try run(
            bin + "/initdb",
            ["-D", data, "-U", "gongkai_test", "--pwfile=" + passwordFile, "--auth-local=trust",
             "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"],
            as: osUser, log: directory + "/initdb.log")
        // A port that was free a moment ago; a clash fails the start, which says so.
        let port = try freePort()
        try run(
            bin + "/pg_ctl",
            ["-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o",
             "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c fsync=off -c full_page_writes=off -c max_connections=200",
             "start"],
            as: osUser, log: directory + "/pg_ctl.log")
        try watchForExit(bin: bin, data: data, directory: directory, as: osUser)
        let version = (try? output(bin + "/postgres", ["--version"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
            ?? "PostgreSQL (version unknown)"
        return PostgresTestCluster(
            port: port, password: password, directory: directory, serverVersion: version, binDirectory: bin,
            osUser: osUser)
    }

    // MARK: - Databases

    /// A new, empty database; returns its `postgres://` URL (no password in it).
    public func makeDatabase() async throws -> String {
        let name = "gk_\(UInt64.random(in: 0...UInt64.max))"
        try await withAdminClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        return url(database: name)
    }

    public func url(database: String) -> String {
        "postgres://\(user)@\(host):\(port)/\(database)"
    }

    /// Closes every connection to `database` from the server's side, as a restart or a
    /// network cut would; returns how many were closed.
    @discardableResult
    public func terminateConnections(database: String) async throws -> Int {
        try await withAdminClient { client in
            let rows = try await client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database) AND pid <> pg_backend_pid()"
            ).collect()
            return rows.count
        }
    }

    /// How many connections to `database` are waiting in `LISTEN` on `channel`
    /// (their last statement), for tests that must know a daemon listens before they notify.
    public func listeners(database: String, channel: String) async throws -> Int {
        try await withAdminClient { client in
            let rows = try await client.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = \(database) AND query ILIKE \("LISTEN%" + channel + "%")"
            ).collect()
            return try rows.first?.decode(Int.self) ?? 0
        }
    }

    /// Stops the server (fast shutdown), for tests of what daemons do while it is down.
    public func stop() throws {
        try Self.run(
            binDirectory + "/pg_ctl", ["-D", directory + "/data", "-w", "-m", "fast", "stop"], as: osUser,
            log: directory + "/pg_ctl.log")
    }

    /// Starts the server again on the same port after ``stop()``.
    public func restart() throws {
        try Self.run(
            binDirectory + "/pg_ctl",
            ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "-o",
             "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c fsync=off -c full_page_writes=off -c max_connections=200",
             "start"],
            as: osUser, log: directory + "/pg_ctl.log")
    }

    /// Connection settings for `database` (the password included).
    public func configuration(database: String) -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }

    private func withAdminClient<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: configuration(database: "postgres"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    // MARK: - Processes

    struct ClusterError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private static func nonRootUser() -> String? {
        for name in ["postgres", "nobody"] where getpwnam(name) != nil { return name }
        return nil
    }

    private static func makeDirectory(owner: String?) throws -> String {
        var template = Array("/tmp/gongkai-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ClusterError("cannot make a temporary directory") }
        let directory = String(cString: made)
        try chown(directory, to: owner)
        return directory
    }

    private static func chown(_ path: String, to user: String?) throws {
        guard let user, let entry = getpwnam(user) else { return }
        guard Glibc.chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw ClusterError("cannot hand \(path) to \(user)")
        }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError("cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bind(fd, sockaddrPointer, length) == 0 && getsockname(fd, sockaddrPointer, &length) == 0
            }
        }
        guard bound else { throw ClusterError("cannot bind a socket to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a PostgreSQL program (as `user` when running as root), its output to `log`.
    private static func run(_ program: String, _ arguments: [String], as user: String?, log: String) throws {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", program] } ?? [program]
        let status = try spawn(argv + arguments, output: log, wait: true)
        guard status == 0 else {
            let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(2000)
            throw ClusterError("\(program) \(arguments.last ?? "") failed (status \(status)): \(tail)")
        }
    }

    private static func output(_ program: String, _ arguments: [String]) throws -> String {
        let file = NSTemporaryDirectory() + "gongkai-pg-version-\(getpid())"
        defer { unlink(file) }
        _ = try spawn([program] + arguments, output: file, wait: true)
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    /// Runs `argv` with its output (and errors) appended to `output`, on the calling thread,
    /// which is the cluster's own. Through ``ChildProcess``, so the server inherits none of
    /// this process's descriptors (see there why that matters).
    @discardableResult
    private static func spawn(_ argv: [String], output: String, wait: Bool) throws -> Int32 {
        let child = try ChildProcess.start(
            argv[0], Array(argv.dropFirst()), environment: ProcessInfo.processInfo.environment, output: .file(output),
            error: .file(output))
        guard wait else { return 0 }
        let exit = child.waitUntilExit()
        return exit.signalled ? 128 + exit.status : exit.status
    }

    /// A detached watcher that stops the server and removes the directory once this
    /// test process has exited, however it exits (Swift Testing has no global teardown).
    private static func watchForExit(bin: String, data: String, directory: String, as user: String?) throws {
        let stop = user.map { "/usr/sbin/runuser -u \($0) -- " } ?? ""
        let script = """
            tail --pid=\(getpid()) -f /dev/null
            \(stop)\(bin)/pg_ctl -D '\(data)' -m immediate -w stop >/dev/null 2>&1
            rm -rf '\(directory)'
            """
        try spawn(["/usr/bin/setsid", "/bin/sh", "-c", script], output: "/dev/null", wait: false)
    }
}
