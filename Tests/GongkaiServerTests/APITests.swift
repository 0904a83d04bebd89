import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiServer
import GongkaiService
import GongkaiStore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Testing

/// A real server on 127.0.0.1:0 over a temporary SQLite outbox, called over HTTP.
final class APIHarness: Sendable {
    let directory: URL
    let store: SQLiteOutboxStore
    let tokens: TokenAuthority
    let group: ServiceGroup
    let base: String
    let runTask: Task<Void, any Error>

    static let logger = Logger(label: "api-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static let channel = ChannelDefinition(
        id: "hook", kind: .webhook, endpoint: "http://127.0.0.1:9/hook", secret: .environment("API_TEST_SECRET"))
    static let secretEnvironment = ["API_TEST_SECRET": "whsec_c2VjcmV0LWZvci10ZXN0cy0wMTIzNDU2Nzg5YWI="]

    let reconciliations: ReconcileRequests
    let settings: GongkaiSettings

    /// - Parameters:
    ///   - tls: serve HTTPS with that configuration (`base` is then an https URL).
    ///   - calendar: the console's working days (deadlines on its pages).
    ///   - lastReport: written as the kept reconciliation report before the server starts.
    init(tls: TLSConfiguration? = nil, calendar: WorkCalendar? = nil, lastReport: String? = nil) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var settings = GongkaiSettings()
        settings.database = directory.appendingPathComponent("outbox.sqlite").path
        settings.reconcileLastReport = directory.appendingPathComponent("last-reconcile.json").path
        self.settings = settings
        store = try SQLiteOutboxStore(path: settings.database)
        tokens = TokenAuthority(store: store)
        if let lastReport { try lastReport.write(toFile: settings.lastReportPath, atomically: true, encoding: .utf8) }
        let console = OutboxConsole(store: store, channels: [Self.channel], actor: "api", calendar: calendar)
        var server = GongkaiServer(
            console: console, tokens: tokens, logger: Self.logger, lastReportPath: settings.lastReportPath, readiness: {})
        let store = store
        let fixed = settings
        reconciliations = ReconcileRequests { channel, repair, actor in
            try await ReconcileRun.run(
                settings: fixed, store: store, channels: [Self.channel], channelFilter: channel, repair: repair,
                actor: actor, environment: Self.secretEnvironment)
        }
        server.reconciliations = reconciliations
        server.environment = Self.secretEnvironment
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try server.application(
            address: "127.0.0.1", port: 0, tls: tls, onRunning: { port in continuation.yield(port) })
        let group = ServiceGroup(services: [app], logger: Self.logger)
        self.group = group
        runTask = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        base = "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)"
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runTask.value
        try? FileManager.default.removeItem(at: directory)
    }

    struct Reply {
        var status: Int
        var contentType: String?
        var body: [UInt8]
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    func call(
        _ method: HTTPMethod, _ path: String, token: String? = nil, body: [UInt8]? = nil,
        contentType: String? = "application/json", client: HTTPClient = .shared, base: String? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: (base ?? self.base) + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 32 << 20)
        return Reply(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
            body: Array(bytes.readableBytesView))
    }

    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, json: String) async throws -> Reply {
        try await call(method, path, token: token, body: Array(json.utf8))
    }
}

@Suite("HTTP API v1")
struct APITests {
    static func itemJSON(_ item: DisclosureItem) throws -> String {
        String(decoding: try JSONEncoder().encode(item), as: UTF8.self)
    }

    @Test func healthAndReadinessNeedNoToken() async throws {
        let api = try await APIHarness()
        let health = try await api.call(.GET, "/healthz")
        let ready = try await api.call(.GET, "/readyz")
        await api.stop()
        #expect(health.status == 200)
        #expect(health.object["status"] as? String == "ok")
        #expect(ready.status == 200)
        #expect(ready.object["status"] as? String == "ready")
    }

    @Test func noTokenIs401AndAWrongRoleIs403BothAudited() async throws {
        let api = try await APIHarness()
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "test")
        let item = try Self.itemJSON(SampleDisclosures.notice)
        let anonymous = try await api.call(.POST, "/v1/items", json: item)
        let forged = try await api.call(.POST, "/v1/items", token: "gk_000000000000_nope", json: item)
        let wrongRole = try await api.call(.POST, "/v1/items", token: reader, json: item)
        let audit = try await api.store.auditLog(itemID: nil, limit: 10)
        let stored = try await api.store.items(after: nil, limit: 10)
        await api.stop()
        #expect(anonymous.status == 401)
        #expect(anonymous.contentType == "application/problem+json")
        #expect(anonymous.object["code"] as? String == "unauthorized")
        #expect(forged.status == 401)
        #expect(wrongRole.status == 403)
        #expect(wrongRole.object["code"] as? String == "forbidden")
        let refusals = audit.filter { $0.action == "api-refused" }
        #expect(refusals.count == 3)
        #expect(refusals.allSatisfy { $0.detail?.contains("127.0.0.1") == true })
        #expect(refusals.contains { $0.actor == "api:auditor" })
        // The token never reaches the audit log, not even a forged one.
        #expect(!audit.contains { ($0.detail ?? "").contains("gk_") || ($0.detail ?? "").contains(reader) })
        #expect(stored.isEmpty)
    }

    @Test func submitStoresAllOrNothingAndAuditsTheTokensName() async throws {
        let api = try await APIHarness()
        let (submitter, _) = try await api.tokens.create(name: "oa-system", role: .submit, actor: "test")
        let notice = try Self.itemJSON(SampleDisclosures.notice)
        let created = try await api.call(.POST, "/v1/items", token: submitter, json: "[\(notice)]")
        let again = try await api.call(.POST, "/v1/items", token: submitter, json: notice)
        var bad = SampleDisclosures.licence
        bad.subject?.creditCode = "91110000MA01ABCDE0"
        let mixed = try await api.call(
            .POST, "/v1/items", token: submitter,
            json: "[\(try Self.itemJSON(SampleDisclosures.policy)), \(try Self.itemJSON(bad))]")
        let malformed = try await api.call(.POST, "/v1/items", token: submitter, json: "{\"id\": ")
        let invalidUTF8 = try await api.call(.POST, "/v1/items", token: submitter, body: [0x7B, 0xFF, 0xFE, 0x7D])
        let wrongType = try await api.call(.POST, "/v1/items", token: submitter, body: Array(notice.utf8), contentType: "text/plain")
        let oversized = try await api.call(
            .POST, "/v1/items", token: submitter, body: [UInt8](repeating: 0x20, count: GongkaiServer.maxBodyBytes + 1))
        let stored = try await api.store.items(after: nil, limit: 10)
        let audit = try await api.store.auditLog(itemID: SampleDisclosures.notice.id, limit: 10)
        await api.stop()

        #expect(created.status == 201)
        let outcome = (created.json as? [[String: Any]])?.first
        #expect(outcome?["change"] as? String == "created")
        #expect(outcome?["version"] as? Int == 1)
        #expect(((again.json as? [[String: Any]])?.first?["change"] as? String) == "unchanged")
        #expect(mixed.status == 422)
        #expect(mixed.contentType == "application/problem+json")
        #expect((mixed.object["issues"] as? [[String: Any]])?.contains { ($0["field"] as? String)?.contains("creditCode") == true } == true
            || (mixed.object["field"] as? String)?.contains("creditCode") == true)
        #expect(malformed.status == 400)
        #expect(malformed.object["code"] as? String == "malformed-json")
        #expect(invalidUTF8.status == 400)
        #expect(wrongType.status == 415)
        #expect(wrongType.object["field"] as? String == "Content-Type")
        #expect(oversized.status == 413)
        #expect(oversized.object["field"] as? String == "body", "\(String(decoding: oversized.body, as: UTF8.self)) \(oversized.contentType ?? "-")")
        // Only the notice: the policy beside the bad licence was not stored either.
        #expect(stored.map(\.id) == [SampleDisclosures.notice.id])
        #expect(audit.contains { $0.actor == "api:oa-system" })
    }

    @Test func operatorsWithdrawWithAReasonAndReadersSeeTheItem() async throws {
        let api = try await APIHarness()
        let (submitter, _) = try await api.tokens.create(name: "cms", role: .submit, actor: "test")
        let (ops, _) = try await api.tokens.create(name: "ops", role: .operate, actor: "test")
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "test")
        let id = SampleDisclosures.notice.id
        _ = try await api.call(.POST, "/v1/items", token: submitter, json: try Self.itemJSON(SampleDisclosures.notice))
        let item = try await api.call(.GET, "/v1/items/\(id)", token: reader)
        let missing = try await api.call(.GET, "/v1/items/no-such-item", token: reader)
        let submitterMayNotWithdraw = try await api.call(.POST, "/v1/items/\(id)/withdraw", token: submitter, json: "{\"reason\":\"x\"}")
        let noReason = try await api.call(.POST, "/v1/items/\(id)/withdraw", token: ops, json: "{}")
        let withdrawn = try await api.call(.POST, "/v1/items/\(id)/withdraw", token: ops, json: "{\"reason\":\"发布有误\"}")
        let page = try await api.call(.GET, "/v1/deliveries?channel=hook&limit=10", token: reader)
        let unknownChannel = try await api.call(.GET, "/v1/deliveries?channel=nope", token: reader)
        let audit = try await api.store.auditLog(itemID: id, limit: 10)
        await api.stop()

        #expect(item.status == 200)
        #expect((item.object["item"] as? [String: Any])?["id"] as? String == id)
        #expect((item.object["deliveries"] as? [[String: Any]])?.first?["channelID"] as? String == "hook")
        #expect(missing.status == 404)
        #expect(missing.object["item"] as? String == "no-such-item")
        #expect(submitterMayNotWithdraw.status == 403)
        #expect(noReason.status == 422)
        #expect(noReason.object["field"] as? String == "reason")
        #expect(withdrawn.status == 200)
        #expect(page.status == 200)
        #expect((page.object["deliveries"] as? [[String: Any]])?.count == 1)
        #expect(unknownChannel.status == 404)
        #expect(unknownChannel.object["code"] as? String == "unknown-channel")
        #expect(audit.contains { $0.actor == "api:ops" && $0.action.contains("withdraw") })
    }

    @Test func aRevokedTokenIsRefused() async throws {
        let api = try await APIHarness()
        let (reader, _) = try await api.tokens.create(name: "temp", role: .read, actor: "test")
        let before = try await api.call(.GET, "/v1/channels", token: reader)
        try await api.tokens.revoke(name: "temp", actor: "test")
        let after = try await api.call(.GET, "/v1/channels", token: reader)
        await api.stop()
        #expect(before.status == 200)
        #expect(after.status == 401)
    }

    @Test func unknownRoutesAreProblemsToo() async throws {
        let api = try await APIHarness()
        let reply = try await api.call(.GET, "/v1/nothing-here")
        await api.stop()
        #expect(reply.status == 404)
        #expect(reply.contentType == "application/problem+json")
    }
}
