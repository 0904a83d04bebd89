import Foundation
public import GongkaiCore
public import GongkaiStore
public import GongkaiSync
public import Logging
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's heartbeat: writes this worker's row every ``interval`` ms and
/// frees the leases of daemons found dead (heartbeat older than ``staleAfter``,
/// or on this host with their process gone), so their deliveries are sent again
/// at once instead of after the whole delivery lease. On a graceful stop the row
/// is removed after the engine has drained (the daemon runs this service before
/// the engine, so the `ServiceGroup` stops it after).
public struct HeartbeatService: Service {
    let store: any WorkerHeartbeats
    let engine: DeliveryEngine
    let interval: Int64
    let staleAfter: Int64
    let host: String
    let pid: Int
    let clock: any WallClock
    let logger: Logger

    /// - Parameters:
    ///   - interval: between two beats (ms).
    ///   - misses: beats a live daemon may miss (a slow store, a pause) before the others take
    ///     its leases; clocks of daemons on different hosts must agree much better than this.
    public init(
        store: any WorkerHeartbeats, engine: DeliveryEngine, interval: Int64 = 5_000, misses: Int64 = 3,
        host: String = HeartbeatService.hostKey(), pid: Int = HeartbeatService.currentPID(),
        clock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        self.store = store
        self.engine = engine
        self.interval = max(1, interval)
        self.staleAfter = max(1, interval) * max(1, misses)
        self.host = host
        self.pid = pid
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let startedAt = clock.now()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await beat(startedAt: startedAt)
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(interval))
                }
            } catch {
                break
            }
        }
        do {
            try await store.retireWorker(engine.workerID)
        } catch {
            // Its leases were released; a stale row only makes another daemon check them.
            logger.warning("could not remove this daemon's heartbeat", metadata: ["error": "\(error)"])
        }
    }

    /// One beat, then the look for dead daemons.
    func beat(startedAt: Int64) async {
        let now = clock.now()
        do {
            try await store.beat(
                WorkerHeartbeat(workerID: engine.workerID, host: host, pid: pid, startedAt: startedAt, beatAt: now))
            let dead = WorkerHeartbeat.dead(
                try await store.workerHeartbeats(), own: engine.workerID, host: host, now: now, staleAfter: staleAfter,
                isAlive: Self.processExists)
            guard !dead.isEmpty else { return }
            let freed = try await store.reclaimLeases(of: dead, now: now)
            logger.warning(
                "took over the leases of stopped daemons",
                metadata: ["workers": "\(dead.joined(separator: ","))", "deliveries": "\(freed)"])
            engine.nudge()
        } catch {
            logger.warning("heartbeat failed; will try again", metadata: ["error": "\(error)"])
        }
    }

    /// This host as heartbeats name it: the host name and, on Linux, the PID namespace, since
    /// containers that share a host name need not share pids.
    public static func hostKey() -> String {
        let name = ProcessInfo.processInfo.hostName
        guard let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid") else {
            return name
        }
        return "\(name) \(namespace)"
    }

    /// This process's id.
    public static func currentPID() -> Int { Int(ProcessInfo.processInfo.processIdentifier) }

    /// Whether a process with this pid runs here (a zombie has stopped: it only waits to be reaped).
    static func processExists(_ pid: Int) -> Bool {
        guard pid > 0, let id = pid_t(exactly: pid) else { return false }
        if kill(id, 0) != 0 && errno != EPERM { return false }
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            // The state follows the parenthesised command name.
            let state = stat[stat.index(after: close)...].drop(while: { $0 == " " }).first
            if state == "Z" || state == "X" { return false }
        }
        #endif
        return true
    }
}
