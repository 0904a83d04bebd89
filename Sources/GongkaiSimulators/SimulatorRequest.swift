import Foundation
public import NIOHTTP1

/// One complete request, as a platform simulator sees it.
public struct SimulatorRequest: Sendable {
    public var method: HTTPMethod
    /// The path without the query string.
    public var path: String
    /// Query parameters, percent-decoded; the last value wins.
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.headers = headers
        self.body = body
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let raw = kv.count == 2 ? String(kv[1]).replacingOccurrences(of: "+", with: " ") : ""
                query[key] = raw.removingPercentEncoding ?? raw
            }
        }
        self.query = query
    }

    /// The body as a JSON object, or nil when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What a simulator answers.
public struct SimulatorResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Answer only after this long (a slow platform; past the client's deadline it is a timeout).
    public var delay: Duration?
    /// Close the connection without answering.
    public var drop: Bool

    public init(
        status: HTTPResponseStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = [], delay: Duration? = nil,
        drop: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.drop = drop
    }

    /// A JSON answer (sorted keys, so tests can compare bodies).
    public static func json(_ object: [String: Any], status: HTTPResponseStatus = .ok) -> SimulatorResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        return SimulatorResponse(status: status, headers: headers, body: Array(data))
    }

    /// Close without answering.
    public static let dropped = SimulatorResponse(drop: true)
}

/// A platform's rules: turns each request into an answer. Simulators keep
/// their state behind locks, so one endpoint serves all connections.
public protocol SimulatorEndpoint: Sendable {
    func respond(to request: SimulatorRequest) async -> SimulatorResponse
}
