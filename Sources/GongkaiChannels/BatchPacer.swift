public import GongkaiCore
public import NIOCore
import Synchronization

/// Keeps at least `interval` milliseconds between two batch submissions of
/// one channel, measured on the injected ``WallClock``.
///
/// Each caller reserves the next free slot under the lock before it waits,
/// so concurrent batches queue up one interval apart instead of all waking
/// at the same moment.
public final class BatchPacer: Sendable {
    /// Minimum milliseconds between two submissions; 0 turns pacing off.
    public let interval: Int64
    private let clock: any WallClock
    /// Wall time of the latest reserved submission.
    private let lastSlot = Mutex<Int64?>(nil)

    /// The interval could not be kept before the deadline; retry after ``waitMilliseconds``.
    public struct SlotUnavailable: Error, Sendable, Equatable {
        public var waitMilliseconds: Int64
    }

    public init(interval: Int64, clock: any WallClock) {
        self.interval = interval
        self.clock = clock
    }

    /// Milliseconds until the next free slot, and whether it was reserved: a
    /// wait that would pass `deadline` reserves nothing, so the caller can fail fast.
    func reserve(deadline: NIODeadline) -> (wait: Int64, reserved: Bool) {
        let now = clock.now()
        return lastSlot.withLock { last in
            let slot = last.map { max(now, $0 + interval) } ?? now
            let wait = slot - now
            if wait > 0 && NIODeadline.now() + .milliseconds(wait) >= deadline {
                return (wait, false)
            }
            last = slot
            return (wait, true)
        }
    }

    /// Waits for this submission's slot. Throws ``SlotUnavailable`` when the
    /// slot lies beyond `deadline` (or the task is cancelled): nothing was sent,
    /// so the caller defers the batch rather than fail it.
    public func waitForSlot(deadline: NIODeadline) async throws(SlotUnavailable) {
        guard interval > 0 else { return }
        let (wait, reserved) = reserve(deadline: deadline)
        guard reserved else { throw SlotUnavailable(waitMilliseconds: wait) }
        guard wait > 0 else { return }
        do {
            try await Task.sleep(for: .milliseconds(wait))
        } catch {
            throw SlotUnavailable(waitMilliseconds: wait)
        }
    }
}
