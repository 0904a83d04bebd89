import GongkaiCore
import NIOCore

/// What a channel can do; reconciliation and withdrawal consult it instead of guessing.
public struct ChannelCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let publish = ChannelCapabilities(rawValue: 1 << 0)
    /// The channel replaces an earlier version in place (otherwise a new version is a republish).
    public static let update = ChannelCapabilities(rawValue: 1 << 1)
    public static let withdraw = ChannelCapabilities(rawValue: 1 << 2)
    /// The channel can list what it shows, for reconciliation.
    public static let list = ChannelCapabilities(rawValue: 1 << 3)

    public var names: [String] {
        [(Self.publish, "publish"), (.update, "update"), (.withdraw, "withdraw"), (.list, "list")]
            .filter { contains($0.0) }.map(\.1)
    }
}

/// One send, as the engine hands it to an adapter.
public struct DeliveryRequest: Sendable {
    public var itemID: String
    public var version: Int
    public var channelID: String
    public var operation: DeliveryOperation
    public var contentHash: String
    /// Canonical JSON of the version, already masked for a public channel.
    public var document: [UInt8]
    public var withdrawReason: String?
    /// The remote id from an earlier publish, where the platform issued one.
    public var remoteID: String?
    /// Stable per (item, version, channel, operation): the platform's external id
    /// or `webhook-id`, so a retry after a lost answer does not publish twice.
    public var idempotencyKey: String

    public init(
        itemID: String, version: Int, channelID: String, operation: DeliveryOperation, contentHash: String,
        document: [UInt8], withdrawReason: String? = nil, remoteID: String? = nil
    ) {
        self.itemID = itemID
        self.version = version
        self.channelID = channelID
        self.operation = operation
        self.contentHash = contentHash
        self.document = document
        self.withdrawReason = withdrawReason
        self.remoteID = remoteID
        self.idempotencyKey = Self.idempotencyKey(
            itemID: itemID, version: version, channelID: channelID, operation: operation)
    }

    public static func idempotencyKey(itemID: String, version: Int, channelID: String, operation: DeliveryOperation)
        -> String
    {
        switch operation {
        case .publish: return "gk_\(channelID)_\(itemID)_v\(version)"
        case .withdraw: return "gk_\(channelID)_\(itemID)_v\(version)_withdraw"
        }
    }
}

/// What the platform said to a successful send.
public struct DeliveryReceipt: Sendable, Equatable {
    public var remoteID: String?
    public var remoteURL: String?
    public var httpStatus: Int?
    public init(remoteID: String? = nil, remoteURL: String? = nil, httpStatus: Int? = nil) {
        self.remoteID = remoteID
        self.remoteURL = remoteURL
        self.httpStatus = httpStatus
    }
}

/// A failed send, classified: retryable (timeouts, connection errors, 5xx, 429,
/// quota codes) or permanent (other 4xx, the platform's validation errors).
public struct DeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var failure: SendFailure
    public var httpStatus: Int?
    public var itemID: String?
    public var channelID: String?

    public init(_ failure: SendFailure, httpStatus: Int? = nil, itemID: String? = nil, channelID: String? = nil) {
        self.failure = failure
        self.httpStatus = httpStatus
        self.itemID = itemID
        self.channelID = channelID
    }

    public var isRetryable: Bool { !failure.permanent }

    /// Counts against the circuit breaker: the platform looks unhealthy, not our request wrong.
    public var indicatesOutage: Bool {
        guard !failure.permanent else { return false }
        if let httpStatus { return httpStatus >= 500 }
        return !failure.throttled || failure.retryAfter == nil
    }

    public var description: String {
        var text = (failure.permanent ? "permanent" : "retryable") + " delivery error"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if let channelID { text += " on \(channelID)" }
        if let itemID { text += " for \(itemID)" }
        return text + ": " + failure.message
    }
}

/// Speaks one platform's real interface. One adapter per channel; it must be
/// safe to call from many concurrent sends.
public protocol ChannelAdapter: Sendable {
    var channelID: String { get }
    var capabilities: ChannelCapabilities { get }
    /// Sends one publish or withdrawal. Throws ``DeliveryError`` on failure.
    func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt
    /// Releases connections and other resources.
    func shutdown() async
}
