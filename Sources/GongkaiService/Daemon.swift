public import CoreMetrics
public import Foundation
public import GongkaiChannels
import GongkaiAudit
import GongkaiCore
public import GongkaiMonitoring
public import GongkaiStore
public import GongkaiSync
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Builds and runs `gongkai daemon`: the delivery engine in a `ServiceGroup`
/// that drains in-flight sends and releases leases on SIGTERM or SIGINT.
public enum Daemon {
    /// A unique lease owner for this process: host, pid and a random suffix.
    public static func defaultWorkerID() -> String {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }

    /// Makes adapters for every channel (resolving secrets) and the engine around them.
    public static func makeEngine(
        settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition],
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) async throws -> DeliveryEngine {
        let runtimes = try await ChannelAdapterFactory.makeAll(channels, environment: environment)
            .map { ChannelRuntime(definition: $0.definition, adapter: $0.adapter) }
        let configuration = EngineConfiguration(
            workerID: settings.workerID ?? defaultWorkerID(), leaseMillis: settings.lease,
            pollInterval: settings.pollInterval, claimBatch: settings.claimBatch)
        return DeliveryEngine(
            store: store, channels: runtimes, configuration: configuration, logger: logger, metrics: metrics)
    }

    /// The store's gauges for `/metrics` (``OutboxGauges``), for the daemon and `gongkai serve` alike.
    public static func makeGauges(
        settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) throws -> OutboxGauges {
        OutboxGauges(
            store: store, channelIDs: channels.map(\.id), calendar: try settings.workCalendar(),
            policy: settings.deadlines, lastReportPath: settings.lastReportPath, factory: metrics, logger: logger)
    }

    /// Runs the daemon; `api` makes the HTTP server's Service over the open outbox
    /// (the executable passes GongkaiServer's; nil, or `server.port: off`, runs none).
    public static func run(
        settings: GongkaiSettings, logger: Logger,
        api: (@Sendable (OutboxDatabase, [ChannelDefinition]) throws -> any Service)? = nil
    ) async throws {
        let channels = try ChannelFileLoader.load(directory: settings.channels)
        if channels.isEmpty {
            throw GongkaiError(.configuration, "no channel files in \(settings.channels)", field: "channels")
        }
        let database = try OutboxDatabase.open(settings.database, options: settings.databaseOptions, logger: logger)
        let store = database.store
        let metrics = GongkaiMetrics.bootstrap().factory
        let engine = try await makeEngine(
            settings: settings, store: store, channels: channels, logger: logger, metrics: metrics)
        let gauges = try makeGauges(settings: settings, store: store, channels: channels, logger: logger, metrics: metrics)
        logger.info(
            "gongkai daemon starting",
            metadata: ["database": "\(database.location)", "channels": "\(channels.map(\.id))"])
        // The pool comes first so that it shuts down last, after the engine has released its leases.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let pool = database.service { services.append(.init(service: pool)) }
        // Before the engine, so it stops after it: the heartbeat row goes once the leases are given back.
        if let heartbeats = store as? any WorkerHeartbeats {
            services.append(
                .init(
                    service: AfterStorePrepared(
                        database, HeartbeatService(store: heartbeats, engine: engine, logger: logger), logger: logger)))
        }
        services.append(.init(service: AfterStorePrepared(database, engine, logger: logger)))
        if let postgres = store as? PostgresOutboxStore {
            services.append(
                .init(
                    service: AfterStorePrepared(
                        database, WakeUpService(store: postgres, engine: engine, logger: logger), logger: logger),
                    successTerminationBehavior: .ignore))
        }
        services.append(
            .init(
                service: AfterStorePrepared(
                    database, ReconcileService(settings: settings, store: store, channels: channels, logger: logger),
                    logger: logger),
                successTerminationBehavior: .ignore))
        services.append(
            .init(
                service: AfterStorePrepared(
                    database,
                    ReconcileService(settings: settings, store: store, channels: channels, logger: logger, publicPages: true),
                    logger: logger),
                successTerminationBehavior: .ignore))
        services.append(
            .init(
                service: AfterStorePrepared(
                    database,
                    PortalFallbackService(
                        console: try OutboxConsole(settings, store: store, channels: channels, actor: "daemon"),
                        logger: logger),
                    logger: logger),
                successTerminationBehavior: .ignore))
        services.append(
            .init(
                service: AfterStorePrepared(
                    database, QuarterlyInspectionService(settings: settings, store: store, channels: channels, logger: logger),
                    logger: logger),
                successTerminationBehavior: .ignore))
        services.append(.init(service: AfterStorePrepared(database, gauges, logger: logger)))
        // Last in, first out: on SIGTERM the API stops taking requests before the engine drains.
        if let api, settings.serverPort != nil {
            services.append(.init(service: try api(database, channels)))
        }
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Past the grace period in-flight sends are cancelled; their leases expire and nothing is lost.
        configuration.maximumGracefulShutdownDuration = .milliseconds(settings.shutdownGrace)
        try await ServiceGroup(configuration: configuration).run()
        if database.poolWasAbandoned {
            // The drain is done and every state change is in the store; what is left is a
            // PostgresNIO connection attempt that never ends. Exit-time teardown under it was
            // seen to crash, so end the process here, as a clean stop.
            logger.warning("gongkai daemon stopped; the PostgreSQL pool was left unclosed")
            fflush(nil)  // every open output stream
            _exit(0)
        }
    }
}
