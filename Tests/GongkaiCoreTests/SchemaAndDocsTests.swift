import Foundation
import Testing
@testable import GongkaiCore

/// The schema and the field documentation must describe what the code accepts.
@Suite struct SchemaAndDocsTests {
    let schema: [String: Any]

    init() throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("schema/disclosure-item.schema.json"))
        schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Follows `$ref` and the non-null branch of `anyOf`.
    func resolved(_ node: [String: Any]) -> [String: Any] {
        if let ref = node["$ref"] as? String, ref.hasPrefix("#/$defs/"),
            let defs = schema["$defs"] as? [String: Any],
            let target = defs[String(ref.dropFirst("#/$defs/".count))] as? [String: Any]
        {
            return resolved(target)
        }
        if let options = node["anyOf"] as? [[String: Any]],
            let option = options.first(where: { ($0["type"] as? String) != "null" })
        {
            return resolved(option)
        }
        return node
    }

    @Test func schemaHasExactlyTheDecodersKeys() {
        var paths: Set<String> = []
        func walk(_ node: [String: Any], _ path: String) {
            let node = resolved(node)
            if let properties = node["properties"] as? [String: Any] {
                #expect(node["additionalProperties"] as? Bool == false, "\(path) must forbid additional properties")
                if !path.isEmpty { paths.insert(path) }
                for (key, child) in properties {
                    walk(child as! [String: Any], path.isEmpty ? key : "\(path).\(key)")
                }
            } else if let items = node["items"] as? [String: Any] {
                walk(items, path + "[]")
            } else {
                paths.insert(path)
            }
        }
        walk(schema, "")
        #expect(paths == ItemDecoding.acceptedKeyPaths)
    }

    @Test func schemaEnumsMatchTheModel() {
        func values(_ path: [String]) -> [String] {
            var node = schema
            for key in path {
                node = resolved((node["properties"] as! [String: Any])[key] as! [String: Any])
            }
            return node["enum"] as? [String] ?? []
        }
        #expect(values(["kind"]) == DisclosureItem.Kind.allCases.map(\.rawValue))
        #expect(values(["category"]) == DisclosureItem.Category.allCases.map(\.rawValue))
        #expect(values(["validity"]) == DisclosureItem.Validity.allCases.map(\.rawValue))
        #expect(values(["attribute"]) == DisclosureItem.Attribute.allCases.map(\.rawValue))
        #expect(values(["review"]) == DisclosureItem.Review.allCases.map(\.rawValue))
        #expect(values(["subject", "type"]) == DisclosureItem.SubjectType.allCases.map(\.rawValue))
        #expect(values(["licence", "licenceType"]) == ItemValidator.licenceTypes)
    }

    @Test(arguments: ["docs/disclosure-item.md", "README.md"])
    func docsExampleDecodesAndValidates(file: String) throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(file), encoding: .utf8)
        let start = try #require(text.range(of: "```json\n"))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let example = String(text[start.upperBound..<end.lowerBound])
        let items = try ItemDecoding.decodeSubmission(Array(example.utf8))
        #expect(items.count == 1)
        let item = try #require(items.first)
        #expect(item.kind == .penalty)
        try ItemValidator.validate(item, today: testToday)
        #expect(item == SampleDisclosures.penaltyOnNaturalPerson)
    }

    @Test func optionalKeysMayBeNull() throws {
        let text = jsonText(SampleDisclosures.policy) { object in
            for key in ["summary", "attachments", "genre", "formedOn", "withheldReason", "relatedTo", "subject", "penalty", "licence"] {
                object[key] = NSNull()
            }
        }
        let item = try #require(try ItemDecoding.decodeSubmission(jsonBytes(text)).first)
        #expect(item.summary == nil && item.subject == nil && item.formedOn == nil)
    }
}
