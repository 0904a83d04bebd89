import Foundation
import GongkaiCore
public import GongkaiMonitoring
public import GongkaiService
public import GongkaiStore
public import Hummingbird
public import Logging
public import GongkaiChannels
public import ServiceLifecycle
import NIOCore
public import NIOSSL
import HummingbirdTLS

/// The HTTP face of gongkai: API v1 for the agency's systems, `/healthz` and
/// `/readyz` for monitoring, and the console (HTML under `/console`) for staff. Every route calls the same use cases as the CLI
/// (``OutboxConsole``, ``TokenAuthority``); this type only translates HTTP.
public struct GongkaiServer: Sendable {
    /// The largest request body read: the same bound as `gongkai submit`'s input.
    public static let maxBodyBytes = 16 << 20
    /// The port the daemon and `gongkai serve` listen on unless told otherwise.
    public static let defaultPort = 8470

    public let console: OutboxConsole
    public let tokens: TokenAuthority
    /// Throws when the process should not get traffic (store unreachable, schema not current).
    public let readiness: @Sendable () async throws -> Void
    public let logger: Logger
    /// Where the last reconciliation report is kept (`GET /v1/reconcile/last`).
    public var lastReportPath: String?
    /// What `/metrics` shows: the process's registry unless a test brings its own.
    public var metrics: GongkaiMetrics = .process
    /// Runs `POST /v1/reconcile`; nil where this server does not reconcile (the route then answers 409).
    public var reconciliations: ReconcileRequests?
    /// Where channel credentials are resolved for `POST /v1/channels/{id}/test`.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// The console's signed-in sessions and one-time sign-in links (memory only: a restart signs everyone out).
    public let consoleSessions = ConsoleSessions()

    public init(
        console: OutboxConsole, tokens: TokenAuthority, logger: Logger, lastReportPath: String? = nil,
        readiness: @escaping @Sendable () async throws -> Void
    ) {
        self.lastReportPath = lastReportPath
        self.console = console
        self.tokens = tokens
        self.logger = logger
        self.readiness = readiness
    }

    /// The Hummingbird application on `address:port` (port 0: any free port, reported to `onRunning`),
    /// over HTTPS when `tls` is given; with the reconciliation queue among its services.
    public func application(
        address: String, port: Int, tls: TLSConfiguration? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        Application(
            router: router(),
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(
                address: .hostname(address, port: port), serverName: "gongkai",
                availableConnectionsDelegate: nil),
            services: reconciliations.map { [$0.service] } ?? [],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Every route: the API's from ``APIRoutes/all`` (the table the OpenAPI test checks),
    /// then the console's HTML pages, which are not part of the API's contract.
    public func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: ProblemMiddleware(logger: logger))
        let handlers = APIHandlers(server: self)
        for route in APIRoutes.all {
            let hummingbirdPath = route.path.replacingOccurrences(
                of: #"\{(\w+)\}"#, with: ":$1", options: .regularExpression)
            router.on(RouterPath(hummingbirdPath), method: route.method) { request, context in
                var context = context
                if !route.roles.isEmpty {
                    context.caller = try await handlers.authenticate(request, context: context, roles: route.roles)
                }
                return try await route.handler(handlers, request, context)
            }
        }
        ConsoleRoutes(server: self).register(on: router)
        return router
    }
}

/// Turns anything a route throws into an RFC 9457 problem; logs server-side failures.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status.code >= 500 {
                logger.error(
                    "request failed",
                    metadata: ["path": "\(request.uri.path)", "method": "\(request.method)", "error": "\(error)"])
            }
            return try problem.response(from: request, context: context)
        }
    }
}

extension GongkaiServer {
    /// The API over an open outbox, as the daemon and `gongkai serve` run it: ready once
    /// the schema is current and the store answers.
    public static func service(
        settings: GongkaiSettings, database: OutboxDatabase, channels: [ChannelDefinition], logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> any Service {
        let console = try OutboxConsole(settings, store: database.store, channels: channels, actor: "api")
        var server = GongkaiServer(
            console: console, tokens: try TokenAuthority(outbox: database.store), logger: logger,
            lastReportPath: settings.lastReportPath,
            readiness: {
                _ = try await database.prepare()
                _ = try await database.store.channelPauses()
            })
        server.reconciliations = ReconcileRequests { channel, repair, actor in
            try await ReconcileRun.run(
                settings: settings, store: database.store, channels: channels, channelFilter: channel, repair: repair,
                actor: actor)
        }
        let tls = try ServerTLS.configuration(settings)
        return try server.application(
            address: settings.serverAddress, port: settings.serverPort ?? defaultPort, tls: tls,
            onRunning: { port in
                logger.info(
                    "HTTP API listening",
                    metadata: [
                        "address": "\(settings.serverAddress)", "port": "\(port)", "scheme": "\(tls == nil ? "http" : "https")",
                    ])
                await onRunning(port)
            })
    }
}
