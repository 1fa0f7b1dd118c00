import Foundation
import NIOConcurrencyHelpers

/// At most `limit` attempts a minute from one address (fixed one-minute windows, in memory: each
/// process counts its own).
final class IPRateLimiter: Sendable {
    let limit: Int
    private let windows = NIOLockedValueBox<[String: (start: Date, count: Int)]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts an attempt; false when the address is over its limit (the attempt is refused).
    func allow(_ address: String, now: Date = Date()) -> Bool {
        windows.withLockedValue { windows in
            if windows.count > 100_000 {
                windows = windows.filter { now.timeIntervalSince($0.value.start) < 60 }
            }
            var window = windows[address] ?? (now, 0)
            if now.timeIntervalSince(window.start) >= 60 { window = (now, 0) }
            window.count += 1
            windows[address] = window
            return window.count <= limit
        }
    }
}
