import GongkaiCore
import Synchronization

/// A wall clock that moves only when a test moves it.
final class SteppedWallClock: WallClock {
    private let millis: Mutex<Int64>

    init(_ start: Int64 = 1_790_000_000_000) {
        millis = Mutex(start)
    }

    func now() -> Int64 { millis.withLock { $0 } }

    func advance(by milliseconds: Int64) {
        millis.withLock { $0 += milliseconds }
    }
}
