import NIOCore
import NIOHTTP1

/// One canned answer of the simulator, built once so the hot path only
/// retains an existing head and body instead of formatting headers.
struct WebhookResponse: Sendable {
    var head: HTTPResponseHead
    var body: ByteBuffer

    init(status: HTTPResponseStatus, json: String, extraHeaders: [(String, String)] = []) {
        let body = ByteBuffer(string: json)
        var headers = HTTPHeaders([
            ("content-type", "application/json"),
            ("content-length", String(body.readableBytes)),
        ])
        headers.add(contentsOf: extraHeaders)
        self.head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        self.body = body
    }

    private init(error: String, status: HTTPResponseStatus, extraHeaders: [(String, String)] = []) {
        self.init(status: status, json: #"{"error":"\#(error)"}"#, extraHeaders: extraHeaders)
    }

    static let ok = WebhookResponse(status: .ok, json: #"{"ok":true}"#)

    static let methodNotAllowed = WebhookResponse(
        error: "only POST is accepted", status: .methodNotAllowed, extraHeaders: [("allow", "POST")]
    )
    static let payloadTooLarge = WebhookResponse(error: "body exceeds the size limit", status: .payloadTooLarge)
    static let missingWebhookID = WebhookResponse(error: "missing header webhook-id", status: .badRequest)
    static let missingWebhookTimestamp = WebhookResponse(error: "missing header webhook-timestamp", status: .badRequest)
    static let missingWebhookSignature = WebhookResponse(error: "missing header webhook-signature", status: .badRequest)
    static let invalidTimestamp = WebhookResponse(error: "invalid header webhook-timestamp", status: .badRequest)
    static let staleTimestamp = WebhookResponse(error: "stale timestamp", status: .unauthorized)
    static let invalidSignature = WebhookResponse(error: "invalid signature", status: .unauthorized)
    static let malformedJSON = WebhookResponse(error: "malformed JSON body", status: .badRequest)
    static let missingType = WebhookResponse(error: "missing field type", status: .badRequest)
    static let unknownType = WebhookResponse(error: "unknown event type", status: .badRequest)
    static let missingItemID = WebhookResponse(error: "missing field data.itemId", status: .badRequest)
    static let missingVersion = WebhookResponse(error: "missing field data.version", status: .badRequest)
    static let rejectedByPlatform = WebhookResponse(
        error: "rejected by platform validation", status: .unprocessableEntity
    )
    static let gone = WebhookResponse(error: "this endpoint has been removed", status: .gone)
    private static let serverErrors: [Int: WebhookResponse] = [
        500: WebhookResponse(error: "simulated server error", status: .internalServerError),
        502: WebhookResponse(error: "simulated server error", status: .badGateway),
        503: WebhookResponse(error: "simulated server error", status: .serviceUnavailable),
    ]

    static func serverError(status: Int) -> WebhookResponse {
        serverErrors[status]
            ?? WebhookResponse(error: "simulated server error", status: HTTPResponseStatus(statusCode: status))
    }

    static func throttled(retryAfterSeconds: Int) -> WebhookResponse {
        WebhookResponse(
            error: "rate limited", status: .tooManyRequests,
            extraHeaders: [("retry-after", String(retryAfterSeconds))]
        )
    }
}
