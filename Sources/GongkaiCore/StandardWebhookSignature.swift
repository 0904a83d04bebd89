public import Crypto

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A Standard Webhooks (standardwebhooks.com) signing secret, `whsec_<base64 key>`.
///
/// The same value signs on gongkai's side and verifies on a receiver's side.
/// It never prints itself: ``description`` and its mirror are redacted so a
/// secret interpolated into a log line or an error stays secret.
public struct StandardWebhookSecret: Sendable, CustomStringConvertible, CustomReflectable {
    private static let prefix = "whsec_"
    /// Below 192 bits the HMAC key is weaker than the spec's reference secrets.
    private static let minimumKeyBytes = 24

    /// Keyed once: setting up the HMAC pads costs more than hashing a typical
    /// body, so every signature starts from a copy of this state instead.
    private let keyedHMAC: HMAC<SHA256>
    /// The `whsec_…` form. Only for tests and the demo, which must hand the
    /// same secret to both sides; never log it.
    public let text: String

    /// Parses `whsec_<base64>`; the key is the decoded bytes.
    ///
    /// - Throws: ``GongkaiError`` with code `configuration` when the prefix is
    ///   missing, the rest is not base64, or the key is shorter than 24 bytes.
    ///   The message never repeats the secret.
    public init(_ text: String) throws(GongkaiError) {
        guard text.hasPrefix(Self.prefix) else {
            throw GongkaiError(.configuration, "webhook secret must start with \(Self.prefix)")
        }
        guard let keyBytes = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))) else {
            throw GongkaiError(.configuration, "webhook secret is not valid base64 after \(Self.prefix)")
        }
        guard keyBytes.count >= Self.minimumKeyBytes else {
            throw GongkaiError(
                .configuration,
                "webhook secret key is \(keyBytes.count) bytes; at least \(Self.minimumKeyBytes) are required"
            )
        }
        self.keyedHMAC = HMAC<SHA256>(key: SymmetricKey(data: keyBytes))
        self.text = text
    }

    private init(key: SymmetricKey) {
        self.keyedHMAC = HMAC<SHA256>(key: key)
        self.text = key.withUnsafeBytes { base64Encoded($0, prefix: Self.prefix) }
    }

    /// A fresh random 256-bit secret.
    public static func generate() -> StandardWebhookSecret {
        StandardWebhookSecret(key: SymmetricKey(size: .bits256))
    }

    /// Always `whsec_***`.
    public var description: String { "whsec_***" }

    /// Redacted too, so `dump` and reflection-based loggers cannot reach the key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>`
    /// over `<id>.<timestamp>.<body>`, with the timestamp in Unix seconds.
    public func signature(id: String, timestamp: Int64, body: some Collection<UInt8>) -> String {
        var hmac = keyedHMAC
        // The parts go in one by one so that a large body is never copied into
        // a concatenated buffer; this runs per request on the hot path.
        var separatedTimestamp = "."
        separatedTimestamp += String(timestamp)
        separatedTimestamp += "."
        feed(&hmac, id.utf8)
        feed(&hmac, separatedTimestamp.utf8)
        feed(&hmac, body)
        return hmac.finalize().withUnsafeBytes { base64Encoded($0, prefix: "v1,") }
    }

    /// Whether `header` (a `webhook-signature` value) carries a valid signature
    /// for this message.
    ///
    /// The header may list several space-separated signatures (`v1,abc v1,def`),
    /// as senders do while rotating secrets; any one match passes. Entries of
    /// other versions never match.
    public func verify(id: String, timestamp: Int64, body: some Collection<UInt8>, header: String) -> Bool {
        let expected = signature(id: id, timestamp: timestamp, body: body)
        let space = UInt8(ascii: " ")
        let bytes = header.utf8
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: space) ?? bytes.endIndex
            if start < end, constantTimeEquals(bytes[start..<end], expected.utf8) {
                return true
            }
            start = end < bytes.endIndex ? bytes.index(after: end) : end
        }
        return false
    }
}

private func feed(_ hmac: inout HMAC<SHA256>, _ bytes: some Collection<UInt8>) {
    let fed: Void? = bytes.withContiguousStorageIfAvailable { buffer in
        hmac.update(data: UnsafeRawBufferPointer(buffer))
    }
    if fed == nil {
        hmac.update(data: Array(bytes))
    }
}

/// Compares without an early exit so the time taken does not reveal how many
/// leading bytes of a forged signature were right. Lengths are public.
private func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for (left, right) in zip(lhs, rhs) {
        difference |= left ^ right
    }
    return difference == 0
}

private let base64Alphabet: [UInt8] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
)

/// Standard padded base64 written straight into the result string, so a
/// signature costs one allocation instead of a `Data` and a `String`.
private func base64Encoded(_ bytes: UnsafeRawBufferPointer, prefix: String) -> String {
    let prefixCount = prefix.utf8.count
    let capacity = prefixCount + (bytes.count + 2) / 3 * 4
    return String(unsafeUninitializedCapacity: capacity) { output in
        var out = 0
        for byte in prefix.utf8 {
            output[out] = byte
            out += 1
        }
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output[out] = base64Alphabet[Int(group >> 18 & 63)]
            output[out + 1] = base64Alphabet[Int(group >> 12 & 63)]
            output[out + 2] = remaining > 1 ? base64Alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "=")
            output[out + 3] = remaining > 2 ? base64Alphabet[Int(group & 63)] : UInt8(ascii: "=")
            out += 4
            index += 3
        }
        return out
    }
}
