/// How the delivery engine paces itself. Every field has a working default.
public struct EngineConfiguration: Sendable, Equatable {
    /// Names this process's leases; unique per daemon start so a restarted
    /// daemon never mistakes a dead predecessor's lease for its own.
    public var workerID: String
    /// Lease on a claimed delivery. A live worker renews the leases of everything it
    /// holds (queued, in flight, result not yet written) every ``renewalInterval``, so
    /// a send may take longer than the lease; a worker that stops renewing loses its
    /// rows one lease after its last renewal, or sooner when its heartbeat shows it dead.
    public var leaseMillis: Int64
    /// Room for scheduling and the acknowledgement write when sizing the claim-ahead queue.
    public var leaseMargin: Int64
    /// How long a claimed delivery may wait in the claim-ahead queue for a send
    /// slot, one request timeout after another: bounds what one worker holds
    /// ahead of its sends, so several daemons share a backlog.
    public var prefetchWindow: Int64
    /// How often an idle worker looks for new work (other processes submit too).
    public var pollInterval: Int64
    /// Most deliveries claimed in one transaction.
    public var claimBatch: Int
    /// Longest an acknowledgement waits to be written with others.
    public var ackDelay: Int64

    public init(
        workerID: String, leaseMillis: Int64 = EngineConfiguration.defaultLease, leaseMargin: Int64 = 5_000,
        prefetchWindow: Int64 = 60_000, pollInterval: Int64 = 500, claimBatch: Int = 256, ackDelay: Int64 = 50
    ) {
        self.workerID = workerID
        self.leaseMillis = max(1, leaseMillis)
        self.leaseMargin = leaseMargin
        self.prefetchWindow = prefetchWindow
        self.pollInterval = pollInterval
        self.claimBatch = claimBatch
        self.ackDelay = ackDelay
    }

    /// The default lease: short, because live workers renew it; a dead daemon's
    /// rows are usually freed sooner still, by its stopped heartbeat.
    public static let defaultLease: Int64 = 20_000

    /// How often a worker renews the leases it holds: four renewals per lease, so
    /// three can be missed (a starved process, a slow store) before one lapses.
    public var renewalInterval: Int64 { max(1, leaseMillis / 4) }
}
