import Foundation
import GongkaiTestSupport
import Synchronization
import Testing

/// The children the CLI tests start: exits seen with descriptors numbered past
/// 1024 open (where Foundation's `select`-based watch breaks), input and output
/// carried, and nothing but 0–2 inherited.
@Suite("Child processes of the tests")
struct ChildProcessTests {
    final class Gathered: Sendable {
        private let state = Mutex<(bytes: [UInt8], ended: Bool)>(([], false))
        func take(_ chunk: [UInt8]?) {
            state.withLock { state in
                if let chunk { state.bytes += chunk } else { state.ended = true }
            }
        }
        var text: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }
        var ended: Bool { state.withLock { $0.ended } }
    }

    @Test func anExitIsSeenWithDescriptorsPast1024OpenAndOnlyTheStandardThreeAreInherited() async throws {
        // Hold descriptors until this process has some numbered above 1024, as a full run does.
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        while (held.last ?? 0) < 1_100 {
            let fd = open("/dev/null", O_RDONLY)
            try #require(fd >= 0, "cannot open /dev/null: errno \(errno)")
            held.append(fd)
        }
        let output = Gathered()
        let child = try ChildProcess.start(
            "/bin/sh", ["-c", "read line; echo \"got $line\"; pwd; ls /proc/self/fd; exit 3"], environment: [:],
            directory: "/tmp", input: .bytes(Array("hello\n".utf8)), output: .stream { output.take($0) })
        let exit = await child.exited()
        #expect(exit.status == 3 && !exit.signalled)
        #expect(!child.isRunning)
        let lines = output.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "got hello")
        #expect(lines.dropFirst().first == "/tmp")
        // `ls` lists 0, 1, 2 and the directory it reads (3); a held descriptor would show as well.
        let descriptors = Set(lines.dropFirst(2).compactMap { Int($0) })
        #expect(descriptors.isSubset(of: [0, 1, 2, 3]), "the child inherited \(descriptors.sorted())")
    }

    @Test func aChildStartsWithNoSignalBlockedWhateverTheCallersThreadBlocks() async throws {
        // This process's threads may block signals (Dispatch's workers do); the child must not inherit that.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        var previous = sigset_t()
        let output = Gathered()
        // Blocked on this thread only while it starts the child, and given back before any suspension.
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let started = Result {
            try ChildProcess.start(
                "/bin/sh", ["-c", "grep SigBlk /proc/self/status"], environment: [:], output: .stream { output.take($0) })
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        _ = await try started.get().exited()
        #expect(output.text.trimmingCharacters(in: .whitespacesAndNewlines) == "SigBlk:\t0000000000000000")
    }

    @Test func aSignalledChildIsReportedAsSignalled() async throws {
        let child = try ChildProcess.start("/bin/sleep", ["30"], environment: [:])
        #expect(child.isRunning)
        child.signal(SIGKILL)
        let exit = await child.exited()
        #expect(exit.status == SIGKILL && exit.signalled)
        child.signal(SIGKILL)  // after the reap: sent to no one
    }

    @Test func aProgramThatCannotBeStartedIsAnError() {
        #expect(throws: ChildProcess.Failure.self) {
            try ChildProcess.start("/nonexistent/program", [], environment: [:])
        }
    }
}
