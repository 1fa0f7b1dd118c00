import Core
import Foundation
import SQLKit

/// Refresh tokens: opaque, stored as SHA-256, rotated on every use. Tokens of one sign-in form a family;
/// presenting a token that was already rotated (a replay: someone else has a copy) revokes the family.
struct RefreshTokenStore: Sendable {
    let database: Database

    struct Token: Sendable {
        let familyID: String
        let clientID: String
        let userID: String
        let sid: String
        let scope: [String]
        let authTime: Date
        let amr: [String]
        let expiresAt: Date
        let familyExpiresAt: Date
        let usedAt: Date?
        let revokedAt: Date?
    }

    /// Issues a token in `familyID` (a new family when nil), valid for `idle` but never past the family's end.
    func issue(
        familyID: String?, familyExpiresAt: Date, clientID: String, userID: String, sid: String, scope: [String], authTime: Date,
        amr: [String], idle: Duration
    ) async throws -> (token: String, familyID: String, expiresAt: Date) {
        let token = Secrets.token()
        let family = familyID ?? Secrets.token(bits: 128)
        let now = Date()
        let expires = min(now.addingTimeInterval(Double(idle.components.seconds)), familyExpiresAt)
        try await database.sql.raw(
            """
            INSERT INTO sso_refresh_tokens (token_hash, family_id, client_id, user_id, sid, scope, auth_time, amr, created_at,
                expires_at, family_expires_at)
            VALUES (\(bind: Secrets.storedHash(token)), \(bind: family), \(bind: clientID), \(bind: userID), \(bind: sid),
                \(bind: scope.joined(separator: " ")), \(bind: Timestamp.string(from: authTime)), \(bind: JSONColumn.encode(amr)),
                \(bind: Timestamp.string(from: now)), \(bind: Timestamp.string(from: expires)), \(bind: Timestamp.string(from: familyExpiresAt)))
            """
        ).run()
        return (token, family, expires)
    }

    func find(_ token: String) async throws -> Token? {
        guard let row = try await database.sql.raw(
            """
            SELECT family_id, client_id, user_id, sid, scope, auth_time, amr, expires_at, family_expires_at, used_at, revoked_at
            FROM sso_refresh_tokens WHERE token_hash = \(bind: Secrets.storedHash(token))
            """
        ).first() else { return nil }
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: String?.self).flatMap(Timestamp.date(from:))
        }
        return Token(
            familyID: try row.decode(column: "family_id", as: String.self),
            clientID: try row.decode(column: "client_id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            sid: try row.decode(column: "sid", as: String.self),
            scope: Scopes.parse(try row.decode(column: "scope", as: String.self)),
            authTime: try date("auth_time") ?? .distantPast,
            amr: JSONColumn.decode(try row.decode(column: "amr", as: String.self)),
            expiresAt: try date("expires_at") ?? .distantPast,
            familyExpiresAt: try date("family_expires_at") ?? .distantPast,
            usedAt: try date("used_at"),
            revokedAt: try date("revoked_at")
        )
    }

    /// Marks the token rotated; false when it already was (a replay).
    func markUsed(_ token: String) async throws -> Bool {
        try await database.sql.raw(
            """
            UPDATE sso_refresh_tokens SET used_at = \(bind: Timestamp.now())
            WHERE token_hash = \(bind: Secrets.storedHash(token)) AND used_at IS NULL AND revoked_at IS NULL RETURNING token_hash
            """
        ).first() != nil
    }

    func revokeFamily(_ familyID: String) async throws {
        try await database.sql.raw(
            "UPDATE sso_refresh_tokens SET revoked_at = \(bind: Timestamp.now()) WHERE family_id = \(bind: familyID) AND revoked_at IS NULL"
        ).run()
    }

    /// Families of a session (logout revokes them).
    func families(sid: String) async throws -> [String] {
        try await database.sql.raw("SELECT DISTINCT family_id FROM sso_refresh_tokens WHERE sid = \(bind: sid) AND revoked_at IS NULL")
            .all().map { try $0.decode(column: "family_id", as: String.self) }
    }

    /// Live families of a user (role changes) or of a client (scope changes, disabled client).
    func families(userID: String) async throws -> [String] {
        try await database.sql.raw("SELECT DISTINCT family_id FROM sso_refresh_tokens WHERE user_id = \(bind: userID) AND revoked_at IS NULL")
            .all().map { try $0.decode(column: "family_id", as: String.self) }
    }

    func families(clientID: String) async throws -> [String] {
        try await database.sql.raw("SELECT DISTINCT family_id FROM sso_refresh_tokens WHERE client_id = \(bind: clientID) AND revoked_at IS NULL")
            .all().map { try $0.decode(column: "family_id", as: String.self) }
    }

    func purgeExpired() async throws {
        let cutoff = Timestamp.string(from: Date().addingTimeInterval(-86400))
        try await database.sql.raw("DELETE FROM sso_refresh_tokens WHERE family_expires_at < \(bind: cutoff)").run()
    }
}
