import GongkaiStore
import Testing

@Suite("Worker heartbeats: which daemons are dead")
struct WorkerHeartbeatTests {
    static func beat(_ id: String, host: String = "h", pid: Int, at: Int64) -> WorkerHeartbeat {
        WorkerHeartbeat(workerID: id, host: host, pid: pid, startedAt: 0, beatAt: at)
    }

    @Test func deadIsAStoppedHeartbeatOrAGoneProcessOnThisHost() {
        let beats = [
            Self.beat("fresh", pid: 1, at: 10_000),
            Self.beat("stale", pid: 2, at: 10_000 - 15_001),
            Self.beat("gone-here", pid: 3, at: 10_000),
            Self.beat("gone-elsewhere", host: "other", pid: 3, at: 10_000),
            Self.beat("me", pid: 3, at: 0),
        ]
        let dead = WorkerHeartbeat.dead(
            beats, own: "me", host: "h", now: 10_000, staleAfter: 15_000, isAlive: { $0 != 3 })
        // A pid means nothing on another host; the caller itself is never dead to itself.
        #expect(dead == ["stale", "gone-here"])
        #expect(WorkerHeartbeat.dead(beats, own: "me", host: "h", now: 10_000, staleAfter: 15_000, isAlive: { _ in true }) == ["stale"])
    }
}
