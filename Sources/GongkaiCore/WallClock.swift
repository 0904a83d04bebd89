public import Foundation

/// A source of the current time in Unix milliseconds, injected so that state
/// machines and the engine can be tested without waiting.
public protocol WallClock: Sendable {
    func now() -> Int64
}

/// The system clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Formats Unix milliseconds as ISO-8601 UTC for people and JSON.
public enum Timestamp {
    public static func iso8601(_ millis: Int64) -> String {
        let dayMillis: Int64 = 86_400_000
        let days = millis >= 0 ? millis / dayMillis : (millis - dayMillis + 1) / dayMillis
        let rest = millis - days * dayMillis
        let day = CalendarDate(dayNumber: Int(days))
        let seconds = rest / 1000
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(day)T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(rest % 1000, 3))Z"
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` (with optional fraction) or a relative `-2h` / `-30m`.
    public static func parse(_ text: String, now: Int64) -> Int64? {
        if text.hasPrefix("-"), let ago = try? DurationText.milliseconds(String(text.dropFirst())) {
            return now - ago
        }
        if let date = try? Date(text, strategy: .iso8601) { return Int64(date.timeIntervalSince1970 * 1000) }
        if let day = CalendarDate(text) { return Int64(day.dayNumber) * 86_400_000 }
        return nil
    }
}
