public import CoreMetrics
import GongkaiChannels
public import GongkaiCore
public import GongkaiStore
public import Logging
public import ServiceLifecycle

/// The delivery loop of the daemon: one ``ChannelWorker`` per channel, run as
/// one `Service`. On graceful shutdown (SIGTERM/SIGINT through the
/// `ServiceGroup`) it stops claiming, lets in-flight sends finish and be
/// recorded, releases what it still holds, and returns.
public final class DeliveryEngine: Service, Sendable {
    private let workers: [ChannelWorker]
    private let runtimes: [ChannelRuntime]
    private let logger: Logger
    /// The owner name of this engine's leases (``EngineConfiguration/workerID``).
    public let workerID: String

    /// Called after a batch of send outcomes is in the store (channel id, outcomes):
    /// lets tests and the demo await progress instead of polling.
    public typealias Observer = @Sendable (String, [SendOutcome]) -> Void

    /// - Parameter metrics: where the engine's instruments (``DeliveryMetrics``) are made;
    ///   by default the process's bootstrapped backend.
    public init(
        store: any OutboxStore, channels: [ChannelRuntime], configuration: EngineConfiguration,
        clock: any WallClock = SystemWallClock(), logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory,
        onRecorded: Observer? = nil
    ) {
        self.runtimes = channels
        self.logger = logger
        self.workerID = configuration.workerID
        self.workers = channels.map {
            ChannelWorker(
                runtime: $0, store: store, configuration: configuration, clock: clock, logger: logger,
                instruments: ChannelInstruments(channelID: $0.definition.id, factory: metrics), onRecorded: onRecorded)
        }
    }

    public func run() async throws {
        logger.info("delivery engine started", metadata: ["channels": "\(runtimes.map(\.definition.id))"])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for worker in workers {
                    group.addTask { await worker.run() }
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
        for runtime in runtimes { await runtime.adapter.shutdown() }
        logger.info("delivery engine stopped")
    }

    /// Asks every worker to stop after its in-flight sends (also what SIGTERM does).
    public func stop() {
        for worker in workers { worker.stop() }
    }

    /// Wakes idle workers at once, e.g. right after an in-process submit.
    public func nudge() {
        for worker in workers { worker.nudge() }
    }

    /// Wakes the workers of these channels (all of them when the set is empty),
    /// e.g. when another process announces new work.
    public func nudge(channels: Set<String>) {
        for worker in workers where channels.isEmpty || channels.contains(worker.channelID) { worker.nudge() }
    }
}
