public import NIOCore

/// One authenticated batch submission, as the credit-feed simulator received it.
public struct CreditFeedSubmission: Sendable, Equatable {
    public var batchID: String
    public var recordIDs: [String]
    /// Monotonic arrival time, for checking the interval between batches.
    public var receivedAt: NIODeadline
}
