public import AsyncHTTPClient
import Foundation
import GongkaiCore
public import NIOCore
public import NIOHTTP1

/// The HTTP exchange every platform adapter shares: one request, the whole
/// answer read (bounded), transport failures classified as retryable.
///
/// Error texts never carry the URL: robot and token URLs hold secrets in
/// their query strings.
public struct PlatformHTTP: Sendable {
    public let client: HTTPClient
    public let channelID: String
    /// Largest answer read; platforms answer in small JSON documents.
    public static let maxResponseBytes = 4 << 20

    /// - Parameter client: owned from now on; ``shutdown()`` shuts it down.
    public init(client: HTTPClient, channelID: String) {
        self.client = client
        self.channelID = channelID
    }

    /// One platform answer.
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: [UInt8]

        /// The body read as a platform's reply type, or nil when it is not
        /// JSON of that shape (a proxy's error page, an empty body).
        func decoded<Reply: Decodable>(_ type: Reply.Type) -> Reply? {
            try? JSONDecoder().decode(type, from: Data(body))
        }

        /// The first 512 bytes of the body as text, for error messages.
        public var excerpt: String {
            String(decoding: body.prefix(512), as: UTF8.self)
        }
    }

    /// Sends and reads the answer; throws only for transport failures (no answer).
    public func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        deadline: NIODeadline, itemID: String? = nil
    ) async throws(DeliveryError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "user-agent", value: "gongkai/1")
        if body != nil { request.headers.add(name: "content-type", value: "application/json; charset=utf-8") }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(request, deadline: deadline)
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return Response(status: Int(response.status.code), headers: response.headers, body: Array(buffer.readableBytesView))
        } catch {
            throw Self.classify(transportError: error, itemID: itemID, channelID: channelID)
        }
    }

    /// JSON body of a request type (sorted keys, slashes unescaped; nil
    /// optionals are left out, not sent as `null`).
    public static func jsonBody(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data())
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Timeouts are throttling (back off at least the floor); anything else is a connection failure.
    public static func classify(transportError error: any Error, itemID: String?, channelID: String?) -> DeliveryError {
        let message: String
        var throttled = false
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                message = "timed out (\(error))"
                throttled = true
            default:
                message = "connection failed (\(error))"
            }
        } else {
            message = "connection failed (\(error))"
        }
        return DeliveryError(
            SendFailure(permanent: false, throttled: throttled, message: message), itemID: itemID, channelID: channelID)
    }

    /// The usual HTTP status classes: 429 throttled, 408/425/5xx retryable, other 4xx permanent.
    public static func classify(status: Int, retryAfter: String?, detail: String, itemID: String?, channelID: String?, now: Int64)
        -> DeliveryError
    {
        let detail = detail.isEmpty ? "" : ": " + detail
        let failure: SendFailure
        switch status {
        case 429:
            failure = SendFailure(
                permanent: false, throttled: true, retryAfter: RetryAfter.milliseconds(retryAfter, now: now),
                message: "HTTP 429 too many requests\(detail)")
        case 408, 425, 500...599:
            failure = SendFailure(
                permanent: false, throttled: status == 503 && retryAfter != nil,
                retryAfter: RetryAfter.milliseconds(retryAfter, now: now), message: "HTTP \(status)\(detail)")
        default:
            failure = SendFailure(permanent: true, message: "HTTP \(status) refused by the platform\(detail)")
        }
        return DeliveryError(failure, httpStatus: status, itemID: itemID, channelID: channelID)
    }
}
