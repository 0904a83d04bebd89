/// One delivery the webhook simulator accepted.
public struct ReceivedWebhook: Sendable, Hashable {
    /// The event types gongkai sends.
    public enum EventType: String, Sendable, Hashable, CaseIterable {
        /// A new or changed version of the item is to be shown.
        case published = "disclosure.published"
        /// The item is to be taken down.
        case withdrawn = "disclosure.withdrawn"
    }

    /// The `webhook-id` header; the same for every retry of one message.
    public var webhookID: String
    /// `type` of the body.
    public var type: EventType
    /// `data.itemId`.
    public var itemID: String
    /// `data.version`.
    public var version: Int
    /// `data.contentHash`; gongkai sends it with published events.
    public var contentHash: String?
    /// `data.channel`.
    public var channel: String?
    /// `data.reason` of a withdrawal.
    public var reason: String?
    /// Unix time in milliseconds when the simulator accepted it.
    public var receivedAt: Int64
    /// Size of the body as received.
    public var bodyByteCount: Int
    /// The raw body, only when the simulator was created with `recordBodies`.
    public var body: String?

    /// Memberwise; the simulator builds these, tests may build expected values.
    public init(
        webhookID: String, type: EventType, itemID: String, version: Int, contentHash: String? = nil,
        channel: String? = nil, reason: String? = nil, receivedAt: Int64, bodyByteCount: Int,
        body: String? = nil
    ) {
        self.webhookID = webhookID
        self.type = type
        self.itemID = itemID
        self.version = version
        self.contentHash = contentHash
        self.channel = channel
        self.reason = reason
        self.receivedAt = receivedAt
        self.bodyByteCount = bodyByteCount
        self.body = body
    }
}
