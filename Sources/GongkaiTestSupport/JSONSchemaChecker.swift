import Foundation
import Yams

/// Checks JSON against the component schemas of an OpenAPI 3.1 document, so a
/// test can hold `gongkai … --json` to the shapes the API documents.
///
/// A subset of JSON Schema, the part openapi.yaml uses: `type` (one or a
/// list), `properties`, `required`, `additionalProperties` (a boolean or a
/// schema), `enum`, `items`, `minimum`, `minItems`, `oneOf`, `$ref` to
/// `#/components/schemas/…`, and `format` `date-time` (RFC 3339 with an
/// offset) and `date` (`YYYY-MM-DD`). Anything else in a schema is ignored;
/// a JSON boolean is never an integer, nor an integer a string.
public struct JSONSchemaChecker: @unchecked Sendable {
    // The parsed YAML is immutable after init, which is what makes sharing it safe.
    private let schemas: [String: Any]

    /// Loads `components/schemas` from the document's YAML text.
    public init(openAPI text: String) throws {
        guard let document = try Yams.load(yaml: text) as? [String: Any],
            let components = document["components"] as? [String: Any],
            let schemas = components["schemas"] as? [String: Any]
        else { throw CheckError(path: "$", message: "the document has no components/schemas") }
        self.schemas = schemas
    }

    /// A JSON value as the checker sees it: integers apart from other numbers, booleans apart from both.
    public indirect enum Value: Decodable, Sendable, Equatable {
        case null
        case bool(Bool)
        case integer(Int64)
        case number(Double)
        case string(String)
        case array([Value])
        case object([String: Value])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([Value].self) {
                self = .array(value)
            } else {
                self = .object(try container.decode([String: Value].self))
            }
        }

        var typeName: String {
            switch self {
            case .null: return "null"
            case .bool: return "boolean"
            case .integer: return "integer"
            case .number: return "number"
            case .string: return "string"
            case .array: return "array"
            case .object: return "object"
            }
        }
    }

    /// Where the JSON breaks its schema, and how.
    public struct CheckError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Every way `json` breaks the component schema `name` (empty: it conforms); malformed JSON is one error.
    public func errors(_ json: String, against name: String) -> [CheckError] {
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
        } catch {
            return [CheckError(path: "$", message: "not JSON: \(error)")]
        }
        return errors(value, against: ["$ref": "#/components/schemas/\(name)"])
    }

    /// Checks `json` as an array whose every element is the component schema `name`.
    public func errors(_ json: String, againstArrayOf name: String) -> [CheckError] {
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
        } catch {
            return [CheckError(path: "$", message: "not JSON: \(error)")]
        }
        return errors(value, against: ["type": "array", "items": ["$ref": "#/components/schemas/\(name)"]])
    }

    /// Every way `value` breaks `schema`.
    public func errors(_ value: Value, against schema: [String: Any], at path: String = "$") -> [CheckError] {
        var found: [CheckError] = []
        func fail(_ message: String, _ at: String = path) { found.append(CheckError(path: at, message: message)) }
        if let reference = schema["$ref"] as? String {
            let prefix = "#/components/schemas/"
            guard reference.hasPrefix(prefix), let target = schemas[String(reference.dropFirst(prefix.count))] as? [String: Any]
            else { return [CheckError(path: path, message: "unresolvable $ref \(reference)")] }
            found += errors(value, against: target, at: path)
        }
        if let options = schema["oneOf"] as? [[String: Any]] {
            let matching = options.filter { errors(value, against: $0, at: path).isEmpty }.count
            if matching != 1 { fail("matches \(matching) of the oneOf schemas, not exactly one") }
        }
        if let type = schema["type"] {
            let allowed = (type as? [String]) ?? [type as? String ?? ""]
            let actual = value.typeName
            let ok = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
            if !ok {
                fail("is \(actual), not \(allowed.joined(separator: " or "))")
                return found
            }
        }
        if let options = schema["enum"] as? [Any] {
            let matches = options.contains { option in
                switch (option, value) {
                case (let text as String, .string(let actual)): return text == actual
                case (let flag as Bool, .bool(let actual)): return flag == actual
                case (let number as Int, .integer(let actual)): return Int64(number) == actual
                default: return false
                }
            }
            if !matches { fail("\(value) is not one of \(options)") }
        }
        switch value {
        case .string(let text):
            switch schema["format"] as? String {
            case "date-time":
                if text.wholeMatch(of: Self.dateTime) == nil { fail("\"\(text)\" is not an RFC 3339 date-time with an offset") }
            case "date":
                if text.wholeMatch(of: Self.date) == nil { fail("\"\(text)\" is not a YYYY-MM-DD date") }
            default: break
            }
        case .integer(let number):
            if let minimum = schema["minimum"] as? Int, number < Int64(minimum) { fail("\(number) is below \(minimum)") }
        case .number(let number):
            if let minimum = schema["minimum"] as? Int, number < Double(minimum) { fail("\(number) is below \(minimum)") }
        case .array(let elements):
            if let minimum = schema["minItems"] as? Int, elements.count < minimum { fail("has fewer than \(minimum) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in elements.enumerated() {
                    found += errors(element, against: items, at: "\(path)[\(index)]")
                }
            }
        case .object(let members):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where members[key] == nil {
                fail("lacks required \"\(key)\"")
            }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] as? [String: Any] {
                    found += errors(member, against: property, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += errors(member, against: additional, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    fail("has \"\(key)\", which the schema does not name", "\(path).\(key)")
                }
            }
        case .null, .bool:
            break
        }
        return found
    }

    nonisolated(unsafe) private static let dateTime = #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/#
    nonisolated(unsafe) private static let date = #/\d{4}-\d{2}-\d{2}/#
}
