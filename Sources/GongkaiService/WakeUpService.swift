import GongkaiCore
public import GongkaiStore
public import GongkaiSync
public import Logging
public import ServiceLifecycle

/// Wakes the daemon's idle workers as soon as another process (a CLI
/// submit, an approval, a resend) commits work for their channel, through
/// PostgreSQL's LISTEN/NOTIFY. Polling stays the fallback: a notification
/// lost while the listening connection is being replaced only delays work
/// until the next poll.
public struct WakeUpService: Service {
    let store: PostgresOutboxStore
    let engine: DeliveryEngine
    let logger: Logger

    public init(store: PostgresOutboxStore, engine: DeliveryEngine, logger: Logger) {
        self.store = store
        self.engine = engine
        self.logger = logger
    }

    public func run() async throws {
        var wait: Int64 = 500
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Not awaited past cancellation: a LISTEN whose connection the server cut was
                // seen never to return, and SIGTERM must still stop the daemon.
                try await cancelWhenGracefulShutdown { [store, engine, logger] in
                    try await abandonOnCancel {
                        try await store.listenForWork(onListening: {
                            logger.debug("listening for new work", metadata: ["notify": "\(PostgresOutboxStore.workChannel)"])
                        }) { channels in
                            engine.nudge(channels: channels)
                        }
                    }
                }
                wait = 500
            } catch is CancellationError {
                return
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                logger.warning(
                    "lost the wake-up connection; workers poll until it is back",
                    metadata: ["error": "\(error)", "retryInMs": "\(wait)"])
                // Something may have been announced while nobody listened.
                engine.nudge()
                let delay = wait
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(delay)) }
                } catch {
                    return
                }
                wait = min(wait * 2, 30_000)
            }
        }
    }
}
