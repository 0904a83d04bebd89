import Foundation

/// RFC 3986 percent-encoding for path segments and query strings that
/// adapters build themselves (external ids, column codes, signed queries).
public enum PercentEncoding {
    /// Unreserved characters (`A-Z a-z 0-9 - . _ ~`) stay; every other byte is `%XX`.
    public static func encoded(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// `name=value` pairs sorted by name (then value), each part encoded, joined with `&`:
    /// the one spelling a signer and a verifier can both rebuild.
    public static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        parameters.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { encoded($0.0) + "=" + encoded($0.1) }
            .joined(separator: "&")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "~")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
