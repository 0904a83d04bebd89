import GongkaiChannels
import GongkaiCore
public import Logging
public import ServiceLifecycle

/// The daemon's check, once a minute, for linked deliveries that should stop
/// waiting for the portal URL (`withoutPortal:` in their channel file): see
/// ``OutboxConsole/releasePortalWaitsNearDeadline()``. Does nothing when no
/// channel sets it.
public struct PortalFallbackService: Service {
    let console: OutboxConsole
    let interval: Duration
    let logger: Logger

    public init(console: OutboxConsole, interval: Duration = .seconds(60), logger: Logger) {
        self.console = console
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        guard console.channels.contains(where: { $0.withoutPortal != nil }) else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let released = try await console.releasePortalWaitsNearDeadline()
                if !released.isEmpty {
                    logger.warning(
                        "linked deliveries publish without the portal link: their deadline is close",
                        metadata: [
                            "deliveries": "\(released.count)",
                            "items": "\(Set(released.map(\.itemID)).sorted().prefix(20))",
                        ])
                }
            } catch {
                logger.error("checking deliveries waiting for the portal failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
