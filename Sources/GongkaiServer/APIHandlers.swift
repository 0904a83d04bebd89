import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiMonitoring
import GongkaiService
import GongkaiStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The handlers behind ``APIRoutes``: read the request, call a use case, write JSON.
struct APIHandlers: Sendable {
    let server: GongkaiServer

    var console: OutboxConsole { server.console }

    // MARK: - Who is calling

    func authenticate(_ request: Request, context: APIRequestContext, roles: Set<APIRole>) async throws -> APICaller {
        let header = request.headers[.authorization] ?? ""
        let bearer = header.hasPrefix("Bearer ") ? String(header.dropFirst("Bearer ".count)) : ""
        let what = "\(request.method) \(request.uri.path) from \(context.remoteAddress)"
        guard !bearer.isEmpty, let token = try await server.tokens.verify(bearer) else {
            try await refuse("anonymous", header.isEmpty ? "no token: \(what)" : "bad token: \(what)")
            throw Problem(.unauthorized, code: "unauthorized", detail: "a valid bearer token is required", field: "Authorization")
        }
        guard roles.contains(token.role) else {
            try await refuse(token.name, "role \(token.role.rawValue) may not: \(what)")
            throw Problem(
                .forbidden, code: "forbidden",
                detail: "the \(token.role.rawValue) role may not do this; it needs \(roles.map(\.rawValue).sorted().joined(separator: " or "))",
                field: "Authorization")
        }
        return APICaller(name: token.name, role: token.role)
    }

    private func refuse(_ who: String, _ detail: String) async throws {
        try await server.tokens.store.auditRefusal(actor: "api:\(who)", detail: detail, now: console.clock.now())
    }

    private func acting(_ context: APIRequestContext) -> OutboxConsole {
        console.acting(as: context.caller?.actor ?? "api:anonymous")
    }

    // MARK: - Monitoring

    func healthz(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        json(["status": "ok"])
    }

    /// Ready or not, and nothing more: the reason goes to the log, not to whoever asks.
    func readyz(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        do {
            try await server.readiness()
            guard !console.channels.isEmpty else {
                throw GongkaiError(.configuration, "no channel files loaded", field: "channels")
            }
            return json(["status": "ready"])
        } catch {
            server.logger.warning("not ready", metadata: ["error": "\(error)"])
            return json(["status": "not-ready"], status: .serviceUnavailable)
        }
    }

    /// Prometheus text format from the registry alone: a scrape never queries the store.
    func metrics(_ request: Request, _ context: APIRequestContext) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = GongkaiMetrics.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: server.metrics.render())))
    }

    func openAPI(_ request: Request, _ context: APIRequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.text())))
    }

    // MARK: - Items

    /// One item, an array, or JSON Lines: all or nothing, as `gongkai submit`.
    func submit(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let type = try mediaType(request, allowed: ["application/json", "application/x-ndjson", "application/jsonl"])
        _ = type
        let bytes = try await body(request, context)
        let outcomes = try await acting(context).submit(bytes)
        return json(outcomes, status: .created)
    }

    func item(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let (item, deliveries) = try await console.itemStatus(id)
        let deadlines = try await console.deadlines(of: item, deliveries)
        return json(
            MachineJSON.ItemStatus(
                item: item, deliveries: deliveries, deadlines: deadlines, blockers: console.portalBlockers(of: deliveries)))
    }

    func attempts(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await console.itemStatus(id)
        let channel = request.uri.queryParameters["channel"].map(String.init)
        if let channel { _ = try console.channel(channel) }
        return json(MachineJSON.Attempt.list(try await console.store.attempts(itemID: id, channelID: channel)))
    }

    func withdraw(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        struct Body: Decodable { var reason: String }
        let id = try context.parameters.require("id")
        let body = try await decode(Body.self, request, context)
        return json(MachineJSON.Delivery.list(try await acting(context).withdraw(itemID: id, reason: body.reason)))
    }

    func approve(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        return json(MachineJSON.Delivery.list(try await acting(context).approve(itemID: id)))
    }

    func resend(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        struct Body: Decodable {
            var channel: String?
            var force: Bool?
        }
        let id = try context.parameters.require("id")
        let body = try await decode(Body.self, request, context, emptyAllowed: true) ?? Body()
        if let channel = body.channel { _ = try console.channel(channel) }
        return json(MachineJSON.Delivery.list(try await acting(context).resend(itemID: id, channelID: body.channel, force: body.force ?? false)))
    }

    // MARK: - Deliveries, channels, audit

    /// Keyset pages ordered by item then channel; `cursor` is the last item id of the previous page.
    /// A page never ends inside an item, so no delivery is skipped between pages.
    func deliveries(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let channel = query["channel"].map(String.init)
        if let channel { _ = try console.channel(channel) }
        let states = try query.getAll("state").map { try Parse.state(String($0)) }
        let limit = try intParameter(query["limit"].map(String.init), name: "limit", default: 100, range: 1...1_000)
        var rows = try await console.store.deliveries(
            DeliveryFilter(
                channelID: channel, states: states.isEmpty ? nil : states, limit: limit + 1,
                afterItemID: query["cursor"].map(String.init)))
        var next: String?
        if rows.count > limit {
            rows.removeLast(rows.count - limit)
            if channel == nil, let last = rows.last?.itemID, rows.contains(where: { $0.itemID != last }) {
                rows.removeAll { $0.itemID == last }
            }
            next = rows.last?.itemID
        }
        return json(DeliveryPage(deliveries: MachineJSON.Delivery.list(rows), nextCursor: next))
    }

    func channels(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        return json(try await console.channelViews())
    }

    func pause(_ request: Request, _ context: APIRequestContext, paused: Bool) async throws -> Response {
        struct Body: Decodable { var reason: String? }
        let id = try context.parameters.require("id")
        _ = try console.channel(id)
        let body = try await decode(Body.self, request, context, emptyAllowed: true)
        try await acting(context).setPaused(id, paused: paused, reason: body?.reason)
        return json(["channel": id, "state": paused ? "paused" : "running"])
    }

    /// Re-queues a channel's dead (or retrying) deliveries, as `gongkai recover`.
    func recover(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        struct Body: Decodable {
            var states: [String]?
            var since: String?
        }
        let id = try context.parameters.require("id")
        _ = try console.channel(id)
        let body = try await decode(Body.self, request, context, emptyAllowed: true) ?? Body()
        let states = try (body.states ?? ["dead"]).map { try Parse.state($0, field: "states") }
        guard !states.isEmpty else {
            throw GongkaiError(.invalidField, "states must name at least one state: dead or retrying", channel: id, field: "states")
        }
        let since = try body.since.map { try Parse.time($0, now: console.clock.now(), field: "since") }
        let count = try await acting(context).recover(channelID: id, states: states, since: since)
        return json(MachineJSON.Recovered(channel: id, requeued: count))
    }

    /// Checks a channel's configuration, credentials and reachability without publishing, as
    /// `gongkai channels test`; `200` whatever the checks found, which they say each.
    func testChannel(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let definition = try console.channel(id)
        return json(await ChannelTester.test(definition, environment: server.environment))
    }

    /// Starts a reconciliation: `202` with where its status will be.
    func startReconciliation(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        struct Body: Decodable {
            var channel: String?
            var repair: Bool?
        }
        guard let reconciliations = server.reconciliations else {
            throw GongkaiError(.conflict, "this server does not run reconciliations", field: "reconcile")
        }
        let body = try await decode(Body.self, request, context, emptyAllowed: true) ?? Body()
        if let channel = body.channel { _ = try console.channel(channel) }
        let run = try await reconciliations.start(
            channel: body.channel, repair: body.repair ?? false, actor: context.caller?.actor ?? "api:anonymous")
        var response = json(run, status: .accepted)
        response.headers[.location] = "/v1/reconcile/runs/\(run.id)"
        return response
    }

    func reconciliation(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let run = await server.reconciliations?.run(id: id) else {
            throw Problem(
                .notFound, code: "unknown-reconciliation",
                detail: "no reconciliation \(id) in this process (runs are remembered until it restarts)", field: "id")
        }
        return json(run)
    }

    func audit(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try intParameter(query["limit"].map(String.init), name: "limit", default: 100, range: 1...1_000)
        return json(MachineJSON.AuditEntry.list(try await console.store.auditLog(itemID: query["item"].map(String.init), limit: limit)))
    }

    /// The counts of the 政府信息公开工作年度报告, as `gongkai report annual --format json`.
    func annualReport(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let report = try await AnnualReport.build(
            year: try reportYear(request), store: console.store, channels: console.channels, calendar: console.calendar,
            policy: console.deadlines, now: console.clock.now())
        return json(report)
    }

    /// Part 二 of the national annual-report template with gongkai's appendix, as
    /// `gongkai report annual --format gov-json`.
    func govAnnualReport(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let report = try await GovAnnualReport.build(
            year: try reportYear(request), store: console.store, channels: console.channels, calendar: console.calendar,
            policy: console.deadlines, now: console.clock.now())
        return json(report)
    }

    /// The required `year` query parameter of the annual reports.
    private func reportYear(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["year"].map(String.init) else {
            throw GongkaiError(.missingField, "year is required, e.g. ?year=2026", field: "year")
        }
        return try intParameter(text, name: "year", default: 0, range: 2000...9999)
    }

    /// The report the last full reconciliation kept (the daemon's or `gongkai reconcile`'s).
    func lastReconciliation(_ request: Request, _ context: APIRequestContext) throws -> Response {
        guard let path = server.lastReportPath else {
            throw GongkaiError(.conflict, "this server keeps no reconciliation report", field: "reconcile.lastReport")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw GongkaiError(.conflict, "no reconciliation report yet: run gongkai reconcile or set reconcile.interval", field: "reconcile.lastReport")
        }
        // Decoded and written again, so that a report kept by an earlier version comes out in today's shape.
        return json(try ReconcileRun.load(path))
    }

    // MARK: - Reading requests

    private func mediaType(_ request: Request, allowed: [String]) throws -> String {
        let header = request.headers[.contentType] ?? ""
        let type = header.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard allowed.contains(type) else {
            throw Problem(
                .unsupportedMediaType, code: "unsupported-media-type",
                detail: "send \(allowed.joined(separator: " or ")); got \(header.isEmpty ? "no Content-Type" : header)",
                field: "Content-Type")
        }
        return type
    }

    private func body(_ request: Request, _ context: APIRequestContext) async throws -> [UInt8] {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return Array(buffer.readableBytesView)
    }

    /// A JSON object body, its fields named in the error when one is missing or of the wrong type.
    private func decode<T: Decodable>(
        _ type: T.Type, _ request: Request, _ context: APIRequestContext, emptyAllowed: Bool = false
    ) async throws -> T? {
        let bytes = try await body(request, context)
        if bytes.isEmpty && emptyAllowed { return nil }
        _ = try mediaType(request, allowed: ["application/json"])
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw GongkaiError(.malformedJSON, "the body is not valid UTF-8", field: "body")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw GongkaiError(.missingField, "\(key.stringValue) is required", field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw GongkaiError(.invalidField, "\(field) has the wrong type", field: field.isEmpty ? "body" : field)
        } catch {
            throw GongkaiError(.malformedJSON, "the body is not a JSON object", field: "body")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: APIRequestContext) async throws -> T {
        try await decode(type, request, context, emptyAllowed: false)!
    }

    private func intParameter(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw GongkaiError(.invalidField, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return number
    }

    // MARK: - Writing responses

    private func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONOutput.string(value))))
    }
}

/// One page of `GET /v1/deliveries`; `nextCursor` is absent on the last page.
struct DeliveryPage: Encodable {
    var deliveries: [MachineJSON.Delivery]
    var nextCursor: String?
}
