import Foundation
import GongkaiCore
import GRDB
import PostgresNIO

/// One daemon's sign of life: it writes ``beatAt`` every heartbeat interval while it runs.
///
/// A delivery lease outlives a crash by its whole length (60 s by default) when
/// nothing else says the owner is gone. With heartbeats, a daemon finds dead
/// peers at once: one whose heartbeat stopped, or one on the same host whose
/// process no longer exists, and frees their leases
/// (``WorkerHeartbeats/reclaimLeases(of:now:)``) for the next claim.
public struct WorkerHeartbeat: Sendable, Equatable, Codable {
    /// The lease owner name (the daemon's `daemon.workerID`).
    public var workerID: String
    /// Where the process runs: the host name and its PID namespace, so that a pid is
    /// only ever looked up where it means the same process.
    public var host: String
    public var pid: Int
    public var startedAt: Int64
    public var beatAt: Int64

    public init(workerID: String, host: String, pid: Int, startedAt: Int64, beatAt: Int64) {
        self.workerID = workerID
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.beatAt = beatAt
    }

    /// The workers whose leases may be taken over now: heartbeat older than
    /// `staleAfter`, or on `host` with a process `isAlive` says is gone. Never
    /// `own` (the caller): its own earlier incarnation, if any, is the caller's to handle.
    public static func dead(
        _ beats: [WorkerHeartbeat], own: String, host: String, now: Int64, staleAfter: Int64,
        isAlive: (Int) -> Bool
    ) -> [String] {
        beats.filter { beat in
            guard beat.workerID != own else { return false }
            if now - beat.beatAt > staleAfter { return true }
            return beat.host == host && !isAlive(beat.pid)
        }.map(\.workerID)
    }
}

/// A store that keeps daemon heartbeats (both backends).
public protocol WorkerHeartbeats: Sendable {
    /// Writes `beat` (inserting the worker's row on its first beat, replacing it after).
    func beat(_ beat: WorkerHeartbeat) async throws
    /// Every worker's last heartbeat, by worker id.
    func workerHeartbeats() async throws -> [WorkerHeartbeat]
    /// Removes a worker's row: it stopped cleanly and gave back what it held.
    func retireWorker(_ workerID: String) async throws
    /// Frees what `workerIDs` (found dead) held, in one transaction: their `sending`
    /// deliveries' leases end at `now`, so the next claim takes them over and logs
    /// each as abandoned; their channel leases and heartbeat rows go. The rows'
    /// `updated_at` stays their claim's time, which the abandoned line reports as its
    /// start. Returns how many deliveries were freed.
    @discardableResult
    func reclaimLeases(of workerIDs: [String], now: Int64) async throws -> Int
}

enum WorkerHeartbeatSQL {
    static let beat = """
        INSERT INTO worker_heartbeat (worker_id, host, pid, started_at, beat_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (worker_id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
            started_at = excluded.started_at, beat_at = excluded.beat_at
        """
    static let all = "SELECT worker_id, host, pid, started_at, beat_at FROM worker_heartbeat ORDER BY worker_id"
    static let retire = "DELETE FROM worker_heartbeat WHERE worker_id = $1"
}

extension SQLiteOutboxStore: WorkerHeartbeats {
    public func beat(_ beat: WorkerHeartbeat) async throws {
        do {
            try await writer.write { db in
                try db.execute(
                    sql: WorkerHeartbeatSQL.beat,
                    arguments: [beat.workerID, beat.host, beat.pid, beat.startedAt, max(beat.startedAt, beat.beatAt)])
            }
        } catch {
            throw GongkaiError(.store, "cannot write the heartbeat: \(error)")
        }
    }

    public func workerHeartbeats() async throws -> [WorkerHeartbeat] {
        do {
            return try await writer.read { db in
                try Row.fetchAll(db, sql: WorkerHeartbeatSQL.all).map {
                    WorkerHeartbeat(workerID: $0[0], host: $0[1], pid: $0[2], startedAt: $0[3], beatAt: $0[4])
                }
            }
        } catch {
            throw GongkaiError(.store, "cannot read the heartbeats: \(error)")
        }
    }

    public func retireWorker(_ workerID: String) async throws {
        do {
            try await writer.write { db in try db.execute(sql: WorkerHeartbeatSQL.retire, arguments: [workerID]) }
        } catch {
            throw GongkaiError(.store, "cannot remove the heartbeat: \(error)")
        }
    }

    public func reclaimLeases(of workerIDs: [String], now: Int64) async throws -> Int {
        guard !workerIDs.isEmpty else { return 0 }
        do {
            return try await writer.write { db in
                var freed = 0
                for workerID in workerIDs {
                    // No index on the owner (the claim path would pay for it); dead workers are rare.
                    try db.execute(
                        sql: """
                            UPDATE delivery SET lease_expires_at = ?, next_attempt_at = ?
                            WHERE state = 'sending' AND lease_owner = ? AND lease_expires_at > ?
                            """, arguments: [now, now, workerID, now])
                    freed += db.changesCount
                    try db.execute(sql: "DELETE FROM channel_lease WHERE owner = ?", arguments: [workerID])
                    try db.execute(sql: WorkerHeartbeatSQL.retire, arguments: [workerID])
                }
                return freed
            }
        } catch {
            throw GongkaiError(.store, "cannot free a dead worker's leases: \(error)")
        }
    }
}

extension PostgresOutboxStore: WorkerHeartbeats {
    public func beat(_ beat: WorkerHeartbeat) async throws {
        try await translated("write the heartbeat") {
            _ = try await rows(
                PostgresQuery(
                    unsafeSQL: WorkerHeartbeatSQL.beat,
                    binds: try Self.bindings(
                        beat.workerID, beat.host, Int64(beat.pid), beat.startedAt, max(beat.startedAt, beat.beatAt))))
        }
    }

    public func workerHeartbeats() async throws -> [WorkerHeartbeat] {
        try await translated("read the heartbeats") {
            var beats: [WorkerHeartbeat] = []
            for row in try await rows(PostgresQuery(unsafeSQL: WorkerHeartbeatSQL.all)) {
                let (worker, host, pid, started, beat) = try row.decode((String, String, Int64, Int64, Int64).self)
                beats.append(WorkerHeartbeat(workerID: worker, host: host, pid: Int(pid), startedAt: started, beatAt: beat))
            }
            return beats
        }
    }

    public func retireWorker(_ workerID: String) async throws {
        try await translated("remove the heartbeat") {
            _ = try await rows(PostgresQuery(unsafeSQL: WorkerHeartbeatSQL.retire, binds: try Self.bindings(workerID)))
        }
    }

    public func reclaimLeases(of workerIDs: [String], now: Int64) async throws -> Int {
        guard !workerIDs.isEmpty else { return 0 }
        return try await translated("free a dead worker's leases") {
            // One statement, so one transaction: the deliveries, the channel leases and the heartbeat rows.
            let freed = try await rows(
                PostgresQuery(
                    unsafeSQL: """
                        WITH freed AS (
                            UPDATE delivery SET lease_expires_at = $2, next_attempt_at = $2
                            WHERE state = 'sending' AND lease_owner = ANY($1) AND lease_expires_at > $2
                            RETURNING id
                        ), channels AS (
                            DELETE FROM channel_lease WHERE owner = ANY($1)
                        ), beats AS (
                            DELETE FROM worker_heartbeat WHERE worker_id = ANY($1)
                        )
                        SELECT count(*) FROM freed
                        """, binds: try Self.bindings(workerIDs, now)))
            return Int(try freed.first?.decode(Int64.self) ?? 0)
        }
    }
}
