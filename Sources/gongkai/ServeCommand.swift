import ArgumentParser
import GongkaiChannels
import GongkaiCore
import GongkaiMonitoring
import GongkaiServer
import GongkaiService
import GongkaiStore
import Logging
import ServiceLifecycle
import UnixSignals

/// `gongkai serve`: the API without delivering, for a deployment that runs the daemons elsewhere.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (/v1, /healthz, /readyz) over the outbox without delivering, until SIGTERM/SIGINT.",
        discussion: ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await reporting {
            var settings = try global.settings(server.settings)
            if settings.serverPort == nil { settings.serverPort = GongkaiServer.defaultPort }
            let logger = global.logger(settings)
            let channels = try ChannelFileLoader.load(directory: settings.channels)
            let database = try OutboxDatabase.open(settings.database, options: settings.databaseOptions, logger: logger)
            let metrics = GongkaiMetrics.bootstrap().factory
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let pool = database.service { services.append(.init(service: pool)) }
            let gauges = try Daemon.makeGauges(
                settings: settings, store: database.store, channels: channels, logger: logger, metrics: metrics)
            services.append(.init(service: AfterStorePrepared(database, gauges, logger: logger)))
            services.append(
                .init(service: try GongkaiServer.service(settings: settings, database: database, channels: channels, logger: logger)))
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
