/// How the delivery engine paces itself. Every field has a working default.
public struct EngineConfiguration: Sendable, Equatable {
    /// Names this process's leases; unique per daemon start so a restarted
    /// daemon never mistakes a dead predecessor's lease for its own.
    public var workerID: String
    /// Lease on a claimed delivery. Always at least the channel's request
    /// timeout plus ``leaseMargin``, so a lease cannot expire under a live send
    /// (the request deadline ends it first; the margin covers scheduling and the ack write).
    public var leaseMillis: Int64
    public var leaseMargin: Int64
    /// How often an idle worker looks for new work (other processes submit too).
    public var pollInterval: Int64
    /// Most deliveries claimed in one transaction.
    public var claimBatch: Int
    /// Longest an acknowledgement waits to be written with others.
    public var ackDelay: Int64

    public init(
        workerID: String, leaseMillis: Int64 = 60_000, leaseMargin: Int64 = 5_000, pollInterval: Int64 = 500,
        claimBatch: Int = 256, ackDelay: Int64 = 50
    ) {
        self.workerID = workerID
        self.leaseMillis = leaseMillis
        self.leaseMargin = leaseMargin
        self.pollInterval = pollInterval
        self.claimBatch = claimBatch
        self.ackDelay = ackDelay
    }

    /// The lease for a channel whose requests time out after `timeout` ms.
    public func lease(forTimeout timeout: Int64) -> Int64 {
        max(leaseMillis, timeout + leaseMargin)
    }
}
