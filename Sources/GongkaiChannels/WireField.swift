/// A field of a platform's reply, read tolerantly: the value when it has the
/// expected type, nil when it is absent, `null` or of another type.
///
/// Platforms add fields, drop them and now and then send a number where their
/// documentation shows a string. One odd field must not make the whole reply
/// unreadable: the adapter then decides from what it did find (a missing id,
/// a missing code), exactly as it would for a reply without that field.
/// Unknown fields are ignored by `JSONDecoder` anyway.
@propertyWrapper
struct WireField<Value: Decodable>: Decodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    init(from decoder: any Decoder) throws {
        wrappedValue = try? Value(from: decoder)
    }
}

extension WireField: Sendable where Value: Sendable {}

extension KeyedDecodingContainer {
    /// A missing key is an absent field, not a decoding error.
    func decode<Value>(_ type: WireField<Value>.Type, forKey key: Key) throws -> WireField<Value> {
        try decodeIfPresent(type, forKey: key) ?? WireField(wrappedValue: nil)
    }
}

/// A reply value some platforms send as a string and others as a number
/// (WeChat ids, Weibo uids): its text either way.
struct WireText: Decodable, Sendable, Equatable {
    var text: String

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let text = try? value.decode(String.self) {
            self.text = text
        } else if let number = try? value.decode(Int.self) {
            text = String(number)
        } else {
            text = String(describing: try value.decode(Double.self))
        }
    }
}

/// A reply number that may come as a numeric string: its integer value
/// (fractions cut off), like `NSNumber.intValue` read it.
struct WireInt: Decodable, Sendable, Equatable {
    var value: Int

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let number = try? single.decode(Int.self) {
            value = number
        } else if let text = try? single.decode(String.self), let number = Int(text) {
            value = number
        } else {
            let number = try single.decode(Double.self)
            guard number.isFinite, let whole = Int(exactly: number.rounded(.towardZero)) else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "not an integer")
            }
            value = whole
        }
    }
}

/// A reply value whose presence is all that matters (any JSON but `null`).
struct WirePresence: Decodable, Sendable {
    init(from decoder: any Decoder) throws {}
}
