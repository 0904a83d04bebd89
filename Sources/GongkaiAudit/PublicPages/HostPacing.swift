/// A polite pace per host: requests to one host start at least ``interval``
/// ms apart, whichever check asks; different hosts do not wait for each other.
/// Pure: the caller passes the time and waits until the slot it is given.
public struct HostPacing: Sendable, Equatable {
    public var interval: Int64
    private var nextFree: [String: Int64] = [:]

    public init(interval: Int64) {
        self.interval = max(0, interval)
    }

    /// Reserves the next slot on `host` at or after `now`; returns when it starts.
    public mutating func reserve(host: String, now: Int64) -> Int64 {
        let key = host.lowercased()
        let start = max(now, nextFree[key] ?? now)
        nextFree[key] = start + interval
        return start
    }
}
