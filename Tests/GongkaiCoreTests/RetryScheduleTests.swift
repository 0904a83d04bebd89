import Foundation
import Testing

@testable import GongkaiCore

@Suite struct RetryScheduleTests {
    let standard = RetrySchedule.standard

    private func delay(_ schedule: RetrySchedule, attempts: Int, retryAfter: Int64? = nil,
                       throttled: Bool = false, unit: Double = 0.5) -> Int64? {
        if case .retry(let after) = schedule.decision(
            afterFailedAttempts: attempts, retryAfter: retryAfter, throttled: throttled, randomUnit: unit)
        {
            return after
        }
        return nil
    }

    @Test func standardDelaysAreTheSvixTable() {
        #expect(standard.delays == [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000])
        #expect(standard.jitter == 0.2)
        #expect(standard.minimumThrottleDelay == 5_000)
        #expect(standard.maximumRetryAfter == 3_600_000)
        #expect(standard.maximumAttempts == 8)
    }

    @Test func middleRandomUnitGivesTheBaseDelay() {
        for (index, base) in standard.delays.enumerated() {
            #expect(delay(standard, attempts: index + 1, unit: 0.5) == base)
        }
    }

    @Test func jitterStaysWithinTwentyPercent() {
        for (index, base) in standard.delays.enumerated() {
            let low = delay(standard, attempts: index + 1, unit: 0)
            let high = delay(standard, attempts: index + 1, unit: 0.999)
            #expect(low == base * 8 / 10)
            // 1 + 0.2 × (2 × 0.999 − 1) = 1.1996
            #expect(high == Int64((Double(base) * 1.1996).rounded()))
            #expect(high! < base * 12 / 10)
            #expect(high! > base)
        }
        #expect(delay(standard, attempts: 1, unit: 0) == 4_000)
        #expect(delay(standard, attempts: 1, unit: 0.999) == 5_998)
    }

    @Test func outOfRangeRandomUnitIsClamped() {
        #expect(delay(standard, attempts: 1, unit: -3) == 4_000)
        #expect(delay(standard, attempts: 1, unit: 7) == 6_000)
        #expect(delay(standard, attempts: 1, unit: .nan) == 5_000)
    }

    @Test func exhaustsAfterSevenFailures() {
        #expect(delay(standard, attempts: 7) == 36_000_000)
        #expect(standard.decision(afterFailedAttempts: 8, retryAfter: nil, throttled: false, randomUnit: 0.5)
            == .exhausted)
        #expect(standard.decision(afterFailedAttempts: 100, retryAfter: 1_000, throttled: true, randomUnit: 0)
            == .exhausted)
    }

    @Test func attemptsBelowOneCountAsTheFirstFailure() {
        #expect(delay(standard, attempts: 0) == 5_000)
        #expect(delay(standard, attempts: -4) == 5_000)
    }

    @Test func longerRetryAfterIsHonoured() {
        #expect(delay(standard, attempts: 1, retryAfter: 120_000) == 120_000)
    }

    @Test func retryAfterIsCappedAtMaximum() {
        #expect(delay(standard, attempts: 1, retryAfter: 86_400_000) == 3_600_000)
        let strict = try! RetrySchedule(delays: [1_000], maximumRetryAfter: 10_000)
        #expect(delay(strict, attempts: 1, retryAfter: 60_000) == 10_000)
    }

    @Test func shorterRetryAfterIsIgnored() {
        #expect(delay(standard, attempts: 3, retryAfter: 60_000) == 1_800_000)
        // A cap below the computed delay must not shorten it either.
        #expect(delay(standard, attempts: 5, retryAfter: 86_400_000) == 18_000_000)
        #expect(delay(standard, attempts: 1, retryAfter: -50_000) == 5_000)
    }

    @Test func throttlingImposesAFloor() {
        let fast = try! RetrySchedule(delays: [200, 1_000])
        #expect(delay(fast, attempts: 1, throttled: false) == 200)
        #expect(delay(fast, attempts: 1, throttled: true) == 5_000)
        // The jittered low end of the standard first delay (4 s) is lifted too.
        #expect(delay(standard, attempts: 1, throttled: true, unit: 0) == 5_000)
        #expect(delay(standard, attempts: 2, throttled: true, unit: 0) == 240_000)
        #expect(delay(fast, attempts: 1, retryAfter: 8_000, throttled: true) == 8_000)
    }

    @Test func maximumDelayCapsEverything() {
        let capped = try! RetrySchedule(
            delays: [10_000, 100_000], minimumThrottleDelay: 90_000, maximumRetryAfter: 500_000,
            maximumDelay: 50_000)
        #expect(delay(capped, attempts: 1, unit: 0.999) == 11_996)
        #expect(delay(capped, attempts: 2) == 50_000)
        #expect(delay(capped, attempts: 1, throttled: true) == 50_000)
        #expect(delay(capped, attempts: 1, retryAfter: 400_000) == 50_000)
        let huge = try! RetrySchedule(delays: [.max], jitter: 0.5, maximumDelay: .max)
        #expect(delay(huge, attempts: 1, unit: 0.999) == .max)
    }

    @Test func specUsesDurationText() throws {
        let schedule = try RetrySchedule(spec: ["5s", "5m", "30m", "2h", "5h", "10h", "10h"], jitter: 0.2)
        #expect(schedule == RetrySchedule.standard)
        let plain = try RetrySchedule(spec: ["250ms", "1h30m"], jitter: 0)
        #expect(plain.delays == [250, 5_400_000])
        #expect(delay(plain, attempts: 1, unit: 0) == 250)
    }

    @Test func invalidSpecsAreRejectedWithTheirPosition() {
        let unknown = #expect(throws: GongkaiError.self) { try RetrySchedule(spec: ["5s", "5y"], jitter: 0.2) }
        #expect(unknown?.code == .invalidField)
        #expect(unknown?.field == "delays[1]")
        let negative = #expect(throws: GongkaiError.self) { try RetrySchedule(spec: ["-5s"], jitter: 0.2) }
        #expect(negative?.field == "delays[0]")
        let zero = #expect(throws: GongkaiError.self) { try RetrySchedule(spec: ["5s", "0s"], jitter: 0.2) }
        #expect(zero?.field == "delays[1]")
        let empty = #expect(throws: GongkaiError.self) { try RetrySchedule(spec: [], jitter: 0.2) }
        #expect(empty?.field == "delays")
    }

    @Test(arguments: [-0.1, 1.0, 1.5, Double.nan, Double.infinity])
    func invalidJitterIsRejected(jitter: Double) {
        let error = #expect(throws: GongkaiError.self) { try RetrySchedule(delays: [1_000], jitter: jitter) }
        #expect(error?.code == .invalidField)
        #expect(error?.field == "jitter")
    }

    @Test func invalidBoundsAreRejected() {
        #expect(throws: GongkaiError.self) { try RetrySchedule(delays: [1_000], minimumThrottleDelay: -1) }
        #expect(throws: GongkaiError.self) { try RetrySchedule(delays: [1_000], maximumRetryAfter: -1) }
        #expect(throws: GongkaiError.self) { try RetrySchedule(delays: [1_000], maximumDelay: 0) }
        #expect(throws: GongkaiError.self) { try RetrySchedule(delays: [1_000, -1]) }
        #expect(throws: Never.self) { try RetrySchedule(delays: [1], jitter: 0, minimumThrottleDelay: 0) }
    }

    @Test func codableRoundTripsAndValidates() throws {
        let data = try JSONEncoder().encode(RetrySchedule.standard)
        #expect(try JSONDecoder().decode(RetrySchedule.self, from: data) == .standard)

        let minimal = try JSONDecoder().decode(RetrySchedule.self, from: Data(#"{"delays":[1000,2000]}"#.utf8))
        #expect(minimal.delays == [1_000, 2_000])
        #expect(minimal.jitter == RetrySchedule.defaultJitter)
        #expect(minimal.maximumDelay == RetrySchedule.defaultMaximumDelay)

        #expect(throws: GongkaiError.self) {
            try JSONDecoder().decode(RetrySchedule.self, from: Data(#"{"delays":[]}"#.utf8))
        }
        #expect(throws: GongkaiError.self) {
            try JSONDecoder().decode(RetrySchedule.self, from: Data(#"{"delays":[1000],"jitter":2}"#.utf8))
        }
    }
}
