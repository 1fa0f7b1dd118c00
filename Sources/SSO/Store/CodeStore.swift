import Core
import Foundation
import SQLKit

/// Authorization codes: single use, bound to client, redirect URI and PKCE challenge, valid 60 seconds.
/// Only their SHA-256 is stored.
struct CodeStore: Sendable {
    let database: Database
    static let lifetime: TimeInterval = 60

    struct Code: Sendable {
        let clientID: String
        let userID: String
        let sid: String
        let redirectURI: String
        let scope: [String]
        let nonce: String?
        let codeChallenge: String?
        let codeChallengeMethod: String?
        let authTime: Date
        let amr: [String]
        let expiresAt: Date
        let usedAt: Date?
        let familyID: String?
        let accessJTI: String?
    }

    func create(
        clientID: String, userID: String, sid: String, redirectURI: String, scope: [String], nonce: String?, codeChallenge: String?,
        codeChallengeMethod: String?, authTime: Date, amr: [String]
    ) async throws -> String {
        let code = Secrets.token()
        let now = Date()
        try await database.sql.raw(
            """
            INSERT INTO sso_codes (code_hash, client_id, user_id, sid, redirect_uri, scope, nonce, code_challenge, code_challenge_method,
                auth_time, amr, created_at, expires_at)
            VALUES (\(bind: Secrets.storedHash(code)), \(bind: clientID), \(bind: userID), \(bind: sid), \(bind: redirectURI),
                \(bind: scope.joined(separator: " ")), \(bind: nonce), \(bind: codeChallenge), \(bind: codeChallengeMethod),
                \(bind: Timestamp.string(from: authTime)), \(bind: JSONColumn.encode(amr)), \(bind: Timestamp.string(from: now)),
                \(bind: Timestamp.string(from: now.addingTimeInterval(Self.lifetime))))
            """
        ).run()
        return code
    }

    func find(_ code: String) async throws -> Code? {
        guard let row = try await database.sql.raw(
            """
            SELECT client_id, user_id, sid, redirect_uri, scope, nonce, code_challenge, code_challenge_method, auth_time, amr,
                expires_at, used_at, family_id, access_jti
            FROM sso_codes WHERE code_hash = \(bind: Secrets.storedHash(code))
            """
        ).first() else { return nil }
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: String?.self).flatMap(Timestamp.date(from:))
        }
        return Code(
            clientID: try row.decode(column: "client_id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            sid: try row.decode(column: "sid", as: String.self),
            redirectURI: try row.decode(column: "redirect_uri", as: String.self),
            scope: Scopes.parse(try row.decode(column: "scope", as: String.self)),
            nonce: try row.decode(column: "nonce", as: String?.self),
            codeChallenge: try row.decode(column: "code_challenge", as: String?.self),
            codeChallengeMethod: try row.decode(column: "code_challenge_method", as: String?.self),
            authTime: try date("auth_time") ?? .distantPast,
            amr: JSONColumn.decode(try row.decode(column: "amr", as: String.self)),
            expiresAt: try date("expires_at") ?? .distantPast,
            usedAt: try date("used_at"),
            familyID: try row.decode(column: "family_id", as: String?.self),
            accessJTI: try row.decode(column: "access_jti", as: String?.self)
        )
    }

    /// Marks the code used and records what it is being exchanged for (so that a replay can revoke it),
    /// in one statement; false when it was already used, whoever got there first.
    func markUsed(_ code: String, familyID: String?, accessJTI: String) async throws -> Bool {
        try await database.sql.raw(
            """
            UPDATE sso_codes SET used_at = \(bind: Timestamp.now()), family_id = \(bind: familyID), access_jti = \(bind: accessJTI)
            WHERE code_hash = \(bind: Secrets.storedHash(code)) AND used_at IS NULL RETURNING code_hash
            """
        ).first() != nil
    }

    func purgeExpired() async throws {
        // Kept a day past expiry so that a late replay is still recognised as one.
        let cutoff = Timestamp.string(from: Date().addingTimeInterval(-86400))
        try await database.sql.raw("DELETE FROM sso_codes WHERE expires_at < \(bind: cutoff)").run()
    }
}
