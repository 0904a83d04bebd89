import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiSimulators
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A recording proxy in front of a simulator: the adapter talks to the tap,
/// the tap keeps each request as it arrived and passes it on unchanged, so a
/// test can read the exact bodies an adapter sent while the simulator still
/// judges them and answers.
struct RequestTap {
    private let log: RequestLog
    private let server: SimulatorHTTPServer

    /// Starts a tap in front of `target`, a simulator's `baseURL` (scheme, host and port).
    static func start(in front: String, logger: Logger) async throws -> RequestTap {
        let log = RequestLog(target: front)
        let tap = RequestTap(log: log, server: SimulatorHTTPServer(endpoint: log, logger: logger))
        try await tap.server.start()
        return tap
    }

    /// The simulator URL `url` as reached through the tap.
    func tapped(_ url: String) -> String {
        precondition(url.hasPrefix(log.target), "\(url) is not on \(log.target)")
        return server.baseURL + url.dropFirst(log.target.count)
    }

    /// Requests received so far whose path ends with `suffix`, oldest first.
    func requests(endingWith suffix: String) -> [SimulatorRequest] {
        log.recorded.withLock { $0.filter { $0.path.hasSuffix(suffix) } }
    }

    func stop() async {
        await server.stop()
        try? await log.client.shutdown()
    }
}

/// The tap's endpoint: records, then forwards to the simulator.
private final class RequestLog: SimulatorEndpoint {
    let target: String
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let recorded = Mutex<[SimulatorRequest]>([])

    init(target: String) {
        self.target = target
    }

    func respond(to request: SimulatorRequest) async -> SimulatorResponse {
        recorded.withLock { $0.append(request) }
        // The simulators read only the decoded query, so re-encoding it in sorted order loses nothing.
        let query = request.query.sorted { $0.key < $1.key }.map { key, value in
            Self.encoded(key) + "=" + Self.encoded(value)
        }
        var outgoing = HTTPClientRequest(url: target + request.path + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        outgoing.method = request.method
        for (name, value) in request.headers where !["host", "content-length", "connection"].contains(name.lowercased()) {
            outgoing.headers.add(name: name, value: value)
        }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        do {
            let response = try await client.execute(outgoing, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 4 << 20)
            var headers = response.headers
            headers.remove(name: "content-length")
            headers.remove(name: "connection")
            return SimulatorResponse(status: response.status, headers: headers, body: Array(body.readableBytesView))
        } catch {
            return SimulatorResponse(status: .badGateway, body: Array("tap: \(error)".utf8))
        }
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

extension SimulatorRequest {
    /// The body's top-level JSON keys.
    var jsonKeys: Set<String> { Set(json?.keys.map { $0 } ?? []) }

    /// The body's form fields (`application/x-www-form-urlencoded`), in order.
    var formFields: [(String, String)] {
        bodyText.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }
}
