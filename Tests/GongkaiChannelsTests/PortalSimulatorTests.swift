import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiSimulators
import NIOCore
import NIOHTTP1
import Testing

/// The portal simulator's own rules, driven with hand-made requests.
@Suite("Portal CMS simulator")
struct PortalSimulatorTests {
    static let token = "portal-token-3f9a1c7e"

    struct Answer {
        var status: Int
        var json: [String: Any]?
        var headers: HTTPHeaders
    }

    static func send(
        _ client: HTTPClient, _ simulator: PortalSimulator, method: HTTPMethod = .GET, path: String,
        authorization: String? = "Bearer " + token, contentType: String = "application/json", body: [String: Any]? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: simulator.endpoint + path)
        request.method = method
        if let authorization { request.headers.add(name: "authorization", value: authorization) }
        if let body {
            request.headers.add(name: "content-type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: PlatformHTTP.jsonBody(body)))
        }
        let response = try await client.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
        return Answer(status: Int(response.status.code), json: json, headers: response.headers)
    }

    static func article() -> [String: Any] {
        [
            "column": "zcwj", "title": "标题", "content": "<p>正文</p>", "publishDate": "2026-03-05", "version": 1,
            "contentHash": String(repeating: "b", count: 64),
        ]
    }

    @Test("auth, media type, fields and paging are enforced strictly")
    func strictness() async throws {
        let simulator = PortalSimulator(token: Self.token, logger: PublishingHarness.logger)
        try await simulator.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await checks(client, simulator)
        } catch {
            try? await client.shutdown()
            await simulator.stop()
            throw error
        }
        try await client.shutdown()
        await simulator.stop()
    }

    private func checks(_ client: HTTPClient, _ simulator: PortalSimulator) async throws {

        let anonymous = try await Self.send(client, simulator, path: "/articles?column=zcwj", authorization: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.headers.first(name: "www-authenticate")?.contains("invalid_token") == true)
        let basic = try await Self.send(client, simulator, path: "/articles?column=zcwj", authorization: "Basic " + Self.token)
        #expect(basic.status == 401)

        let form = try await Self.send(
            client, simulator, method: .PUT, path: "/articles/gk-a", contentType: "text/plain", body: Self.article())
        #expect(form.status == 415)

        var noHash = Self.article()
        noHash["contentHash"] = "abc"
        let badHash = try await Self.send(client, simulator, method: .PUT, path: "/articles/gk-a", body: noHash)
        #expect(badHash.status == 422)
        #expect(badHash.json?["field"] as? String == "contentHash")

        let badID = try await Self.send(client, simulator, method: .PUT, path: "/articles/gk%20a", body: Self.article())
        #expect(badID.json?["field"] as? String == "externalId")

        let created = try await Self.send(client, simulator, method: .PUT, path: "/articles/gk-a", body: Self.article())
        #expect(created.status == 201)
        let replaced = try await Self.send(client, simulator, method: .PUT, path: "/articles/gk-a", body: Self.article())
        #expect(replaced.status == 200)
        #expect(replaced.json?["id"] as? String == created.json?["id"] as? String)

        let tooLarge = try await Self.send(client, simulator, path: "/articles?column=zcwj&pageSize=101")
        #expect(tooLarge.json?["field"] as? String == "pageSize")
        let noColumn = try await Self.send(client, simulator, path: "/articles")
        #expect(noColumn.json?["field"] as? String == "column")

        #expect(simulator.rejectedCounts["unauthorized"] == 2)
        #expect(simulator.createdCount == 1)
    }
}
