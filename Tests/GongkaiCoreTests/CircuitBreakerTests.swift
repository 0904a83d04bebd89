import Testing

@testable import GongkaiCore

@Suite struct CircuitBreakerTests {
    @Test func defaults() throws {
        let breaker = CircuitBreaker.standard
        #expect(breaker.failureThreshold == 5)
        #expect(breaker.openDuration == 30_000)
        #expect(breaker.halfOpenMaxProbes == 1)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(try CircuitBreaker() == breaker)
    }

    @Test func opensAtThreshold() {
        var breaker = CircuitBreaker.standard
        for failure in 1...4 {
            #expect(breaker.permit(now: 1_000) == true)
            breaker.recordFailure(now: 1_000)
            #expect(breaker.state == .closed(consecutiveFailures: failure))
            #expect(!breaker.isOpen)
        }
        breaker.recordFailure(now: 2_000)
        #expect(breaker.isOpen)
        #expect(breaker.state == .open(until: 32_000))
        #expect(breaker.retryAt(now: 2_000) == 32_000)
    }

    @Test func refusesWhileOpen() {
        var breaker = openBreaker(at: 0)
        #expect(breaker.permit(now: 1) == false)
        #expect(breaker.permit(now: 29_999) == false)
        #expect(breaker.isOpen)
        // A straggler failure must not push the reopening back.
        breaker.recordFailure(now: 20_000)
        #expect(breaker.state == .open(until: 30_000))
        #expect(breaker.retryAt(now: 40_000) == 40_000)
    }

    @Test func letsOneProbeThroughWhenHalfOpen() {
        var breaker = openBreaker(at: 0)
        #expect(breaker.permit(now: 30_000) == true)
        #expect(breaker.state == .halfOpen(probesInFlight: 1))
        #expect(!breaker.isOpen)
        #expect(breaker.retryAt(now: 30_000) == nil)
        #expect(breaker.permit(now: 30_001) == false)
        #expect(breaker.state == .halfOpen(probesInFlight: 1))
    }

    @Test func halfOpenAllowsConfiguredProbes() throws {
        var breaker = try CircuitBreaker(failureThreshold: 1, openDuration: 10, halfOpenMaxProbes: 3)
        breaker.recordFailure(now: 0)
        #expect(breaker.permit(now: 10) == true)
        #expect(breaker.permit(now: 10) == true)
        #expect(breaker.permit(now: 10) == true)
        #expect(breaker.permit(now: 10) == false)
        breaker.releaseProbe()
        #expect(breaker.state == .halfOpen(probesInFlight: 2))
        #expect(breaker.permit(now: 11) == true)
    }

    @Test func successInHalfOpenCloses() {
        var breaker = openBreaker(at: 0)
        #expect(breaker.permit(now: 31_000) == true)
        breaker.recordSuccess(now: 31_500)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.permit(now: 31_501) == true)
        #expect(breaker.permit(now: 31_502) == true)
    }

    @Test func failureInHalfOpenReopens() {
        var breaker = openBreaker(at: 0)
        #expect(breaker.permit(now: 31_000) == true)
        breaker.recordFailure(now: 32_000)
        #expect(breaker.state == .open(until: 62_000))
        #expect(breaker.permit(now: 61_999) == false)
        #expect(breaker.permit(now: 62_000) == true)
    }

    @Test func successResetsTheCount() {
        var breaker = CircuitBreaker.standard
        for _ in 1...4 { breaker.recordFailure(now: 0) }
        breaker.recordSuccess(now: 1)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        for _ in 1...4 { breaker.recordFailure(now: 2) }
        #expect(!breaker.isOpen)
        breaker.recordFailure(now: 3)
        #expect(breaker.isOpen)
    }

    @Test func releaseOutsideHalfOpenChangesNothing() {
        var breaker = CircuitBreaker.standard
        breaker.recordFailure(now: 0)
        breaker.releaseProbe()
        #expect(breaker.state == .closed(consecutiveFailures: 1))
    }

    @Test func farFutureClockSaturates() throws {
        var breaker = try CircuitBreaker(failureThreshold: 1)
        breaker.recordFailure(now: .max - 10)
        #expect(breaker.state == .open(until: .max))
    }

    @Test func invalidConfigurationIsRejected() {
        let threshold = #expect(throws: GongkaiError.self) { try CircuitBreaker(failureThreshold: 0) }
        #expect(threshold?.field == "failureThreshold")
        let duration = #expect(throws: GongkaiError.self) { try CircuitBreaker(openDuration: -1) }
        #expect(duration?.field == "openDuration")
        let probes = #expect(throws: GongkaiError.self) { try CircuitBreaker(halfOpenMaxProbes: 0) }
        #expect(probes?.field == "halfOpenMaxProbes")
    }

    private func openBreaker(at now: Int64) -> CircuitBreaker {
        var breaker = CircuitBreaker.standard
        for _ in 1...5 { breaker.recordFailure(now: now) }
        return breaker
    }
}
