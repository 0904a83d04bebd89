public import GongkaiAudit
public import GongkaiCore
import Foundation
public import ServiceLifecycle

/// Reconciliations asked for over the API (`POST /v1/reconcile`): one at a time,
/// because a run reads every channel's platform and two at once would only share
/// its rate limits; run by ``ReconcileRequestService`` inside the server's
/// service group, so that SIGTERM ends them with the process; remembered (the
/// last ``kept``) for their status route. The runs live in memory: a run asked
/// of a process that then restarts is gone, its report too unless it was a full
/// run, which keeps its report for `GET /v1/reconcile/last` as the CLI's does.
public actor ReconcileRequests {
    /// One requested run and how far it got.
    public struct Run: Sendable, Encodable {
        public enum State: String, Sendable, Encodable {
            case queued, running, finished, failed
        }

        public var id: String
        public var state: State
        /// The one channel reconciled, or nil for all of them.
        public var channel: String?
        public var repair: Bool
        public var requestedBy: String
        public var requestedAt: Int64
        public var startedAt: Int64?
        public var finishedAt: Int64?
        /// What failed, when the run could not finish (a platform's answer is in the report instead).
        public var error: String?
        public var report: ReconcileReport?

        enum CodingKeys: String, CodingKey {
            case id, state, channel, repair, requestedBy, requestedAt, startedAt, finishedAt, error, report
            case differences, auditFailed, exitStatus
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(state, forKey: .state)
            try container.encodeIfPresent(channel, forKey: .channel)
            try container.encode(repair, forKey: .repair)
            try container.encode(requestedBy, forKey: .requestedBy)
            try container.encode(Timestamp.rfc3339(requestedAt), forKey: .requestedAt)
            try container.encodeIfPresent(startedAt.map(Timestamp.rfc3339), forKey: .startedAt)
            try container.encodeIfPresent(finishedAt.map(Timestamp.rfc3339), forKey: .finishedAt)
            try container.encodeIfPresent(error, forKey: .error)
            if let report {
                try container.encode(report.differenceCount, forKey: .differences)
                try container.encode(report.auditFailed, forKey: .auditFailed)
                try container.encode(report.exitStatus, forKey: .exitStatus)
                try container.encode(report, forKey: .report)
            }
        }
    }

    /// What one run does: the channel (nil: all), repair, and who asked.
    public typealias Perform = @Sendable (_ channel: String?, _ repair: Bool, _ actor: String) async throws -> ReconcileReport

    /// How many finished runs are remembered.
    public static let kept = 20

    let perform: Perform
    let clock: any WallClock
    private var runs: [Run] = []
    private var waiters: [String: [CheckedContinuation<Run?, Never>]] = [:]
    private let queue: AsyncStream<String>
    private let enqueue: AsyncStream<String>.Continuation

    public init(clock: any WallClock = SystemWallClock(), perform: @escaping Perform) {
        self.perform = perform
        self.clock = clock
        (queue, enqueue) = AsyncStream.makeStream(of: String.self)
    }

    /// Queues a run, or refuses while one is queued or running.
    public func start(channel: String?, repair: Bool, actor: String) throws(GongkaiError) -> Run {
        if let busy = runs.first(where: { $0.state == .queued || $0.state == .running }) {
            throw GongkaiError(
                .conflict, "reconciliation \(busy.id) is \(busy.state.rawValue); one runs at a time",
                channel: busy.channel, field: "reconcile")
        }
        let run = Run(
            id: "rc-" + UUID().uuidString.lowercased().prefix(13).replacingOccurrences(of: "-", with: ""),
            state: .queued, channel: channel, repair: repair, requestedBy: actor, requestedAt: clock.now())
        runs.append(run)
        if runs.count > Self.kept { runs.removeFirst(runs.count - Self.kept) }
        enqueue.yield(run.id)
        return run
    }

    /// A remembered run.
    public func run(id: String) -> Run? { runs.first { $0.id == id } }

    /// The run once it has finished or failed (nil for an unknown id).
    public func completion(of id: String) async -> Run? {
        guard let run = run(id: id) else { return nil }
        if run.state == .finished || run.state == .failed { return run }
        return await withCheckedContinuation { waiters[id, default: []].append($0) }
    }

    private func update(_ id: String, _ change: (inout Run) -> Void) {
        guard let index = runs.firstIndex(where: { $0.id == id }) else { return }
        change(&runs[index])
        let run = runs[index]
        if run.state == .finished || run.state == .failed, let waiting = waiters.removeValue(forKey: id) {
            for waiter in waiting { waiter.resume(returning: run) }
        }
    }

    /// Runs the queued requests until the service group shuts down.
    func work() async {
        for await id in queue.cancelOnGracefulShutdown() {
            guard let run = run(id: id) else { continue }
            update(id) {
                $0.state = .running
                $0.startedAt = clock.now()
            }
            do {
                let report = try await perform(run.channel, run.repair, run.requestedBy)
                update(id) {
                    $0.state = .finished
                    $0.report = report
                    $0.finishedAt = clock.now()
                }
            } catch {
                let message = (error as? GongkaiError)?.message ?? "\(error)"
                update(id) {
                    $0.state = .failed
                    $0.error = message
                    $0.finishedAt = clock.now()
                }
            }
        }
        // Shutting down: what was still queued will not run in this process.
        for run in runs where run.state == .queued || run.state == .running {
            update(run.id) {
                $0.state = .failed
                $0.error = "the server shut down before this reconciliation ran"
                $0.finishedAt = clock.now()
            }
        }
    }

    /// The service that runs the queue; one per server.
    public nonisolated var service: some Service { ReconcileRequestService(requests: self) }
}

/// Runs ``ReconcileRequests`` one after another in the server's service group.
struct ReconcileRequestService: Service {
    let requests: ReconcileRequests

    func run() async throws {
        await requests.work()
    }
}
