/// Where one delivery (item × channel) stands. The only place these names are spelled.
public enum DeliveryState: String, Sendable, Codable, CaseIterable {
    /// Due to be sent at its next attempt time.
    case pending
    /// Claimed by a worker holding a lease; an expired lease makes it due again.
    case sending
    /// The channel shows the wanted version (or, for a withdrawal, nothing).
    case delivered
    /// A retryable failure; due again at its next attempt time.
    case retrying
    /// Retries exhausted or a permanent failure; waits for an operator.
    case dead
    /// The item was withdrawn and the channel no longer shows it (or cannot, see last error).
    case withdrawn
    /// Routing or the disclosure attribute says this channel never gets the item.
    case skipped
    /// Held back: review pending (先审后发) or a dependency not yet met.
    case blocked

    /// States a worker may claim once their next attempt time has come.
    public static let claimable: [DeliveryState] = [.pending, .retrying, .sending]

    /// States that need nothing more from the engine.
    public var isSettled: Bool {
        switch self {
        case .delivered, .withdrawn, .skipped, .dead: return true
        case .pending, .sending, .retrying, .blocked: return false
        }
    }
}

/// What the next send of a delivery does on the channel.
public enum DeliveryOperation: String, Sendable, Codable, CaseIterable {
    case publish
    case withdraw
}
