import GongkaiCore
import Logging
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The receiver's rules, separate from the socket handling: it turns one
/// complete request into an outcome and keeps the ledger.
final class WebhookReceiver: Sendable {
    enum Outcome {
        case respond(WebhookResponse)
        case respondAfter(TimeAmount, WebhookResponse)
        case drop
    }

    let secret: StandardWebhookSecret
    let toleranceSeconds: Int64
    let maxBodyBytes: Int
    let recordBodies: Bool
    let logger: Logger
    let ledger = WebhookLedger()
    let faults = FaultInjector()

    init(
        secret: StandardWebhookSecret, toleranceSeconds: Int64, maxBodyBytes: Int, recordBodies: Bool,
        logger: Logger
    ) {
        self.secret = secret
        self.toleranceSeconds = toleranceSeconds
        self.maxBodyBytes = maxBodyBytes
        self.recordBodies = recordBodies
        self.logger = logger
    }

    /// Checks run cheapest first, as a strict platform would: headers, clock,
    /// HMAC, then the JSON; faults apply only to requests that passed them.
    func process(head: HTTPRequestHead, body: ByteBuffer?, oversized: Bool, decoder: JSONDecoder) -> Outcome {
        guard head.method == .POST else {
            return reject(.methodNotAllowed, .methodNotAllowed)
        }
        if oversized {
            return reject(.oversized, .payloadTooLarge)
        }
        guard let webhookID = head.headers.first(name: "webhook-id") else {
            return reject(.missingHeader, .missingWebhookID)
        }
        guard let timestampText = head.headers.first(name: "webhook-timestamp") else {
            return reject(.missingHeader, .missingWebhookTimestamp)
        }
        guard let signature = head.headers.first(name: "webhook-signature") else {
            return reject(.missingHeader, .missingWebhookSignature)
        }
        guard let timestamp = Int64(timestampText) else {
            return reject(.invalidTimestamp, .invalidTimestamp)
        }
        let now = Date().timeIntervalSince1970
        let (skew, overflow) = Int64(now).subtractingReportingOverflow(timestamp)
        guard !overflow, skew.magnitude <= toleranceSeconds.magnitude else {
            return reject(.staleTimestamp, .staleTimestamp)
        }
        let body = body ?? ByteBuffer()
        guard secret.verify(id: webhookID, timestamp: timestamp, body: body.readableBytesView, header: signature)
        else {
            return reject(.invalidSignature, .invalidSignature)
        }

        let envelope: WebhookEnvelope
        do {
            envelope = try decode(body, with: decoder)
        } catch {
            return reject(.malformedBody, .malformedJSON)
        }
        guard let typeText = envelope.type else { return reject(.malformedBody, .missingType) }
        guard let type = ReceivedWebhook.EventType(rawValue: typeText) else {
            return reject(.malformedBody, .unknownType)
        }
        guard let itemID = envelope.data?.itemId else { return reject(.malformedBody, .missingItemID) }
        guard let version = envelope.data?.version else { return reject(.malformedBody, .missingVersion) }

        let delivery = ReceivedWebhook(
            webhookID: webhookID, type: type, itemID: itemID, version: version,
            contentHash: envelope.data?.contentHash, channel: envelope.data?.channel,
            reason: envelope.data?.reason, receivedAt: Int64(now * 1000), bodyByteCount: body.readableBytes,
            body: recordBodies ? String(buffer: body) : nil
        )
        switch faults.next(itemID: itemID) {
        case .accept:
            ledger.record(delivery, ordinal: NIODeadline.now().uptimeNanoseconds)
            return .respond(.ok)
        case .slow(let delay):
            // The platform got it; only the answer is late, so the client's retry is a duplicate.
            ledger.record(delivery, ordinal: NIODeadline.now().uptimeNanoseconds)
            return .respondAfter(TimeAmount(delay), .ok)
        case .serverError(let status):
            return reject(.faultServerError, .serverError(status: status))
        case .throttle(let retryAfterSeconds):
            return reject(.faultThrottled, .throttled(retryAfterSeconds: retryAfterSeconds))
        case .permanent:
            return reject(.faultPermanent, .rejectedByPlatform)
        case .gone:
            return reject(.faultGone, .gone)
        case .drop:
            ledger.reject(.faultDropped)
            logger.trace("webhook simulator dropping connection", metadata: ["item": "\(itemID)"])
            return .drop
        }
    }

    private func reject(_ reason: WebhookRejection, _ response: WebhookResponse) -> Outcome {
        ledger.reject(reason)
        logger.debug(
            "webhook simulator rejected request",
            metadata: ["reason": "\(reason.rawValue)", "status": "\(response.head.status.code)"]
        )
        return .respond(response)
    }

    /// Decodes straight from the buffer's memory; copying every body into a
    /// `Data` first would double the bytes touched per request.
    private func decode(_ body: ByteBuffer, with decoder: JSONDecoder) throws -> WebhookEnvelope {
        try body.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "empty body"))
            }
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
            return try decoder.decode(WebhookEnvelope.self, from: data)
        }
    }
}
