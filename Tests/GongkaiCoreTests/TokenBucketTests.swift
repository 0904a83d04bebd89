import Testing

@testable import GongkaiCore

@Suite struct TokenBucketTests {
    @Test func startsFullAndGrantsTheBurst() throws {
        var bucket = try TokenBucket(ratePerSecond: 5, burst: 10)
        #expect(bucket.available(now: 0) == 10)
        #expect(bucket.take(4, now: 0) == 4)
        #expect(bucket.take(10, now: 0) == 6)
        #expect(bucket.take(1, now: 0) == 0)
        #expect(bucket.take(0, now: 0) == 0)
        #expect(bucket.take(-3, now: 0) == 0)
    }

    @Test func refillsOverInjectedTimeUpToBurst() throws {
        var bucket = try TokenBucket(ratePerSecond: 5, burst: 10)
        #expect(bucket.take(10, now: 1_000) == 10)
        #expect(bucket.take(1, now: 1_199) == 0)
        #expect(bucket.take(5, now: 1_200) == 1)
        #expect(bucket.take(5, now: 2_200) == 5)
        // An hour idle refills only to the burst.
        #expect(bucket.available(now: 3_602_200) == 10)
        #expect(bucket.take(50, now: 3_602_200) == 10)
    }

    @Test func fractionalRefillAccumulatesAcrossCalls() throws {
        // Burst 2 so the cap never clips the leftover fraction being tested.
        var bucket = try TokenBucket(ratePerSecond: 1, burst: 2)
        #expect(bucket.take(2, now: 0) == 2)
        // Polling every 600 ms, a token is due each 1000 ms; keeping the part of a
        // token left over after each grant yields 10 by 10.2 s, dropping it only 8.
        var granted = 0
        for now in stride(from: Int64(600), through: 10_200, by: 600) {
            granted += bucket.take(1, now: now)
        }
        #expect(granted == 10)
    }

    @Test func clockGoingBackwardsNeitherRefillsNorDrains() throws {
        var bucket = try TokenBucket(ratePerSecond: 1, burst: 2)
        #expect(bucket.take(2, now: 10_000) == 2)
        #expect(bucket.take(1, now: 5_000) == 0)
        #expect(bucket.take(1, now: 10_999) == 0)
        #expect(bucket.take(1, now: 11_000) == 1)
    }

    @Test func perMinuteNeverExceedsTheQuotaInAnyRollingMinute() throws {
        var bucket = try TokenBucket(perMinute: 20, burst: nil)
        let sends = simulate(&bucket, requests: 100, until: 180_000)
        #expect(maximumInAnyWindow(sends, window: 60_000) <= 20)
        // Evenly spaced at 3 s: 0, 3 s, …, 177 s.
        #expect(sends.count == 60)
        #expect(sends.first == 0)
        #expect(sends.last == 177_000)
    }

    @Test func perMinuteWithBurstStillRespectsTheQuota() throws {
        var bucket = try TokenBucket(perMinute: 20, burst: 5)
        let sends = simulate(&bucket, requests: 100, until: 180_000)
        #expect(maximumInAnyWindow(sends, window: 60_000) == 20)
        #expect(sends.prefix(5).allSatisfy { $0 == 0 })
        #expect(sends.count >= 50)
    }

    @Test func perMinuteHoldsUnderIrregularPolling() throws {
        var bucket = try TokenBucket(perMinute: 20, burst: 1)
        var sends: [Int64] = []
        var now: Int64 = 0
        var seed: UInt64 = 42
        var remaining = 100
        while now < 180_000 && remaining > 0 {
            let granted = bucket.take(min(remaining, 3), now: now)
            sends += Array(repeating: now, count: granted)
            remaining -= granted
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            now += Int64(seed >> 33) % 1_700 + 1
        }
        #expect(maximumInAnyWindow(sends, window: 60_000) <= 20)
        #expect(sends.count >= 50)
    }

    @Test func plainBucketWithBigBurstWouldBreakAMinuteQuota() throws {
        // Documents why perMinute lowers the rate when the burst grows.
        var naive = try TokenBucket(ratePerSecond: 20.0 / 60.0, burst: 20)
        let sends = simulate(&naive, requests: 100, until: 180_000)
        #expect(maximumInAnyWindow(sends, window: 60_000) == 39)
    }

    @Test func waitTimeIsExact() throws {
        var bucket = try TokenBucket(perMinute: 20)
        #expect(bucket.waitTime(now: 0) == 0)
        #expect(bucket.take(1, now: 0) == 1)
        #expect(bucket.waitTime(now: 0) == 3_000)
        #expect(bucket.waitTime(now: 1_000) == 2_000)
        #expect(bucket.take(1, now: 2_999) == 0)
        #expect(bucket.waitTime(now: 2_999) == 1)
        #expect(bucket.take(1, now: 3_000) == 1)

        var fast = try TokenBucket(ratePerSecond: 5, burst: 10)
        #expect(fast.take(10, now: 0) == 10)
        #expect(fast.waitTime(for: 3, now: 0) == 600)
        #expect(fast.take(3, now: 599) == 2)
        #expect(fast.waitTime(for: 3, now: 599) == 401)
        #expect(fast.take(3, now: 1_000) == 3)
        #expect(fast.waitTime(for: 11, now: 0) == .max)
        #expect(fast.waitTime(for: 0, now: 0) == 0)
    }

    @Test func waitTimeRoundsUpForAwkwardRates() throws {
        var bucket = try TokenBucket(ratePerSecond: 3, burst: 1)
        #expect(bucket.take(1, now: 0) == 1)
        let wait = bucket.waitTime(now: 0)
        #expect(wait == 334)
        #expect(bucket.take(1, now: wait - 1) == 0)
        #expect(bucket.take(1, now: wait) == 1)
    }

    @Test func ratesAreReported() throws {
        #expect(try TokenBucket(ratePerSecond: 5, burst: 1).ratePerSecond == 5)
        #expect(abs(try TokenBucket(perMinute: 20).ratePerSecond - 1.0 / 3.0) < 1e-12)
        #expect(try TokenBucket(perMinute: 60) == TokenBucket(ratePerSecond: 1, burst: 1))
    }

    @Test func unlimitedAlwaysGrants() {
        var bucket = TokenBucket.unlimited
        #expect(bucket.isUnlimited)
        for now in Int64(0)..<1_000 {
            #expect(bucket.take(1_000, now: now) == 1_000)
        }
        #expect(bucket.waitTime(for: 1_000_000, now: 0) == 0)
        #expect(bucket.available(now: 0) == .max)
    }

    @Test func invalidConfigurationIsRejected() {
        for rate in [0, -1, .nan, .infinity, 1e-12, 1e15] {
            let error = #expect(throws: GongkaiError.self) { try TokenBucket(ratePerSecond: rate, burst: 1) }
            #expect(error?.field == "ratePerSecond")
        }
        let burst = #expect(throws: GongkaiError.self) { try TokenBucket(ratePerSecond: 1, burst: 0) }
        #expect(burst?.field == "burst")
        #expect(throws: GongkaiError.self) { try TokenBucket(perMinute: 0) }
        #expect(throws: GongkaiError.self) { try TokenBucket(perMinute: 20, burst: 21) }
        #expect(throws: GongkaiError.self) { try TokenBucket(perMinute: 20, burst: 0) }
    }

    @Test func handlesManySendsCheaply() throws {
        var bucket = try TokenBucket(ratePerSecond: 10_000, burst: 100)
        var granted = 0
        // One simulated second at 20,000 attempts: the rate, not the attempts, bounds the grants.
        for step in Int64(0)..<20_000 {
            granted += bucket.take(1, now: step / 20)
        }
        #expect(granted == 100 + 9_990)
    }

    /// Sends `requests` queued at time 0 as fast as the bucket allows, sleeping
    /// (in simulated time) exactly as long as `waitTime` says.
    private func simulate(_ bucket: inout TokenBucket, requests: Int, until end: Int64) -> [Int64] {
        var sends: [Int64] = []
        var now: Int64 = 0
        var remaining = requests
        while remaining > 0 && now < end {
            let granted = bucket.take(remaining, now: now)
            sends += Array(repeating: now, count: granted)
            remaining -= granted
            let wait = bucket.waitTime(now: now)
            #expect(wait > 0 || granted > 0)
            now += max(wait, 1)
        }
        return sends
    }

    private func maximumInAnyWindow(_ sends: [Int64], window: Int64) -> Int {
        var best = 0
        var start = 0
        for end in sends.indices {
            while sends[end] - sends[start] >= window { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }
}
