import Foundation
import GongkaiServer
import HTTPTypes
import Testing
import Yams

/// The OpenAPI document is the contract: every route the server registers is in it, and
/// every operation in it is a route.
@Suite("OpenAPI document")
struct OpenAPIContractTests {
    @Test func describesExactlyTheRoutesTheServerHas() throws {
        let document = try #require(try Yams.load(yaml: try OpenAPIDocument.text()) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var documented = Set<String>()
        for (path, value) in paths {
            for method in (value as? [String: Any] ?? [:]).keys
            where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let served = Set(APIRoutes.all.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
    }

    @Test func everyTokenRouteDocumentsItsRefusals() throws {
        let document = try #require(try Yams.load(yaml: try OpenAPIDocument.text()) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for route in APIRoutes.all where !route.roles.isEmpty {
            let operation = try #require(paths[route.path]?[route.method.rawValue.lowercased()] as? [String: Any])
            let responses = try #require(operation["responses"] as? [String: Any])
            #expect(responses["401"] != nil && responses["403"] != nil, "\(route.method) \(route.path) lacks 401/403")
        }
    }
}
