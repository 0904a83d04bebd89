import Foundation
import GongkaiTestSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `gongkai` binary as a child process, as an operator would.
struct CLIProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Standard output as bytes: the text above has a byte-order mark stripped.
        var stdoutBytes: [UInt8] = []
    }

    /// The binary `swift test` built next to the test bundle.
    static var binary: URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("gongkai"),
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("gongkai"),
        ]
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gongkai")
    }

    var directory: URL
    var environment: [String: String] = [:]

    /// Runs `gongkai <arguments>` in `directory` with `stdin` as input and awaits its exit.
    ///
    /// Suspends rather than blocking a thread: a blocked thread of the small
    /// cooperative pool would stall every other test running beside it.
    func run(_ arguments: [String], stdin: String? = nil) async throws -> Result {
        let outFile = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let errFile = directory.appendingPathComponent("err-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        let child = try start(
            arguments, extra: ["GONGKAI_OPERATOR": "cli-tester"], input: .bytes(Array((stdin ?? "").utf8)),
            output: .file(outFile.path), error: .file(errFile.path))
        let exit = await child.exited()
        return Result(
            status: exit.status,
            stdout: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "",
            stdoutBytes: [UInt8]((try? Data(contentsOf: outFile)) ?? Data()))
    }

    /// A started process whose exit can be awaited without blocking a thread.
    struct Running: Sendable {
        let child: ChildProcess

        var pid: Int32 { child.pid }

        /// Whether it has not been seen to exit yet.
        var isRunning: Bool { child.isRunning }

        /// Suspends until the process has exited; returns its status (or signal number).
        func exited() async -> (status: Int32, signalled: Bool) {
            let exit = await child.exited()
            return (exit.status, exit.signalled)
        }
    }

    /// Starts `gongkai <arguments>` without waiting, its output in `log` and its exit awaitable.
    func launch(_ arguments: [String], log: URL) throws -> Running {
        Running(child: try start(arguments, output: .file(log.path), error: .file(log.path)))
    }

    /// Starts `gongkai <arguments>` without waiting, each line it writes on
    /// standard output and standard error handed to `output` and `errors` as it comes.
    func launch(_ arguments: [String], output: LineCollector, errors: LineCollector) throws -> Running {
        Running(child: try start(arguments, output: .stream { output.feed($0) }, error: .stream { errors.feed($0) }))
    }

    /// `gongkai <arguments>` in the test's directory with its environment (plus `extra`);
    /// every child's API on a free port, since children run beside each other and other tests.
    private func start(
        _ arguments: [String], extra: [String: String] = [:], input: ChildProcess.Input = .null,
        output: ChildProcess.Output, error: ChildProcess.Output
    ) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env["GONGKAI_SERVER_PORT"] = "0"
        for (key, value) in extra { env[key] = value }
        for (key, value) in environment { env[key] = value }
        return try ChildProcess.start(
            Self.binary.path, arguments, environment: env, directory: directory.path, input: input, output: output,
            error: error)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The lines a child writes on one stream, awaitable as they arrive.
final class LineCollector: Sendable {
    private struct State {
        var lines: [String] = []
        var partial: [UInt8] = []
        var closed = false
        var waiting: [(id: Int, from: Int, continuation: CheckedContinuation<Int?, Never>)] = []
        /// Timeouts that fired before their wait was registered.
        var expired: Set<Int> = []
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Every complete line so far.
    var lines: [String] { state.withLock { $0.lines } }

    /// Takes the next chunk of the stream, or its end (`nil`), as ``ChildProcess`` reads it.
    func feed(_ chunk: [UInt8]?) {
        append(chunk ?? [], closing: chunk == nil)
    }

    private func append(_ bytes: [UInt8], closing: Bool) {
        let (ready, count) = state.withLock { state -> ([CheckedContinuation<Int?, Never>], Int) in
            state.partial += bytes
            while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                state.lines.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                state.partial.removeSubrange(...newline)
            }
            if closing {
                if !state.partial.isEmpty { state.lines.append(String(decoding: state.partial, as: UTF8.self)) }
                state.partial = []
                state.closed = true
            }
            let count = state.lines.count
            let closed = state.closed
            let due = state.waiting.filter { count > $0.from || closed }
            state.waiting.removeAll { count > $0.from || closed }
            return (due.map(\.continuation), count)
        }
        for continuation in ready { continuation.resume(returning: count) }
    }

    /// Suspends until there are more than `count` lines (or the stream closed, or
    /// `timeout` passed); returns the line count then, nil on timeout.
    @discardableResult
    func waitForLines(after count: Int, timeout: Duration) async -> Int? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Int?? in
                if state.lines.count > count || state.closed { return .some(state.lines.count) }
                if state.expired.remove(id) != nil { return .some(nil) }
                state.waiting.append((id, count, continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private func expire(_ id: Int) {
        let expired = state.withLock { state -> CheckedContinuation<Int?, Never>? in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else {
                state.expired.insert(id)
                return nil
            }
            return state.waiting.remove(at: index).continuation
        }
        expired?.resume(returning: nil)
    }

    /// Awaits the first line satisfying `predicate`; returns its index, nil if the stream closed or time ran out.
    func firstIndex(timeout: Duration, where predicate: (String) -> Bool) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        var checked = 0
        while true {
            let current = lines
            if let index = current[checked...].firstIndex(where: predicate) { return index }
            checked = current.count
            let closed = state.withLock { $0.closed }
            let left = deadline - ContinuousClock.now
            guard !closed, left > .zero else { return nil }
            _ = await waitForLines(after: checked, timeout: left)
        }
    }
}
