import AsyncHTTPClient
import Foundation
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import NIOHTTP1

/// A running simulator plus a real HTTP client that signs like gongkai does.
struct SimulatorHarness {
    struct Reply {
        var status: Int
        var body: String
        var headers: HTTPHeaders
    }

    let simulator: WebhookSimulator
    let client: HTTPClient
    let secret: StandardWebhookSecret

    /// Runs `body` against a fresh simulator and client and shuts both down
    /// afterwards, also when `body` throws, so no test leaks a server.
    static func run<T>(
        toleranceSeconds: Int64 = 300, maxBodyBytes: Int = 4 << 20, recordBodies: Bool = true,
        _ body: (SimulatorHarness) async throws -> T
    ) async throws -> T {
        let secret = StandardWebhookSecret.generate()
        var logger = Logger(label: "gongkai.test.webhook-simulator")
        logger.logLevel = .warning
        let simulator = WebhookSimulator(
            secret: secret, toleranceSeconds: toleranceSeconds, maxBodyBytes: maxBodyBytes,
            recordBodies: recordBodies, logger: logger
        )
        try await simulator.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let harness = SimulatorHarness(simulator: simulator, client: client, secret: secret)
        do {
            let result = try await body(harness)
            try await client.shutdown()
            await simulator.stop()
            return result
        } catch {
            try? await client.shutdown()
            await simulator.stop()
            throw error
        }
    }

    static func newWebhookID() -> String {
        "msg_\(UInt64.random(in: 0...UInt64.max))"
    }

    static func now() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }

    /// POSTs `body` signed with the simulator's secret unless `signature` overrides it.
    func post(
        _ body: String, webhookID: String = SimulatorHarness.newWebhookID(), timestamp: Int64 = SimulatorHarness.now(),
        signature: String? = nil, omitting omittedHeader: String? = nil, timeout: TimeAmount = .seconds(10)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: simulator.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        let headers = [
            ("webhook-id", webhookID),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature ?? secret.signature(id: webhookID, timestamp: timestamp, body: Array(body.utf8))),
        ]
        for (name, value) in headers where name != omittedHeader {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes), headers: response.headers)
    }
}
