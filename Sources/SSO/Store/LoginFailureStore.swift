import Core
import Foundation
import SQLKit

/// Consecutive failed sign-ins per identifier — known or not, so that lockout says nothing about which
/// accounts exist. The identifier is stored as an HMAC, never in the clear.
struct LoginFailureStore: Sendable {
    let database: Database

    struct State: Sendable, Equatable {
        let failures: Int
        let lockouts: Int
        let lockedUntil: Date?
    }

    func state(_ key: String) async throws -> State? {
        try await database.sql.raw(
            "SELECT failures, lockouts, locked_until FROM sso_login_failures WHERE identifier = \(bind: key)"
        ).first().map { row in
            State(
                failures: try row.decode(column: "failures", as: Int.self),
                lockouts: try row.decode(column: "lockouts", as: Int.self),
                lockedUntil: try row.decode(column: "locked_until", as: String?.self).flatMap(Timestamp.date(from:))
            )
        }
    }

    /// Counts a failure; when it reaches `maxFailures`, locks for `base · 2^(lockouts so far)`, at most
    /// `maximum`, and starts counting again. Returns the lock's end when this failure caused one.
    func recordFailure(_ key: String, maxFailures: Int, base: Duration, maximum: Duration) async throws -> Date? {
        let now = Timestamp.now()
        let row = try await database.sql.raw(
            """
            INSERT INTO sso_login_failures (identifier, failures, lockouts, locked_until, updated_at)
            VALUES (\(bind: key), 1, 0, NULL, \(bind: now))
            ON CONFLICT (identifier) DO UPDATE SET failures = sso_login_failures.failures + 1, updated_at = excluded.updated_at
            RETURNING failures, lockouts
            """
        ).first()
        guard let row, try row.decode(column: "failures", as: Int.self) >= maxFailures else { return nil }
        let lockouts = try row.decode(column: "lockouts", as: Int.self)
        let seconds = min(Double(base.components.seconds) * pow(2, Double(min(lockouts, 30))), Double(maximum.components.seconds))
        let until = Date().addingTimeInterval(seconds)
        let locked = try await database.sql.raw(
            """
            UPDATE sso_login_failures SET failures = 0, lockouts = lockouts + 1, locked_until = \(bind: Timestamp.string(from: until))
            WHERE identifier = \(bind: key) AND failures >= \(bind: maxFailures) RETURNING lockouts
            """
        ).first()
        return locked == nil ? nil : until
    }

    func reset(_ key: String) async throws {
        try await database.sql.raw("DELETE FROM sso_login_failures WHERE identifier = \(bind: key)").run()
    }
}
