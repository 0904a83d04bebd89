import Synchronization

/// The adapter's own record of recent robot sends, so that a notice split
/// into several parts is only started when every part fits in the platform's
/// rate limits: the platform cutting a message off half way would make the
/// retry post the first parts again.
///
/// One window per adapter (one robot); several gongkai processes sharing a
/// robot would each count only their own sends. Reserved parts stay counted
/// when a delivery fails before posting them all: the window errs on the
/// slow side rather than provoke the platform's throttle.
public final class RobotSendWindow: Sendable {
    /// At most `count` sends in any `milliseconds`-long span.
    public struct Limit: Sendable, Equatable {
        public var count: Int
        public var milliseconds: Int64

        public init(count: Int, milliseconds: Int64) {
            self.count = count
            self.milliseconds = milliseconds
        }
    }

    public let limits: [Limit]
    private let sent = Mutex<[Int64]>([])

    public init(limits: [Limit]) {
        self.limits = limits
    }

    /// Reserves `parts` sends at `now`; returns nil when reserved, otherwise
    /// the milliseconds until they would fit (nothing is reserved then).
    /// A message with more parts than a limit allows is reserved when the
    /// window is empty, and the platform's throttle answer paces the rest.
    public func reserve(parts: Int, now: Int64) -> Int64? {
        sent.withLock { sent in
            let horizon = limits.map(\.milliseconds).max() ?? 0
            sent.removeAll { $0 <= now - horizon }
            var wait: Int64 = 0
            for limit in limits {
                let recent = sent.filter { $0 > now - limit.milliseconds }.sorted()
                let room = limit.count - recent.count
                guard parts > room, !recent.isEmpty else { continue }
                // The send that must leave the window before `parts` more fit.
                let leaving = min(recent.count - 1, max(0, parts - room - 1))
                wait = max(wait, recent[leaving] + limit.milliseconds - now)
            }
            if wait > 0 { return wait }
            sent.append(contentsOf: repeatElement(now, count: parts))
            return nil
        }
    }
}
