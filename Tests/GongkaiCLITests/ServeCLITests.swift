import AsyncHTTPClient
import Foundation
import GongkaiCore
import GongkaiTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `gongkai token` and `gongkai serve` as an agency sets them up: a token made on the
/// command line, an item submitted over HTTP with it, seen by `gongkai status`.
@Suite("gongkai serve and tokens")
struct ServeCLITests {
    @Test func aTokenFromTheCLISubmitsOverHTTPUntilItIsRevoked() async throws {
        let directory = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("channels"), withIntermediateDirectories: true)
        try "id: hub\nkind: webhook\nendpoint: http://127.0.0.1:9/hook\nsecret:\n  env: TEST_HUB_SECRET\n"
            .write(to: directory.appendingPathComponent("channels/hub.yaml"), atomically: true, encoding: .utf8)
        let cli = CLIProcess(directory: directory, environment: ["TEST_HUB_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])

        let created = try await cli.run(["token", "create", "--name", "oa-system", "--role", "submit"])
        #expect(created.status == 0)
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("gk_"))
        let listed = try await cli.run(["token", "list", "--json"])
        #expect(listed.stdout.contains("oa-system"))
        #expect(!listed.stdout.contains(token), "token list must never print a token")

        // The server logs the port it got; read its output as it comes rather than polling a file.
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let output = OutputBuffer()
        let gather: @Sendable ([UInt8]?) -> Void = { chunk in
            guard let chunk else { return continuation.finish() }
            let text = String(decoding: chunk, as: UTF8.self)
            output.append(text)
            continuation.yield(text)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["TEST_HUB_SECRET"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let server = try ChildProcess.start(
            CLIProcess.binary.path, ["serve", "--server-port", "0", "--log-level", "info"], environment: environment,
            directory: directory.path, output: .stream(gather), error: .stream(gather))
        defer { server.signal(SIGKILL) }
        var port: Int?
        var seen = ""
        for await chunk in lines {
            seen += chunk
            if let match = seen.firstMatch(of: /port=(\d+)/) { port = Int(match.1); break }
        }
        let base = "http://127.0.0.1:\(try #require(port, "serve did not say its port: \(seen)"))"

        func post(_ body: String) async throws -> Int {
            var request = HTTPClientRequest(url: base + "/v1/items")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }
        let item = String(decoding: try JSONEncoder().encode(SampleDisclosures.notice), as: UTF8.self)
        let first = try await post(item)
        let scrape = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
        let metricsText = String(buffer: try await scrape.body.collect(upTo: 4 << 20))
        let status = try await cli.run(["status", SampleDisclosures.notice.id])
        #expect(try await cli.run(["token", "revoke", "--name", "oa-system"]).status == 0)
        let afterRevoke = try await post(item)
        let audit = try await cli.run(["audit", "--json"])
        server.terminate()
        let exitStatus = await server.exited().status

        #expect(first == 201)
        #expect(scrape.status == .ok)
        #expect(metricsText.contains("# TYPE gongkai_"), "no gongkai metric in: \(metricsText.prefix(500))")
        #expect(!metricsText.contains(token) && !metricsText.contains("whsec_"))
        #expect(status.status == 0)
        #expect(status.stdout.contains("hub"))
        #expect(afterRevoke == 401)
        #expect(exitStatus == 0, "serve should drain and exit 0 on SIGTERM")
        #expect(audit.stdout.contains("api:oa-system"))
        #expect(audit.stdout.contains("token-revoke"))
        #expect(!output.text.contains(token), "the server must never log a token")
        #expect(!audit.stdout.contains(token))
    }
}

/// The child's output, gathered on the pipe's thread.
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var storage = ""
    func append(_ text: String) { lock.withLock { storage += text } }
    var text: String { lock.withLock { storage } }
}
