import Foundation
import NIOConcurrencyHelpers

/// Per-grant token buckets: `burst` calls at once, refilled at `ratePerSecond`. Each decision is taken
/// under one lock, so a burst of concurrent calls gets exactly `burst` through, never one more. The
/// buckets live in this process (several processes each allow the rate: set it per process).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var last: UInt64
        let rate: Double
        let burst: Double
    }

    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])

    enum Decision: Equatable {
        case allowed
        /// Seconds until a call would be allowed.
        case limited(retryAfter: Double)
    }

    /// `now` (tests) defaults to the clock read under the lock, so concurrent calls see it move forward.
    func take(_ key: String, ratePerSecond rate: Double, burst: Int, now given: UInt64? = nil) -> Decision {
        buckets.withLockedValue { buckets in
            let now = given ?? DispatchTime.now().uptimeNanoseconds
            var bucket = buckets[key].flatMap { $0.rate == rate && $0.burst == Double(burst) ? $0 : nil }
                ?? Bucket(tokens: Double(burst), last: now, rate: rate, burst: Double(burst))
            let elapsed = now > bucket.last ? Double(now - bucket.last) / 1_000_000_000 : 0
            bucket.tokens = min(bucket.burst, bucket.tokens + elapsed * rate)
            bucket.last = max(bucket.last, now)
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                return .allowed
            }
            buckets[key] = bucket
            return .limited(retryAfter: (1 - bucket.tokens) / rate)
        }
    }
}
