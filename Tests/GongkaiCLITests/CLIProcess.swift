import Foundation
import GongkaiTestSupport

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
    /// Suspends rather than blocking in `waitUntilExit()`: a blocked thread of
    /// the small cooperative pool would stall every other test running beside it.
    func run(_ arguments: [String], stdin: String? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["GONGKAI_OPERATOR"] = "cli-tester"
        env["GONGKAI_SERVER_PORT"] = "0"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outFile = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let errFile = directory.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile)
        let err = try FileHandle(forWritingTo: errFile)
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        let watch = ExitWatch(process)
        try process.run()
        watch.started(process)
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let exit = await watch.exited()
        try out.close()
        try err.close()
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        return Result(
            status: exit.status,
            stdout: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "",
            stdoutBytes: [UInt8]((try? Data(contentsOf: outFile)) ?? Data()))
    }

    /// A started process whose exit can be awaited without blocking a thread.
    struct Running: @unchecked Sendable {
        let process: Process
        let watch: ExitWatch

        var pid: Int32 { process.processIdentifier }

        /// Suspends until the process has exited; returns its status (or signal number).
        func exited() async -> (status: Int32, signalled: Bool) {
            let exit = await watch.exited()
            return (exit.status, exit.signalled)
        }
    }

    /// Starts `gongkai <arguments>` without waiting, its output in `log` and its exit awaitable.
    func launch(_ arguments: [String], log: URL) throws -> Running {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        // Daemons run beside each other and beside other tests: each API on a free port.
        env["GONGKAI_SERVER_PORT"] = "0"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        let watch = ExitWatch(process)
        try process.run()
        watch.started(process)
        return Running(process: process, watch: watch)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
