import Core
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// What has been revoked before its natural expiry: access tokens (by `jti`), refresh-token families
/// (every token of the family) and SSO sessions (every token issued in the session). Held in memory for
/// the token checks of every request; synchronized from `sso_revocations` at most every
/// `syncInterval`, so a revocation made by another process sharing the database takes effect within it.
final class RevocationList: Sendable {
    enum Kind: String, Sendable {
        case jti, family, session
    }

    let database: Database
    let syncInterval: Duration
    private let state: NIOLockedValueBox<State>

    struct State {
        var revoked: [Kind: [String: Date]] = [.jti: [:], .family: [:], .session: [:]]
        var lastCreatedAt = ""
        var syncedAt: ContinuousClock.Instant?
        var syncing = false
        var purgedAt: ContinuousClock.Instant?
    }

    init(database: Database, syncInterval: Duration = .seconds(2)) {
        self.database = database
        self.syncInterval = syncInterval
        self.state = NIOLockedValueBox(State())
    }

    func isRevoked(jti: String?, family: String?, session: String?) async -> Bool {
        await syncIfStale()
        let now = Date()
        return state.withLockedValue { state in
            func check(_ kind: Kind, _ value: String?) -> Bool {
                guard let value, let until = state.revoked[kind]?[value] else { return false }
                return until > now
            }
            return check(.jti, jti) || check(.family, family) || check(.session, session)
        }
    }

    /// Revokes until `expiresAt` (after which the token would be dead anyway); committed before return.
    func revoke(_ kind: Kind, _ value: String, until expiresAt: Date, in transaction: (any SQLDatabase)? = nil) async throws {
        let connection = transaction ?? database.sql
        try await connection.raw(
            """
            INSERT INTO sso_revocations (kind, value, expires_at, created_at)
            VALUES (\(bind: kind.rawValue), \(bind: value), \(bind: Timestamp.string(from: expiresAt)), \(bind: Timestamp.now()))
            ON CONFLICT (kind, value) DO NOTHING
            """
        ).run()
        state.withLockedValue { state in
            state.revoked[kind, default: [:]][value] = expiresAt
        }
    }

    /// Loads everything not yet expired.
    func load() async throws {
        try await sync(force: true)
    }

    private func syncIfStale() async {
        let due = state.withLockedValue { state -> Bool in
            guard !state.syncing else { return false }
            if let synced = state.syncedAt, ContinuousClock.now - synced < syncInterval { return false }
            state.syncing = true
            return true
        }
        guard due else { return }
        // A failed sync keeps the current list; the next request retries.
        try? await sync(force: false)
        state.withLockedValue { $0.syncing = false }
    }

    private func sync(force: Bool) async throws {
        let lastSeen = state.withLockedValue { force ? "" : $0.lastCreatedAt }
        // Rows are stamped by the writing process's clock and may commit out of order: read again the last
        // minute before the newest row seen (merging is idempotent), so a late commit or a clock up to a
        // minute behind is not missed. Hosts keep their clocks synchronized.
        let since = lastSeen.isEmpty ? "" : Timestamp.string(from: (Timestamp.date(from: lastSeen) ?? Date()).addingTimeInterval(-60))
        let now = Timestamp.now()
        let rows = try await database.sql.raw(
            """
            SELECT kind, value, expires_at, created_at FROM sso_revocations
            WHERE created_at >= \(bind: since) AND expires_at > \(bind: now)
            ORDER BY created_at
            """
        ).all()
        var latest = lastSeen
        var found: [(Kind, String, Date)] = []
        for row in rows {
            guard let kind = Kind(rawValue: try row.decode(column: "kind", as: String.self)),
                let until = Timestamp.date(from: try row.decode(column: "expires_at", as: String.self))
            else { continue }
            found.append((kind, try row.decode(column: "value", as: String.self), until))
            latest = max(latest, try row.decode(column: "created_at", as: String.self))
        }
        let purgeDue = state.withLockedValue { state -> Bool in
            for (kind, value, until) in found { state.revoked[kind, default: [:]][value] = until }
            state.lastCreatedAt = latest
            state.syncedAt = .now
            let nowDate = Date()
            for kind in [Kind.jti, .family, .session] {
                state.revoked[kind] = state.revoked[kind]?.filter { $0.value > nowDate }
            }
            if let purged = state.purgedAt, ContinuousClock.now - purged < .seconds(600) { return false }
            state.purgedAt = .now
            return true
        }
        if purgeDue {
            try await database.sql.raw("DELETE FROM sso_revocations WHERE expires_at < \(bind: now)").run()
        }
    }
}
