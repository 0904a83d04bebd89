public import GongkaiCore
public import NIOCore

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
    /// The item's canonical URL (its portal article), for channels that link to it;
    /// `nil` when no portal carries the item.
    public var canonicalURL: String?
    /// Stable per (item, version, channel, operation): the platform's external id
    /// or `webhook-id`, so a retry after a lost answer does not publish twice.
    public var idempotencyKey: String

    public init(
        itemID: String, version: Int, channelID: String, operation: DeliveryOperation, contentHash: String,
        document: [UInt8], withdrawReason: String? = nil, remoteID: String? = nil, canonicalURL: String? = nil
    ) {
        self.itemID = itemID
        self.version = version
        self.channelID = channelID
        self.operation = operation
        self.contentHash = contentHash
        self.document = document
        self.withdrawReason = withdrawReason
        self.remoteID = remoteID
        self.canonicalURL = canonicalURL
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
    /// Set when the platform took the request but finishes it asynchronously
    /// (WeChat `freepublish`): milliseconds until the adapter should be asked
    /// again. The engine stores ``remoteID`` first, so the check survives a
    /// restart; the next ``DeliveryRequest/remoteID`` carries it back.
    public var checkAfter: Int64?

    public init(remoteID: String? = nil, remoteURL: String? = nil, httpStatus: Int? = nil, checkAfter: Int64? = nil) {
        self.remoteID = remoteID
        self.remoteURL = remoteURL
        self.httpStatus = httpStatus
        self.checkAfter = checkAfter
    }

    /// Accepted, not finished: ask again after `checkAfter` milliseconds with `remoteID`.
    public static func inProgress(remoteID: String, checkAfter: Int64, httpStatus: Int? = nil) -> DeliveryReceipt {
        DeliveryReceipt(remoteID: remoteID, httpStatus: httpStatus, checkAfter: checkAfter)
    }
}

/// A failed send, classified: retryable (timeouts, connection errors, 5xx, 429,
/// quota codes) or permanent (other 4xx, the platform's validation errors);
/// or a send the adapter did not attempt (``deferred(retryAfter:reason:itemID:channelID:)``).
public struct DeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var failure: SendFailure
    public var httpStatus: Int?
    public var itemID: String?
    public var channelID: String?
    /// Set when nothing was sent because the adapter's own quota (a robot's
    /// send window) has no room for this many milliseconds: the engine defers
    /// the delivery without spending an attempt. Only for waits the adapter
    /// imposes on itself; a platform's throttle answer (429, a quota code) was
    /// a request, and is a throttled ``failure``.
    public var deferredFor: Int64?

    public init(_ failure: SendFailure, httpStatus: Int? = nil, itemID: String? = nil, channelID: String? = nil) {
        self.failure = failure
        self.httpStatus = httpStatus
        self.itemID = itemID
        self.channelID = channelID
    }

    /// Not attempted: come back in `retryAfter` ms. ``failure`` also describes it
    /// as a throttled retryable failure, so a caller that does not look at
    /// ``deferredFor`` (the bench's bare sends) sees what it saw before.
    public static func deferred(retryAfter: Int64, reason: String, itemID: String? = nil, channelID: String? = nil)
        -> DeliveryError
    {
        var error = DeliveryError(
            SendFailure(permanent: false, throttled: true, retryAfter: retryAfter, message: reason),
            itemID: itemID, channelID: channelID)
        error.deferredFor = retryAfter
        return error
    }

    public var isRetryable: Bool { !failure.permanent }

    /// Counts against the circuit breaker: the platform looks unhealthy, not our request wrong.
    public var indicatesOutage: Bool {
        guard deferredFor == nil else { return false }
        guard !failure.permanent else { return false }
        if let httpStatus { return httpStatus >= 500 }
        return !failure.throttled || failure.retryAfter == nil
    }

    public var description: String {
        var text =
            deferredFor != nil ? "deferred delivery" : (failure.permanent ? "permanent" : "retryable") + " delivery error"
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
    /// Records per platform request; above 1 the engine calls ``deliverBatch(_:deadline:)``.
    var batchSize: Int { get }
    /// Sends one publish or withdrawal. Throws ``DeliveryError`` on failure.
    func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError) -> DeliveryReceipt
    /// Sends several deliveries in one platform request (credit feed). One
    /// result per request, in order: a batch with bad records delivers the good ones.
    func deliverBatch(_ requests: [DeliveryRequest], deadline: NIODeadline) async -> [Result<DeliveryReceipt, DeliveryError>]
    /// One page of what the channel shows, for reconciliation; `cursor` is
    /// `nil` for the first page and ``ChannelListingPage/nextCursor`` after.
    /// Only called when ``capabilities`` contains `.list`.
    func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage
    /// Checks configuration, credentials and reachability without publishing
    /// anything (`gongkai channels test`).
    func check(deadline: NIODeadline) async -> [ChannelCheck]
    /// Releases connections and other resources.
    func shutdown() async
}

extension ChannelAdapter {
    public var batchSize: Int { 1 }

    public func deliverBatch(_ requests: [DeliveryRequest], deadline: NIODeadline) async
        -> [Result<DeliveryReceipt, DeliveryError>]
    {
        var results: [Result<DeliveryReceipt, DeliveryError>] = []
        results.reserveCapacity(requests.count)
        for request in requests {
            do throws(DeliveryError) {
                results.append(.success(try await deliver(request, deadline: deadline)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    public func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
        throw DeliveryError(
            SendFailure(permanent: true, message: "this channel cannot list what it shows"), channelID: channelID)
    }

    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        [ChannelCheck(name: "configuration", passed: true, detail: "read and valid; this kind has no check that publishes nothing")]
    }
}

/// One page of a channel's listing.
public struct ChannelListingPage: Sendable, Equatable {
    public var entries: [ChannelListingEntry]
    /// `nil` on the last page.
    public var nextCursor: String?

    public init(entries: [ChannelListingEntry], nextCursor: String?) {
        self.entries = entries
        self.nextCursor = nextCursor
    }
}

/// One thing a channel shows. Platforms that keep our external id give
/// ``itemID``; the others are matched through ``remoteID``, which the outbox
/// stored from the publish receipt.
public struct ChannelListingEntry: Sendable, Equatable {
    public var remoteID: String
    public var itemID: String?
    public var version: Int?
    /// The content hash the platform holds, where it keeps one.
    public var contentHash: String?
    public var url: String?
    public var title: String?

    public init(
        remoteID: String, itemID: String? = nil, version: Int? = nil, contentHash: String? = nil, url: String? = nil,
        title: String? = nil
    ) {
        self.remoteID = remoteID
        self.itemID = itemID
        self.version = version
        self.contentHash = contentHash
        self.url = url
        self.title = title
    }
}

/// One line of `gongkai channels test`.
public struct ChannelCheck: Sendable, Equatable, Codable {
    /// What was checked: `configuration`, `credentials`, `reachability`.
    public var name: String
    public var passed: Bool
    /// What was found; never a secret.
    public var detail: String

    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}
