import Crypto
import Foundation

/// Signs requests to the provincial disclosure platform (the assumed
/// interface of `channels/platform.yaml`):
///
///     X-App-Key:   <appKey>
///     X-Timestamp: <Unix milliseconds>
///     X-Nonce:     <32 hex characters, fresh per request>
///     X-Signature: base64(HMAC-SHA256(appSecret, METHOD \n PATH \n TIMESTAMP \n NONCE \n hex(SHA256(body))))
///
/// PATH is the request target as sent: the URL path (percent-encoded) and,
/// when there is a query, `?` and ``PercentEncoding/canonicalQuery(_:)``.
/// An empty body hashes as SHA-256 of zero bytes.
public struct PlatformRequestSigner: Sendable {
    /// Sent as `X-App-Key`; not secret.
    public let appKey: String
    private let key: SymmetricKey

    /// - Parameter appSecret: The HMAC key, as its UTF-8 bytes.
    public init(appKey: String, appSecret: String) {
        self.appKey = appKey
        self.key = SymmetricKey(data: Data(appSecret.utf8))
    }

    /// The text that is signed.
    public static func stringToSign(method: String, target: String, timestamp: String, nonce: String, body: [UInt8])
        -> String
    {
        let bodyHash = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        return [method.uppercased(), target, timestamp, nonce, bodyHash].joined(separator: "\n")
    }

    /// `X-Signature` for one request.
    public func signature(method: String, target: String, timestamp: String, nonce: String, body: [UInt8]) -> String {
        let text = Self.stringToSign(method: method, target: target, timestamp: timestamp, nonce: nonce, body: body)
        return Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)).base64EncodedString()
    }

    /// The four auth headers, signed now with a fresh nonce unless one is given.
    public func headers(method: String, target: String, body: [UInt8], now: Int64, nonce: String = newNonce())
        -> [(String, String)]
    {
        let timestamp = String(now)
        return [
            ("x-app-key", appKey),
            ("x-timestamp", timestamp),
            ("x-nonce", nonce),
            ("x-signature", signature(method: method, target: target, timestamp: timestamp, nonce: nonce, body: body)),
        ]
    }

    /// 128 random bits as 32 lower-case hex characters.
    public static func newNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let text = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }
}
