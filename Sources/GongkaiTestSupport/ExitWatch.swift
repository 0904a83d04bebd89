public import Foundation
import Synchronization

/// Awaits a child process's exit without trusting Foundation alone.
///
/// Foundation's `Process` on Linux learns of an exit from SIGCHLD and reaps the
/// child itself; `.ci/run` has seen a test run stall with the child a zombie
/// that it never reaped, so its termination handler never ran. A thread here
/// also waits for the child with `waitid(WNOWAIT)`, which sees the exit without
/// reaping (Foundation may still reap it), and whichever learns first answers.
public final class ExitWatch: Sendable {
    /// How a child ended: its exit status, or the signal that ended it.
    public struct Exit: Sendable, Equatable {
        public var status: Int32
        public var signalled: Bool
    }

    private let state = Mutex<(exit: Exit?, waiting: [CheckedContinuation<Exit, Never>])>((nil, []))

    /// Installs the termination handler: call before `process.run()`, then ``started(_:)``.
    public init(_ process: Process) {
        process.terminationHandler = { [weak self] process in
            self?.finish(Exit(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal))
        }
    }

    /// Starts the independent wait once the process runs.
    public func started(_ process: Process) {
        let pid = process.processIdentifier
        let thread = Thread { [weak self] in
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
                // ECHILD: Foundation reaped it first, and its handler answers.
                guard errno == EINTR else { return }
            }
            let code = info.si_code
            let status = info._sifields._sigchld.si_status
            self?.finish(Exit(status: status, signalled: code == Int32(CLD_KILLED) || code == Int32(CLD_DUMPED)))
        }
        thread.start()
    }

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

    private func finish(_ exit: Exit) {
        let waiting = state.withLock { state -> [CheckedContinuation<Exit, Never>] in
            guard state.exit == nil else { return [] }
            state.exit = exit
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in waiting { continuation.resume(returning: exit) }
    }
}
