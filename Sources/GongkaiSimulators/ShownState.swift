/// What the simulated platform currently shows for one item.
///
/// The simulator applies events in arrival order, like a naive receiver, so a
/// stale version delivered after a newer one (or a publish after a withdrawal)
/// shows up here instead of being hidden.
public enum ShownState: Sendable, Hashable {
    /// The last accepted event published this version.
    case published(version: Int, contentHash: String?)
    /// The last accepted event withdrew the item.
    case withdrawn(version: Int, reason: String?)
}
