import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped by `waitid` on a
/// thread of its own, whose exit a test awaits without blocking a thread.
///
/// Not Foundation's `Process`: on Linux it learns of a child's exit through a
/// CFSocket run loop that waits in `select()`, and `select()` cannot watch a
/// descriptor numbered 1024 or more. A test process running hundreds of tests
/// side by side passes that (descriptor 1424 was seen in CI, 1856 in a stalled
/// run's `select`), and then exits went unnoticed (a zombie never reaped) or
/// the memory beside the `fd_set` was overwritten: full runs stalled with every
/// thread idle. Nothing here uses `select()`.
public final class ChildProcess: Sendable {
    /// How a child ended: its exit status, or the signal that ended it.
    public struct Exit: Sendable, Equatable {
        public var status: Int32
        public var signalled: Bool
    }

    /// What the child reads on standard input.
    public enum Input: Sendable {
        case null
        /// These bytes, then the end of input.
        case bytes([UInt8])
    }

    /// Where a child's standard output or error goes.
    public enum Output: Sendable {
        case null
        /// Appended to this file, created if missing.
        case file(String)
        /// Handed, as it arrives, to this closure on a reading thread; `nil` at the end.
        case stream(@Sendable ([UInt8]?) -> Void)
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The child's process ID.
    public let pid: Int32
    private let state = Mutex<(exit: Exit?, waiting: [CheckedContinuation<Exit, Never>])>((nil, []))
    /// Wakes ``waitUntilExit()``; the exit itself is in `state`.
    private let exitCondition = NSCondition()

    private init(pid: Int32) {
        self.pid = pid
    }

    /// Starts `executable` with `arguments` (not including the program name).
    ///
    /// The child gets only descriptors 0–2: every other descriptor is closed in it.
    /// SwiftNIO accepts connections without close-on-exec, so a child started while a
    /// simulator in another test holds a connection would otherwise keep that socket
    /// open for as long as it lives (a PostgreSQL server: the whole run): the
    /// simulator's close then sends no FIN, and the client waits out its deadline
    /// (CI 2026-12-03: a dropped connection seen as `deadlineExceeded`, and a stopped
    /// simulator that "kept a connection open").
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String],
        directory: String? = nil, input: Input = .null, output: Output = .null, error: Output = .null
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Descriptors the parent closes once the child has its copies.
        var parentCloses: [Int32] = []
        defer { for fd in parentCloses { close(fd) } }

        var inputWriter: (fd: Int32, bytes: [UInt8])?
        switch input {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .bytes(let bytes):
            let (read, write) = try makePipe()
            posix_spawn_file_actions_adddup2(&actions, read, 0)
            parentCloses.append(read)
            inputWriter = (write, bytes)
        }
        var readers: [(fd: Int32, handler: @Sendable ([UInt8]?) -> Void)] = []
        for (target, choice) in [(Int32(1), output), (Int32(2), error)] {
            switch choice {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .stream(let handler):
                let (read, write) = try makePipe()
                posix_spawn_file_actions_adddup2(&actions, write, target)
                parentCloses.append(write)
                readers.append((read, handler))
            }
        }
        if let directory {
            guard let addChdir = SpawnExtensions.addChdir else {
                throw Failure(description: "this C library cannot start a child in another directory")
            }
            _ = directory.withCString { addChdir(&actions, $0) }
        }
        _ = SpawnExtensions.addCloseFrom.map { $0(&actions, 3) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        // As a shell would start it: no signal blocked, every signal at its default. The
        // caller is often a Dispatch worker thread, which blocks signals, and a child
        // inherits the mask of the thread that spawned it (Foundation's Process resets both too).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            if let inputWriter { close(inputWriter.fd) }
            for reader in readers { close(reader.fd) }
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        let child = ChildProcess(pid: pid)
        child.watchExit()
        if let inputWriter { writeAll(inputWriter.bytes, to: inputWriter.fd) }
        for reader in readers { readAll(reader.fd, into: reader.handler) }
        return child
    }

    /// Whether the child has not been seen to exit yet.
    public var isRunning: Bool { state.withLock { $0.exit == nil } }

    /// Sends `signal` unless the child has already been reaped (its PID could be another's by then).
    public func signal(_ signal: Int32) {
        state.withLock { state in
            if state.exit == nil { _ = kill(pid, signal) }
        }
    }

    /// Asks the child to stop (SIGTERM).
    public func terminate() { signal(SIGTERM) }

    /// Suspends until the child has exited.
    public func exited() async -> Exit {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Exit? in
                if let exit = state.exit { return exit }
                state.waiting.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Blocks the calling thread until the child has exited: for a thread of its own,
    /// never a task's (a blocked cooperative thread stalls the tests beside it).
    public func waitUntilExit() -> Exit {
        exitCondition.lock()
        defer { exitCondition.unlock() }
        while true {
            if let exit = state.withLock({ $0.exit }) { return exit }
            exitCondition.wait()
        }
    }

    private func watchExit() {
        let pid = self.pid
        Thread { [self] in
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED) != 0 {
                guard errno == EINTR else {
                    finish(Exit(status: -1, signalled: false))
                    return
                }
            }
            let code = info.si_code
            let status = info._sifields._sigchld.si_status
            finish(Exit(status: status, signalled: code == Int32(CLD_KILLED) || code == Int32(CLD_DUMPED)))
        }.start()
    }

    private func finish(_ exit: Exit) {
        let waiting = state.withLock { state -> [CheckedContinuation<Exit, Never>] in
            guard state.exit == nil else { return [] }
            state.exit = exit
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        exitCondition.lock()
        exitCondition.broadcast()
        exitCondition.unlock()
        for continuation in waiting { continuation.resume(returning: exit) }
    }

    /// A pipe whose ends close on exec, so that only the child meant to get one end (by dup2) has it.
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard let pipe2 = SpawnExtensions.pipe2 else {
            throw Failure(description: "this C library has no pipe2")
        }
        guard pipe2(&fds, O_CLOEXEC) == 0 else {
            throw Failure(description: "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    /// Writes on a thread of its own, since a child that reads slowly would block the caller.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        Thread {
            var offset = 0
            while offset < bytes.count {
                let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(fd)
        }.start()
    }

    private static func readAll(_ fd: Int32, into handler: @escaping @Sendable ([UInt8]?) -> Void) {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    handler(Array(buffer[..<count]))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(fd)
            handler(nil)
        }.start()
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29), `…_addclosefrom_np`
/// (2.34) and `pipe2`, which Swift's Glibc module does not declare (they need `_GNU_SOURCE`).
private enum SpawnExtensions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let pipe2: Pipe2? = symbol("pipe2")

    private static func symbol<T>(_ name: String) -> T? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}
