import Foundation
import Testing

@testable import Gateway

/// The per-grant token bucket (R-7.1a-api): exact bursts, refill at the rate, and clocks read out of
/// order by concurrent calls never refill it.
@Suite struct GatewayRateLimiterTests {
    @Test func aBurstPassesExactlyThenTheRateRefills() {
        let limiter = RateLimiter()
        let start: UInt64 = 1_000_000_000
        for _ in 0..<3 { #expect(limiter.take("g", ratePerSecond: 2, burst: 3, now: start) == .allowed) }
        guard case .limited(let wait) = limiter.take("g", ratePerSecond: 2, burst: 3, now: start) else {
            Issue.record("the 4th call of a burst of 3 passed")
            return
        }
        #expect(abs(wait - 0.5) < 0.001)
        #expect(limiter.take("g", ratePerSecond: 2, burst: 3, now: start + 500_000_000) == .allowed)
        #expect(limiter.take("g", ratePerSecond: 2, burst: 3, now: start + 500_000_000) != .allowed)
    }

    @Test func anEarlierClockReadingDoesNotRefillTheBucket() {
        let limiter = RateLimiter()
        let later: UInt64 = 5_000_000_000
        for _ in 0..<2 { #expect(limiter.take("g", ratePerSecond: 1, burst: 2, now: later) == .allowed) }
        // A call that read the clock before the last one took the lock.
        #expect(limiter.take("g", ratePerSecond: 1, burst: 2, now: later - 1_000) != .allowed)
        #expect(limiter.take("g", ratePerSecond: 1, burst: 2, now: later) != .allowed)
    }
}
