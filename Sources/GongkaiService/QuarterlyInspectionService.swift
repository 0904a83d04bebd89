public import GongkaiAudit
public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore
public import Logging
public import ServiceLifecycle

/// The daemon's quarterly check (`inspect.quarterly`): once a quarter has ended
/// (Asia/Shanghai), writes that quarter's report into `inspect.reports`, once,
/// and keeps it beside every earlier one. It looks at start-up (so a daemon
/// that was down when quarters turned writes each one it missed) and then
/// shortly after each quarter's end.
public struct QuarterlyInspectionService: Service {
    let settings: GongkaiSettings
    let store: any OutboxStore
    let channels: [ChannelDefinition]
    let clock: any WallClock
    let logger: Logger

    /// The longest wait between two looks: a clock set forward, or a failed write, is seen within it.
    public static let longestWait: Int64 = 6 * 3_600_000
    /// After a quarter ends, so that the last deliveries of its final minutes are recorded.
    public static let afterQuarterEnd: Int64 = 5 * 60_000

    public init(
        settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition],
        clock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        self.settings = settings
        self.store = store
        self.channels = channels
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        guard settings.quarterlyInspection else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await tick()
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(wait(now: clock.now())))
                }
            } catch {
                return
            }
        }
    }

    /// One look: writes every ended quarter's report that is owed (see
    /// ``QuarterlyInspectionRun/owedQuarters(now:settings:)``). Returns the quarters written.
    @discardableResult
    public func tick() async -> [Quarter] {
        do {
            let written = try await QuarterlyInspectionRun.writeEndedQuarter(
                settings: settings, store: store, channels: channels, now: clock.now())
            for quarter in written {
                logger.info(
                    "quarterly check written",
                    metadata: [
                        "quarter": "\(quarter)",
                        "report": "\(QuarterlyInspectionRun.path(of: quarter, format: .json, settings: settings))",
                    ])
            }
            return written
        } catch {
            logger.error("quarterly check failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Milliseconds until the next look: just after the current quarter ends, at most ``longestWait``.
    public func wait(now: Int64) -> Int64 {
        let next = Quarter(containingMillis: now).endMillis + Self.afterQuarterEnd
        return max(1_000, min(next - now, Self.longestWait))
    }
}
