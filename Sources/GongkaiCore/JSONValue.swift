/// A parsed JSON value that keeps what `JSONDecoder` throws away.
///
/// Submissions are checked for unknown and duplicate keys and their syntax
/// errors are reported with line and column; `JSONDecoder` gives neither, so
/// ``ItemDecoding`` parses with this first and only then decodes the model.
/// Objects keep their keys in document order (duplicates included) so the
/// first offending key reported is the first one the submitter wrote.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's literal text; its value is only needed for messages.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// What the value is, in words for messages: `a string ("memo")`.
    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .number(let text): return "a number (\(text))"
        case .string(let text):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "a string (\"\(shown)\")"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The member named `key` of an object (the first, if duplicated).
    subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first(where: { $0.key == key })?.value
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes, limited to a byte range so
/// that one line of a JSON Lines submission can be parsed on its own.
struct JSONParser {
    /// Why parsing stopped, and the byte offset where it did.
    struct Failure: Error {
        var message: String
        var offset: Int
        /// For a top-level array: the element being parsed when it failed.
        var element: Int?
    }

    /// Objects nest three levels deep in an item; anything much deeper is an
    /// attack on the stack, not a submission.
    static let maxDepth = 64

    let bytes: [UInt8]
    let end: Int
    private(set) var index: Int
    private var depth = 0

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.end = range.upperBound
    }

    /// Parses exactly one value filling the range (surrounding whitespace allowed).
    mutating func parseDocument() throws(Failure) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < end { throw fail("unexpected \(describe(at: index)) after the JSON value") }
        return value
    }

    /// Parses a top-level array, returning each element with its byte range so
    /// that an element can be decoded (and located in messages) on its own.
    mutating func parseTopLevelArray() throws(Failure) -> [(value: JSONValue, range: Range<Int>)] {
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "[") else { throw fail("expected '['") }
        index += 1
        depth += 1
        var elements: [(value: JSONValue, range: Range<Int>)] = []
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                let start = index
                do throws(Failure) {
                    let value = try parseValue()
                    elements.append((value, start..<index))
                    skipWhitespace()
                    guard index < end else { throw fail("unexpected end of input; the array is not closed with ']'") }
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "]") { break }
                    guard byte == UInt8(ascii: ",") else {
                        index -= 1
                        throw fail("expected ',' or ']' after an array element, got \(describe(at: index))")
                    }
                    skipWhitespace()
                    if index < end, bytes[index] == UInt8(ascii: "]") {
                        throw fail("trailing ',' before ']' is not allowed in JSON")
                    }
                } catch {
                    var failure = error
                    failure.element = elements.count
                    throw failure
                }
            }
        }
        skipWhitespace()
        if index < end { throw fail("unexpected \(describe(at: index)) after the closing ']'") }
        return elements
    }

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard index < end else { throw fail("unexpected end of input; a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected \(describe(at: index)); a value was expected")
        }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        var pairs: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(pairs)
        }
        while true {
            skipWhitespace()
            guard index < end else { throw fail("unexpected end of input; the object is not closed with '}'") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw fail("expected a quoted key, got \(describe(at: index))")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else {
                throw fail("expected ':' after the key \"\(key)\"")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            pairs.append((key, value))
            skipWhitespace()
            guard index < end else { throw fail("unexpected end of input; the object is not closed with '}'") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(pairs)
            }
            guard byte == UInt8(ascii: ",") else {
                throw fail("expected ',' or '}' after the value of \"\(key)\", got \(describe(at: index))")
            }
            index += 1
            skipWhitespace()
            if index < end, bytes[index] == UInt8(ascii: "}") {
                throw fail("trailing ',' before '}' is not allowed in JSON")
            }
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try parseValue())
            skipWhitespace()
            guard index < end else { throw fail("unexpected end of input; the array is not closed with ']'") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(values)
            }
            guard byte == UInt8(ascii: ",") else {
                throw fail("expected ',' or ']' after an array element, got \(describe(at: index))")
            }
            index += 1
            skipWhitespace()
            if index < end, bytes[index] == UInt8(ascii: "]") {
                throw fail("trailing ',' before ']' is not allowed in JSON")
            }
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        let open = index
        index += 1
        let start = index
        // Fast path: no escapes, which is nearly every key and most values.
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return try validUTF8(bytes[start..<(index - 1)], from: open)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character \(hex(byte)) inside a string; escape it (e.g. \\n)") }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < end {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try validUTF8(buffer[...], from: open)
            case UInt8(ascii: "\\"):
                try escape(into: &buffer)
            case 0..<0x20:
                throw fail("control character \(hex(byte)) inside a string; escape it (e.g. \\n)")
            default:
                buffer.append(byte)
                index += 1
            }
        }
        index = open
        throw fail("unterminated string")
    }

    private mutating func escape(into buffer: inout [UInt8]) throws(Failure) {
        index += 1
        guard index < end else { throw fail("unterminated escape sequence") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800...0xDBFF).contains(code) {
                guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("unpaired UTF-16 surrogate in \\u escape")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired UTF-16 surrogate in \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw fail("unpaired UTF-16 surrogate in \\u escape")
            }
            guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
            buffer.append(contentsOf: UTF8.encode(scalar)!)
        default:
            index -= 1
            throw fail("invalid escape \\\(String(decoding: [byte], as: UTF8.self))")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= end else { throw fail("\\u must be followed by four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 55
            default: throw fail("\\u must be followed by four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(Failure) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end, isDigit(bytes[index]) else { throw fail("invalid number: a digit must follow '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, isDigit(bytes[index]) { throw fail("invalid number: leading zeros are not allowed") }
        } else {
            while index < end, isDigit(bytes[index]) { index += 1 }
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < end, isDigit(bytes[index]) else { throw fail("invalid number: a digit must follow '.'") }
            while index < end, isDigit(bytes[index]) { index += 1 }
        }
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < end, isDigit(bytes[index]) else { throw fail("invalid number: the exponent has no digits") }
            while index < end, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        let matches = index + count <= end
            && word.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
            }
        guard matches else { throw fail("unexpected \(describe(at: index)); a value was expected") }
        index += count
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
    }

    private mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func validUTF8(_ slice: ArraySlice<UInt8>, from open: Int) throws(Failure) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw Failure(message: "string is not valid UTF-8", offset: open)
        }
        return text
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    private func fail(_ message: String) -> Failure {
        Failure(message: message, offset: index)
    }

    /// The character at `offset`, for "unexpected …" messages.
    private func describe(at offset: Int) -> String {
        guard offset < end else { return "end of input" }
        var stop = offset + 1
        while stop < end, stop - offset < 4, bytes[stop] & 0xC0 == 0x80 { stop += 1 }
        let text = String(decoding: bytes[offset..<stop], as: UTF8.self)
        if bytes[offset] < 0x20 { return "control character \(hex(bytes[offset]))" }
        return "'\(text)'"
    }

    /// 1-based line and column (in characters, not bytes) of a byte offset.
    static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let stop = min(offset, bytes.count)
        for position in 0..<stop where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        var column = 1
        for position in lineStart..<stop where bytes[position] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }
}
