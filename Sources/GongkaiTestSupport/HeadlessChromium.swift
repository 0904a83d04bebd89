public import Foundation

/// Debian's `chromium`, run headless as a subprocess for the console's browser tests.
///
/// Where it is not installed the browser tests are skipped with one line on
/// standard error, except under `CI=true` (``mustRun``), where they fail, as the
/// PostgreSQL suites do (``PostgresTestCluster``).
public struct HeadlessChromium: Sendable {
    public let executable: String
    /// The profile directory: a fresh one per browser, so no state leaks between tests.
    public let profile: URL

    /// The chromium found on this machine, or why there is none (checked once).
    public static let located: Result<String, Missing> = {
        let candidates =
            (ProcessInfo.processInfo.environment["GONGKAI_CHROMIUM"].map { [$0] } ?? [])
            + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return .success(found)
        }
        let reason = "no chromium found (install Debian's chromium, or set GONGKAI_CHROMIUM)"
        FileHandle.standardError.write(Data("gongkai tests: browser tests skipped: \(reason)\n".utf8))
        return .failure(Missing(reason: reason))
    }()

    public struct Missing: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public static var isAvailable: Bool {
        if case .success = located { return true }
        return false
    }

    /// Under `CI=true` a missing chromium is a failure, never a skip.
    public static var mustRun: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// A browser with its own profile under `directory`; throws ``Missing`` when there is none.
    public init(profileIn directory: URL) throws {
        executable = try Self.located.get()
        profile = directory.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
    }

    /// What one page load gave: the DOM after load, and how long the browser ran.
    public struct Load: Sendable {
        public var dom: String
        public var seconds: Double
    }

    /// Loads `url` and returns the serialised DOM (`--dump-dom`), with a screenshot
    /// written to `screenshot` as well when given (a second run: chromium does one or the other).
    public func dumpDOM(_ url: String, timeout: Duration = .seconds(60)) async throws -> Load {
        try await run(["--dump-dom", url], timeout: timeout)
    }

    /// Saves a PNG of `url` at 1280×900.
    public func screenshot(_ url: String, to file: URL, timeout: Duration = .seconds(60)) async throws -> Load {
        try await run(["--screenshot=\(file.path)", "--window-size=1280,900", "--hide-scrollbars", url], timeout: timeout)
    }

    /// Runs chromium headless with `arguments`; stdout goes to a file (a pipe could fill and stall it),
    /// and a run past `timeout` is killed and reported.
    private func run(_ arguments: [String], timeout: Duration) async throws -> Load {
        let directory = profile.deletingLastPathComponent()
        let output = directory.appendingPathComponent("chromium-\(UUID().uuidString).out")
        let errors = directory.appendingPathComponent("chromium-\(UUID().uuidString).err")
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
            "--disable-dev-shm-usage", "--metrics-recording-only",
            // Nothing but this machine resolves: no test reaches the internet, even by accident.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ]
        let started = ContinuousClock.now
        let child = try ChildProcess.start(
            executable, flags + arguments, environment: ProcessInfo.processInfo.environment,
            output: .file(output.path), error: .file(errors.path))
        let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { await child.exited().status }
            group.addTask {
                try await Task.sleep(for: timeout)
                // The exit watch only returns once chromium has gone, so make it go.
                child.signal(SIGKILL)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else {
            throw Failure(description: "chromium did not finish within \(timeout): \(arguments.joined(separator: " "))")
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let dom = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw Failure(description: "chromium exited with \(status): \(stderr.suffix(2_000))")
        }
        return Load(dom: dom, seconds: seconds)
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }
}
