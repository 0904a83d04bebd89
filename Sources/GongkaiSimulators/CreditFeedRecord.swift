/// A 双公示 record as the credit-feed simulator holds it.
public struct CreditFeedRecord: Sendable, Equatable {
    /// Whether the record is shown (公示中) or was revoked (撤销).
    public enum Status: String, Sendable {
        case active, revoked
    }

    /// The platform's id, issued on the first accepted record for the item.
    public var remoteID: String
    /// gongkai's item id (the record's `itemId`).
    public var itemID: String
    /// `CF` or `XK`.
    public var type: String
    public var version: Int
    public var contentHash: String
    /// The `recordId` that last changed the record.
    public var recordID: String
    public var fields: [String: String]
    public var status: Status
    /// The operation of the record that last changed it: `add`, `update` or `revoke`.
    public var lastOperation: String
    /// How many accepted records changed it (add, updates, revoke).
    public var revisions: Int
}
