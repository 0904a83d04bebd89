public import AsyncHTTPClient
import Foundation
public import GongkaiCore
public import NIOCore
import NIOHTTP1

/// The generic Standard Webhooks channel (standardwebhooks.com).
///
/// Every request carries `webhook-id` (our idempotency key, stable across
/// retries so a receiver can dedupe), `webhook-timestamp` and
/// `webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>`.
/// An update is a re-send of the new version; a withdrawal is an event.
public struct WebhookAdapter: ChannelAdapter {
    public let channelID: String
    public var capabilities: ChannelCapabilities { ChannelDefinition.Kind.webhook.capabilities }
    private let endpoint: String
    private let secret: StandardWebhookSecret
    private let client: HTTPClient
    private let clock: any WallClock
    /// How much of an error answer is kept for the attempt log.
    static let errorExcerptBytes = 512
    /// Why a `410 Gone` paused the channel; the pause's reason and the attempt's error.
    public static let goneReason =
        "the endpoint answered 410 Gone: the receiver has removed it; resume the channel once it is fixed"

    /// - Parameter client: owned by the adapter from now on; ``shutdown()`` shuts it down.
    public init(
        definition: ChannelDefinition, secret: StandardWebhookSecret, client: HTTPClient,
        clock: any WallClock = SystemWallClock()
    ) {
        self.channelID = definition.id
        self.endpoint = definition.endpoint
        self.secret = secret
        self.client = client
        self.clock = clock
    }

    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError)
        -> DeliveryReceipt
    {
        let now = clock.now()
        let body = Self.payload(for: request, now: now)
        let timestamp = now / 1000
        var http = HTTPClientRequest(url: endpoint)
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "user-agent", value: "gongkai/1")
        http.headers.add(name: "webhook-id", value: request.idempotencyKey)
        http.headers.add(name: "webhook-timestamp", value: String(timestamp))
        http.headers.add(
            name: "webhook-signature", value: secret.signature(id: request.idempotencyKey, timestamp: timestamp, body: body.readableBytesView))
        http.body = .bytes(body)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, deadline: deadline)
        } catch {
            throw Self.classify(transportError: error, request: request)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) {
            // Drain the body so the connection goes back to the pool.
            _ = try? await response.body.collect(upTo: 1 << 16)
            return DeliveryReceipt(remoteID: request.idempotencyKey, remoteURL: nil, httpStatus: status)
        }
        var excerpt = ""
        if let buffer = try? await response.body.collect(upTo: 1 << 16) {
            excerpt = String(decoding: buffer.readableBytesView.prefix(Self.errorExcerptBytes), as: UTF8.self)
        }
        throw Self.classify(
            status: status, retryAfter: response.headers.first(name: "retry-after"), excerpt: excerpt,
            request: request, now: now)
    }

    /// A GET to the endpoint: any HTTP answer proves it is reachable. Standard
    /// Webhooks has no way to check a secret without sending an event.
    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        var checks = [
            ChannelCheck(
                name: "credentials", passed: true,
                detail: "whsec_ secret read and well-formed; receivers verify it only on a real event")
        ]
        var request = HTTPClientRequest(url: endpoint)
        request.method = .GET
        do {
            let response = try await client.execute(request, deadline: deadline)
            _ = try? await response.body.collect(upTo: 1 << 16)
            checks.append(
                ChannelCheck(name: "reachability", passed: true, detail: "the endpoint answered HTTP \(response.status.code) to a GET"))
        } catch {
            checks.append(
                ChannelCheck(
                    name: "reachability", passed: false,
                    detail: PlatformHTTP.classify(transportError: error, itemID: nil, channelID: channelID).failure.message))
        }
        return checks
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// The JSON body: a small envelope around the stored canonical document, spliced as bytes.
    static func payload(for request: DeliveryRequest, now: Int64) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(request.document.count + 256)
        // Fields common to both events, then what only one of them carries.
        let type = request.operation == .publish ? "disclosure.published" : "disclosure.withdrawn"
        buffer.writeString(#"{"type":""# + type + #"","timestamp":""#)
        buffer.writeString(Timestamp.iso8601(now))
        buffer.writeString(#"","data":{"itemId":"#)
        buffer.writeString(jsonString(request.itemID))
        buffer.writeString(#","version":"#)
        buffer.writeString(String(request.version))
        buffer.writeString(#","channel":"#)
        buffer.writeString(jsonString(request.channelID))
        switch request.operation {
        case .publish:
            buffer.writeString(#","contentHash":""#)
            buffer.writeString(request.contentHash)
            buffer.writeString(#"","item":"#)
            buffer.writeBytes(request.document)
        case .withdraw:
            buffer.writeString(#","reason":"#)
            buffer.writeString(jsonString(request.withdrawReason ?? ""))
        }
        buffer.writeString("}}")
        return buffer
    }

    /// A JSON string literal; ids are plain ASCII, so the encoder only runs for free text.
    static func jsonString(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func classify(transportError error: any Error, request: DeliveryRequest) -> DeliveryError {
        PlatformHTTP.classify(transportError: error, itemID: request.itemID, channelID: request.channelID)
    }

    /// The receiver's answer as the Standard Webhooks specification reads it
    /// (https://www.standardwebhooks.com, github.com/standard-webhooks/standard-webhooks,
    /// spec/standard-webhooks.md, "Delivery success and failure"): 429, 502 and 504 mean the
    /// receiver is overloaded, so back off as for a throttle (the retry waits at
    /// least the channel's `minimumThrottleDelay`); other statuses as usual.
    ///
    /// `410 Gone` is "an indication by the server that it's no longer interested in
    /// receiving webhooks from this source. Sender should disable the webhook endpoint,
    /// and stop sending it messages." That is about the endpoint, not the item: the
    /// failure pauses the channel (an operator resumes it once the receiver is fixed)
    /// and stays retryable, so the item is sent when the channel resumes instead of
    /// every delivery dying one by one.
    static func classify(status: Int, retryAfter: String?, excerpt: String, request: DeliveryRequest, now: Int64)
        -> DeliveryError
    {
        if status == 410 {
            let said = excerpt.isEmpty ? "" : " (the receiver said: \(excerpt.prefix(200)))"
            return DeliveryError(
                SendFailure(permanent: false, message: goneReason + said, pausesChannel: true),
                httpStatus: status, itemID: request.itemID, channelID: request.channelID)
        }
        var error = PlatformHTTP.classify(
            status: status, retryAfter: retryAfter, detail: excerpt, itemID: request.itemID, channelID: request.channelID,
            now: now)
        if status == 502 || status == 504 {
            error.failure.throttled = true
            error.failure.message += " (the receiver is overloaded: backing off)"
        }
        return error
    }
}
