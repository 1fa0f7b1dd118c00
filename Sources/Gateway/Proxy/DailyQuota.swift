import Core
import Foundation
import NIOConcurrencyHelpers

/// Calls forwarded per grant and Vietnam calendar day. The count starts, the first time a grant is seen
/// on a day in this process, from the transaction log (so a restart does not reset it), then is kept
/// here. Several processes sharing a database each count their own calls.
final class DailyQuota: Sendable {
    private struct Count {
        let day: String
        var used: Int
    }

    private let counts = NIOLockedValueBox<[String: Count]>([:])
    private let store: TransactionStore

    init(store: TransactionStore) {
        self.store = store
    }

    /// Takes one call of `limit` for `grant` on `day`; false when the day's quota is used up.
    func take(grant: String, limit: Int, day: String) async throws -> Bool {
        if counts.withLockedValue({ $0[grant]?.day != day }) {
            let used = try await store.forwardedCount(grant: grant, day: day)
            counts.withLockedValue { counts in
                if counts[grant]?.day != day { counts[grant] = Count(day: day, used: used) }
            }
        }
        return counts.withLockedValue { counts in
            guard var count = counts[grant], count.day == day else { return false }
            guard count.used < limit else { return false }
            count.used += 1
            counts[grant] = count
            return true
        }
    }

    /// Gives a call back (it was not forwarded after all).
    func giveBack(grant: String, day: String) {
        counts.withLockedValue { counts in
            if var count = counts[grant], count.day == day, count.used > 0 {
                count.used -= 1
                counts[grant] = count
            }
        }
    }
}
