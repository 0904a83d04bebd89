import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import NIOCore
import NIOHTTP1
import Testing

/// The platform simulator's own rules, driven with hand-made requests.
@Suite("Provincial platform simulator")
struct PlatformSimulatorTests {
    static let appKey = "gk-app-2201"
    static let secret = "platform-secret-9c41d2"

    struct Answer {
        var status: Int
        var code: Int?
        var data: [String: Any]?
    }

    /// Sends one request signed by hand (or not, or badly), and reads the envelope.
    static func send(
        _ client: HTTPClient, _ simulator: PlatformSimulator, method: HTTPMethod = .GET, path: String,
        query: [(String, String)] = [], body: [UInt8]? = nil, timestamp: Int64? = nil, nonce: String? = nil,
        secret: String = secret, signedBody: [UInt8]? = nil, sentQuery: [(String, String)]? = nil, omit: String? = nil
    ) async throws -> Answer {
        func target(_ query: [(String, String)]) -> String {
            "/api/v1" + path + (query.isEmpty ? "" : "?" + PercentEncoding.canonicalQuery(query))
        }
        let signer = PlatformRequestSigner(appKey: appKey, appSecret: secret)
        let headers = signer.headers(
            method: method.rawValue, target: target(query), body: signedBody ?? body ?? [],
            now: timestamp ?? SystemWallClock().now(), nonce: nonce ?? PlatformRequestSigner.newNonce())
        var request = HTTPClientRequest(url: simulator.baseURL + target(sentQuery ?? query))
        request.method = method
        for (name, value) in headers where name != omit { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
        return Answer(status: Int(response.status.code), code: json?["code"] as? Int, data: json?["data"] as? [String: Any])
    }

    static func withSimulator(_ body: (HTTPClient, PlatformSimulator) async throws -> Void) async throws {
        let simulator = PlatformSimulator(appKey: appKey, appSecret: secret, logger: PublishingHarness.logger)
        try await simulator.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(client, simulator)
        } catch {
            try? await client.shutdown()
            await simulator.stop()
            throw error
        }
        try await client.shutdown()
        await simulator.stop()
    }

    static let ping: [(String, String)] = [("siteCode", "jl-lcj")]

    @Test("a correctly signed ping is answered with code 0")
    func ping() async throws {
        try await Self.withSimulator { client, simulator in
            let answer = try await Self.send(client, simulator, path: "/ping", query: Self.ping)
            #expect(answer.status == 200)
            #expect(answer.code == 0)
            #expect(answer.data?["siteCode"] as? String == "jl-lcj")
        }
    }

    /// Margins are wide (±400 s against a ±300 s window) so a loaded machine's delay between
    /// building and checking a request cannot carry a stale timestamp back inside the window.
    @Test("a timestamp more than 5 minutes off is refused with 40102, either way")
    func staleTimestamp() async throws {
        try await Self.withSimulator { client, simulator in
            let now = SystemWallClock().now()
            let old = try await Self.send(client, simulator, path: "/ping", query: Self.ping, timestamp: now - 400_000)
            let future = try await Self.send(client, simulator, path: "/ping", query: Self.ping, timestamp: now + 400_000)
            let seconds = try await Self.send(client, simulator, path: "/ping", query: Self.ping, timestamp: now / 1000)
            let edge = try await Self.send(client, simulator, path: "/ping", query: Self.ping, timestamp: now - 200_000)
            #expect(old.code == 40102)
            #expect(old.status == 401)
            #expect(future.code == 40102)
            #expect(seconds.code == 40102)
            #expect(edge.code == 0)
            #expect(simulator.rejectedCounts["stale-timestamp"] == 3)
        }
    }

    @Test("a replayed nonce is refused with 40103, even with a fresh signature")
    func replayedNonce() async throws {
        try await Self.withSimulator { client, simulator in
            let nonce = PlatformRequestSigner.newNonce()
            let first = try await Self.send(client, simulator, path: "/ping", query: Self.ping, nonce: nonce)
            let replay = try await Self.send(client, simulator, path: "/ping", query: Self.ping, nonce: nonce)
            #expect(first.code == 0)
            #expect(replay.code == 40103)
            #expect(simulator.rejectedCounts["replayed-nonce"] == 1)
        }
    }

    @Test("a wrong secret, a body other than the signed one, or a missing header are refused")
    func badSignatures() async throws {
        try await Self.withSimulator { client, simulator in
            let wrongSecret = try await Self.send(client, simulator, path: "/ping", query: Self.ping, secret: "guess")
            #expect(wrongSecret.code == 40101)
            let body = PlatformHTTP.jsonBody(["siteCode": "jl-lcj", "title": "x"])
            let swapped = try await Self.send(
                client, simulator, method: .PUT, path: "/documents/gk-a", body: body, signedBody: Array("{}".utf8))
            #expect(swapped.code == 40101)
            let unsigned = try await Self.send(client, simulator, path: "/ping", query: Self.ping, omit: "x-signature")
            #expect(unsigned.code == 40100)
            #expect(unsigned.data?["field"] as? String == "X-Signature")
            // The query is signed too: a page changed after signing fails.
            let changedPage = try await Self.send(
                client, simulator, path: "/documents", query: [("page", "1"), ("siteCode", "jl-lcj")],
                sentQuery: [("page", "2"), ("siteCode", "jl-lcj")])
            #expect(changedPage.code == 40101)
            #expect(simulator.rejectedCounts["invalid-signature"] == 3)
            #expect(simulator.documents().isEmpty)
        }
    }

    @Test("a document without 体裁分类 is refused with 42201 naming the field")
    func missingCatalogueField() async throws {
        try await Self.withSimulator { client, simulator in
            var catalogue: [String: Any] = [
                "indexNumber": "013544285/2026-00012", "publisher": "吉林省林业和草原局", "topic": "农业、林业、水利",
                "writtenOn": "2026-03-02", "publishOn": "2026-03-05", "validity": "有效", "attribute": "主动公开",
            ]
            var document: [String: Any] = [
                "siteCode": "jl-lcj", "title": "标题", "content": "<p>正文</p>", "version": 1,
                "contentHash": String(repeating: "a", count: 64), "catalogue": catalogue,
            ]
            let refused = try await Self.send(
                client, simulator, method: .PUT, path: "/documents/gk-a", body: PlatformHTTP.jsonBody(document))
            #expect(refused.status == 422)
            #expect(refused.code == 42201)
            #expect(refused.data?["field"] as? String == "catalogue.genre")
            #expect(refused.data?["label"] as? String == "体裁分类")

            catalogue["genre"] = "通知"
            catalogue["attribute"] = "不予公开"
            document["catalogue"] = catalogue
            let invalid = try await Self.send(
                client, simulator, method: .PUT, path: "/documents/gk-a", body: PlatformHTTP.jsonBody(document))
            #expect(invalid.code == 42202)
            #expect(invalid.data?["field"] as? String == "catalogue.attribute")

            catalogue["attribute"] = "主动公开"
            document["catalogue"] = catalogue
            let accepted = try await Self.send(
                client, simulator, method: .PUT, path: "/documents/gk-a", body: PlatformHTTP.jsonBody(document))
            #expect(accepted.code == 0)
            #expect(simulator.documents().count == 1)
        }
    }

    @Test("an app key may only reach its own sites (40301)")
    func foreignSite() async throws {
        try await Self.withSimulator { client, simulator in
            let answer = try await Self.send(client, simulator, path: "/documents", query: [("siteCode", "other")])
            #expect(answer.code == 40301)
            #expect(answer.status == 403)
        }
    }
}
