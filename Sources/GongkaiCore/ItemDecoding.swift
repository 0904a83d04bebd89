public import Foundation

/// Turns a submission (bytes from the API, a file, stdin) into items, or an
/// error that tells the submitter exactly where the shape is wrong.
///
/// Accepted forms: one JSON object, a JSON array of objects, or JSON Lines
/// (one object per line, blank lines ignored). Unknown keys are rejected
/// rather than ignored: a misspelt optional key such as `creditcode` would
/// otherwise silently drop data that the credit platform requires. Only the
/// shape is checked here; ``ItemValidator`` checks the content rules.
public enum ItemDecoding {
    /// Decodes every item of a submission, stopping at the first error.
    ///
    /// Errors carry the field path relative to the item (`subject.creditCode`,
    /// `attachments[0].url`) in `field`, the item's id in `item` when it could
    /// be read, and, for arrays and JSON Lines, the element index or line
    /// number at the start of the message.
    public static func decodeSubmission(_ data: [UInt8], maxBytes: Int = 16 << 20) throws(GongkaiError) -> [DisclosureItem] {
        guard data.count <= maxBytes else {
            throw GongkaiError(.oversized, "submission is \(data.count) bytes; the limit is \(maxBytes)")
        }
        var start = 0
        if data.count >= 3, data[0] == 0xEF, data[1] == 0xBB, data[2] == 0xBF { start = 3 }
        while start < data.count, isWhitespace(data[start]) { start += 1 }
        guard start < data.count else {
            throw GongkaiError(.malformedJSON, "submission is empty; expected a JSON object, an array of objects or JSON Lines")
        }
        switch data[start] {
        case UInt8(ascii: "["):
            return try decodeArray(data, from: start)
        case UInt8(ascii: "{"):
            if let lines = jsonLines(data, from: start) { return try decodeLines(data, lines: lines) }
            return try decodeSingle(data, from: start)
        default:
            throw GongkaiError(
                .malformedJSON,
                "expected a JSON object, an array of objects or JSON Lines; the submission starts with "
                    + "'\(String(decoding: data[start..<min(start + 1, data.count)], as: UTF8.self))'")
        }
    }

    // MARK: - The three forms

    private static func decodeSingle(_ data: [UInt8], from start: Int) throws(GongkaiError) -> [DisclosureItem] {
        var parser = JSONParser(data, range: start..<data.count)
        let value: JSONValue
        do throws(JSONParser.Failure) {
            value = try parser.parseDocument()
        } catch {
            let (line, column) = JSONParser.location(of: error.offset, in: data)
            var message = "malformed JSON at line \(line), column \(column): \(error.message)"
            if error.message.hasPrefix("unexpected") && error.message.hasSuffix("after the JSON value") {
                message += "; send several items as a JSON array or as JSON Lines (one object per line)"
            }
            throw GongkaiError(.malformedJSON, message)
        }
        return [try decodeItem(value, bytes: data, range: start..<data.count, location: nil)]
    }

    private static func decodeArray(_ data: [UInt8], from start: Int) throws(GongkaiError) -> [DisclosureItem] {
        var parser = JSONParser(data, range: start..<data.count)
        let elements: [(value: JSONValue, range: Range<Int>)]
        do throws(JSONParser.Failure) {
            elements = try parser.parseTopLevelArray()
        } catch {
            let (line, column) = JSONParser.location(of: error.offset, in: data)
            let place = error.element.map { " in item [\($0)]" } ?? ""
            throw GongkaiError(.malformedJSON, "malformed JSON\(place) at line \(line), column \(column): \(error.message)")
        }
        var items: [DisclosureItem] = []
        items.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let location = Location(label: "item [\(index)]", bytes: data, offset: element.range.lowerBound)
            items.append(try decodeItem(element.value, bytes: data, range: element.range, location: location))
        }
        return items
    }

    private static func decodeLines(_ data: [UInt8], lines: [(number: Int, range: Range<Int>)]) throws(GongkaiError)
        -> [DisclosureItem]
    {
        var items: [DisclosureItem] = []
        items.reserveCapacity(lines.count)
        for line in lines {
            var parser = JSONParser(data, range: line.range)
            let value: JSONValue
            do throws(JSONParser.Failure) {
                value = try parser.parseDocument()
            } catch {
                let (_, column) = JSONParser.location(of: error.offset, in: data)
                throw GongkaiError(
                    .malformedJSON, "malformed JSON on line \(line.number), column \(column): \(error.message)")
            }
            let location = Location(label: "line \(line.number)", bytes: nil, offset: 0)
            items.append(try decodeItem(value, bytes: data, range: line.range, location: location))
        }
        return items
    }

    /// The non-blank lines when the submission is JSON Lines, nil when it is one document.
    ///
    /// It is JSON Lines when the first line on its own is a complete object and
    /// more content follows; a pretty-printed object never has a complete
    /// object on its first line.
    private static func jsonLines(_ data: [UInt8], from start: Int) -> [(number: Int, range: Range<Int>)]? {
        guard let firstEnd = data[start...].firstIndex(of: 0x0A) else { return nil }
        guard data[firstEnd...].contains(where: { !isWhitespace($0) }) else { return nil }
        var probe = JSONParser(data, range: start..<firstEnd)
        guard case .object? = try? probe.parseDocument() else { return nil }
        var lines: [(number: Int, range: Range<Int>)] = []
        var number = 1
        var lineStart = 0
        for position in 0...data.count where position == data.count || data[position] == 0x0A {
            var range = lineStart..<position
            if number == 1, range.count >= 3, data[0] == 0xEF, data[1] == 0xBB, data[2] == 0xBF {
                range = 3..<position
            }
            if data[range].contains(where: { !isWhitespace($0) }) { lines.append((number, range)) }
            number += 1
            lineStart = position + 1
        }
        return lines
    }

    // MARK: - One item

    /// Where an item sits in a multi-item submission, for messages.
    private struct Location {
        var label: String
        var bytes: [UInt8]?
        var offset: Int

        var text: String {
            guard let bytes else { return label }
            return "\(label) at line \(JSONParser.location(of: offset, in: bytes).line)"
        }
    }

    private static func decodeItem(_ value: JSONValue, bytes: [UInt8], range: Range<Int>, location: Location?)
        throws(GongkaiError) -> DisclosureItem
    {
        // Only computed on failure: locating a line scans the submission.
        var prefix: String { location.map { "\($0.text): " } ?? "" }
        guard case .object = value else {
            throw GongkaiError(.malformedJSON, "\(prefix)expected a JSON object for an item, got \(value.summary)")
        }
        let id = value["id"]?.stringValue
        if let (field, message) = firstKeyProblem(in: value, shape: itemShape, path: "") {
            throw GongkaiError(.invalidField, prefix + message, item: id, field: field)
        }
        do {
            return try JSONDecoder().decode(DisclosureItem.self, from: Data(bytes[range]))
        } catch let error as DecodingError {
            throw mapped(error, value: value, id: id, prefix: prefix)
        } catch {
            throw GongkaiError(.malformedJSON, "\(prefix)\(error)", item: id)
        }
    }

    // MARK: - Keys

    /// The keys the model accepts, level by level.
    private indirect enum Shape: Sendable {
        case scalar
        case object([String: Shape])
        case array(Shape)
    }

    private static let organisationShape = Shape.object(["name": .scalar, "code": .scalar])

    /// Mirrors ``DisclosureItem``'s coding keys; a test encodes a fully
    /// populated item and compares, so the two cannot drift apart unnoticed.
    private static let itemShape = Shape.object([
        "id": .scalar, "kind": .scalar, "category": .scalar, "title": .scalar, "summary": .scalar,
        "body": .scalar,
        "attachments": .array(.object(["name": .scalar, "url": .scalar, "sha256": .scalar])),
        "publisher": .object(["name": .scalar, "code": .scalar]),
        "indexNumber": .scalar, "documentNumber": .scalar, "topic": .scalar, "genre": .scalar,
        "writtenOn": .scalar, "publishOn": .scalar, "formedOn": .scalar, "validity": .scalar,
        "attribute": .scalar, "withheldReason": .scalar, "review": .scalar,
        "relatedTo": .array(.scalar),
        "subject": .object([
            "name": .scalar, "type": .scalar, "creditCode": .scalar, "businessRegistrationNumber": .scalar,
            "organisationCode": .scalar, "taxRegistrationNumber": .scalar, "publicInstitutionCertificateNumber": .scalar,
            "socialOrganisationCertificateNumber": .scalar, "idType": .scalar, "idNumber": .scalar,
            "legalRepresentative": .scalar, "legalRepresentativeIDType": .scalar, "legalRepresentativeIDNumber": .scalar,
            "minor": .scalar,
        ]),
        "penalty": .object([
            "decisionNumber": .scalar, "violationType": .scalar, "facts": .scalar, "basis": .scalar,
            "penaltyTypes": .array(.scalar), "content": .scalar, "fineAmount": .scalar,
            "confiscatedAmount": .scalar, "suspendedOrRevokedLicence": .scalar, "decidedOn": .scalar,
            "validUntil": .scalar, "publicUntil": .scalar,
            "authority": organisationShape, "dataSource": organisationShape, "remarks": .scalar,
        ]),
        "licence": .object([
            "documentName": .scalar, "decisionNumber": .scalar, "licenceType": .scalar,
            "certificateName": .scalar, "certificateNumber": .scalar, "content": .scalar, "decidedOn": .scalar,
            "validFrom": .scalar, "validUntil": .scalar, "authority": organisationShape, "status": .scalar,
            "dataSource": organisationShape, "remarks": .scalar,
        ]),
        "commentsUntil": .scalar, "majorDecision": .scalar, "raisedOn": .scalar, "urgent": .scalar,
    ])

    /// Every key path the decoder accepts (`subject.creditCode`, `attachments[].url` …), for tests and docs.
    static var acceptedKeyPaths: Set<String> {
        var paths: Set<String> = []
        func walk(_ shape: Shape, _ path: String) {
            switch shape {
            case .scalar: paths.insert(path)
            case .array(let element): walk(element, path + "[]")
            case .object(let keys):
                if !path.isEmpty { paths.insert(path) }
                for (key, child) in keys { walk(child, path.isEmpty ? key : "\(path).\(key)") }
            }
        }
        walk(itemShape, "")
        return paths
    }

    /// The first unknown or duplicated key, depth first in document order.
    private static func firstKeyProblem(in value: JSONValue, shape: Shape, path: String) -> (String, String)? {
        switch (shape, value) {
        case (.object(let keys), .object(let pairs)):
            var seen: Set<String> = []
            for (key, child) in pairs {
                let field = path.isEmpty ? key : "\(path).\(key)"
                let place = path.isEmpty ? "" : " in \(path)"
                guard seen.insert(key).inserted else { return (field, "duplicate key \"\(key)\"\(place)") }
                guard let childShape = keys[key] else {
                    var message = "unknown field \"\(key)\"\(place)"
                    if let suggestion = suggestion(for: key, among: keys.keys) { message += "; did you mean \(suggestion)?" }
                    return (field, message)
                }
                if let problem = firstKeyProblem(in: child, shape: childShape, path: field) { return problem }
            }
        case (.array(let elementShape), .array(let elements)):
            for (index, element) in elements.enumerated() {
                if let problem = firstKeyProblem(in: element, shape: elementShape, path: "\(path)[\(index)]") {
                    return problem
                }
            }
        default:
            break  // Wrong JSON types are JSONDecoder's to report, with the expected type.
        }
        return nil
    }

    /// The accepted key a misspelt `key` most likely meant: same letters ignoring
    /// case, `_` and `-`, or within two edits.
    private static func suggestion(for key: String, among keys: Dictionary<String, Shape>.Keys) -> String? {
        func normalised(_ text: String) -> String {
            text.lowercased().filter { $0 != "_" && $0 != "-" }
        }
        let wanted = normalised(key)
        let sorted = keys.sorted()
        if let exact = sorted.first(where: { normalised($0) == wanted }) { return exact }
        var best: (key: String, distance: Int)?
        for candidate in sorted {
            let distance = editDistance(Array(wanted), Array(normalised(candidate)))
            if distance <= 2, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        guard let best, best.distance < max(2, wanted.count / 2) || best.distance == 1 else { return nil }
        return best.key
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    // MARK: - DecodingError → GongkaiError

    /// Allowed raw values of the enum-typed fields, by path without indices.
    private static let enumValues: [String: [String]] = [
        "kind": DisclosureItem.Kind.allCases.map(\.rawValue),
        "category": DisclosureItem.Category.allCases.map(\.rawValue),
        "validity": DisclosureItem.Validity.allCases.map(\.rawValue),
        "attribute": DisclosureItem.Attribute.allCases.map(\.rawValue),
        "review": DisclosureItem.Review.allCases.map(\.rawValue),
        "subject.type": DisclosureItem.SubjectType.allCases.map(\.rawValue),
        "licence.status": DisclosureItem.LicenceStatus.allCases.map(\.rawValue),
    ]

    private static func mapped(_ error: DecodingError, value: JSONValue, id: String?, prefix: String) -> GongkaiError {
        switch error {
        case .keyNotFound(let key, let context):
            let (path, _) = resolve(context.codingPath + [key], in: value)
            return GongkaiError(.missingField, "\(prefix)missing required field \"\(path)\"", item: id, field: path)
        case .valueNotFound(_, let context):
            let (path, _) = resolve(context.codingPath, in: value)
            return GongkaiError(.missingField, "\(prefix)\"\(path)\" is null; a value is required", item: id, field: path)
        case .typeMismatch(let type, let context):
            let (path, found) = resolve(context.codingPath, in: value)
            let got = found.map { ", got \($0.summary)" } ?? ""
            if let allowed = enumValues[unindexed(path)] {
                return GongkaiError(
                    .invalidField, "\(prefix)\"\(path)\" must be one of \(allowed.joined(separator: ", "))\(got)",
                    item: id, field: path)
            }
            return GongkaiError(
                .invalidField, "\(prefix)\"\(path)\" must be \(describe(type))\(got)", item: id, field: path)
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Foundation reports a number it cannot represent (1e400) for the whole document;
            // find it, so the message names the field like every other.
            if let (path, literal) = unrepresentableNumber(in: value, path: "") {
                return GongkaiError(
                    .invalidField, "\(prefix)\"\(path)\" is \(literal), a number too large to represent", item: id,
                    field: path)
            }
            return GongkaiError(.malformedJSON, "\(prefix)the item is not valid JSON: \(context.debugDescription)", item: id)
        case .dataCorrupted(let context):
            let (path, found) = resolve(context.codingPath, in: value)
            if let allowed = enumValues[unindexed(path)] {
                let shown = found?.stringValue.map { "\"\($0)\"" } ?? found?.summary ?? "value"
                return GongkaiError(
                    .invalidField,
                    "\(prefix)invalid value \(shown) for \(path); allowed: \(allowed.joined(separator: ", "))",
                    item: id, field: path)
            }
            let field = path.isEmpty ? nil : path
            return GongkaiError(
                .invalidField, "\(prefix)invalid value for \"\(path)\": \(context.debugDescription)", item: id, field: field)
        @unknown default:
            return GongkaiError(.malformedJSON, "\(prefix)\(error)", item: id)
        }
    }

    /// The first number whose literal is outside Double's range (`1e400`), with its path.
    private static func unrepresentableNumber(in value: JSONValue, path: String) -> (String, String)? {
        switch value {
        case .number(let literal):
            guard let number = Double(literal) else { return (path, literal) }
            return number.isFinite ? nil : (path, literal)
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = unrepresentableNumber(in: element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for member in members {
                let child = path.isEmpty ? member.key : path + "." + member.key
                if let found = unrepresentableNumber(in: member.value, path: child) { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// The JSON path of a coding path (`attachments[1].url`) and the value found there.
    private static func resolve(_ codingPath: [any CodingKey], in root: JSONValue) -> (String, JSONValue?) {
        var path = ""
        var current: JSONValue? = root
        for key in codingPath {
            if case .array(let elements)? = current, let index = key.intValue {
                path += "[\(index)]"
                current = elements.indices.contains(index) ? elements[index] : nil
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
                current = current?[key.stringValue]
            }
        }
        return (path, current)
    }

    private static func unindexed(_ path: String) -> String {
        var result = ""
        var inIndex = false
        for character in path {
            if character == "[" { inIndex = true } else if character == "]" { inIndex = false } else if !inIndex {
                result.append(character)
            }
        }
        return result
    }

    private static func describe(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if type == Double.self || type == Int.self || type == Float.self { return "a number" }
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        if name.hasPrefix("Dictionary") || name.contains("KeyedDecodingContainer") { return "an object" }
        return "a \(name)"
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
