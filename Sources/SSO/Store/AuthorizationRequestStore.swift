import Core
import Foundation
import SQLKit

/// An authorization request waiting for the person to sign in: the client's parameters, kept server-side
/// while the login form is shown, with the hash of the form's CSRF token.
struct AuthorizationRequest: Sendable, Equatable {
    let id: String
    let csrfHash: String
    let clientID: String
    let redirectURI: String
    let scope: [String]
    let state: String?
    let nonce: String?
    let codeChallenge: String?
    let codeChallengeMethod: String?
    let loginHint: String?
    var pendingUserID: String?
    let expiresAt: Date
}

struct AuthorizationRequestStore: Sendable {
    let database: Database
    static let lifetime: TimeInterval = 15 * 60

    /// Stores a request; returns it and the CSRF token for its form (and cookie).
    func create(
        clientID: String, redirectURI: String, scope: [String], state: String?, nonce: String?, codeChallenge: String?,
        codeChallengeMethod: String?, loginHint: String?
    ) async throws -> (AuthorizationRequest, csrf: String) {
        let csrf = Secrets.token()
        let now = Date()
        let request = AuthorizationRequest(
            id: Secrets.token(bits: 128), csrfHash: Secrets.storedHash(csrf), clientID: clientID, redirectURI: redirectURI,
            scope: scope, state: state, nonce: nonce, codeChallenge: codeChallenge, codeChallengeMethod: codeChallengeMethod,
            loginHint: loginHint, pendingUserID: nil, expiresAt: now.addingTimeInterval(Self.lifetime)
        )
        try await database.sql.raw(
            """
            INSERT INTO sso_auth_requests (id, csrf_hash, client_id, redirect_uri, scope, state, nonce, code_challenge,
                code_challenge_method, login_hint, created_at, expires_at)
            VALUES (\(bind: request.id), \(bind: request.csrfHash), \(bind: clientID), \(bind: redirectURI),
                \(bind: scope.joined(separator: " ")), \(bind: state), \(bind: nonce), \(bind: codeChallenge), \(bind: codeChallengeMethod),
                \(bind: loginHint), \(bind: Timestamp.string(from: now)), \(bind: Timestamp.string(from: request.expiresAt)))
            """
        ).run()
        return (request, csrf)
    }

    func find(_ id: String) async throws -> AuthorizationRequest? {
        guard let row = try await database.sql.raw(
            """
            SELECT id, csrf_hash, client_id, redirect_uri, scope, state, nonce, code_challenge, code_challenge_method, login_hint,
                pending_user_id, expires_at
            FROM sso_auth_requests WHERE id = \(bind: id) AND expires_at > \(bind: Timestamp.now())
            """
        ).first() else { return nil }
        return AuthorizationRequest(
            id: try row.decode(column: "id", as: String.self),
            csrfHash: try row.decode(column: "csrf_hash", as: String.self),
            clientID: try row.decode(column: "client_id", as: String.self),
            redirectURI: try row.decode(column: "redirect_uri", as: String.self),
            scope: Scopes.parse(try row.decode(column: "scope", as: String.self)),
            state: try row.decode(column: "state", as: String?.self),
            nonce: try row.decode(column: "nonce", as: String?.self),
            codeChallenge: try row.decode(column: "code_challenge", as: String?.self),
            codeChallengeMethod: try row.decode(column: "code_challenge_method", as: String?.self),
            loginHint: try row.decode(column: "login_hint", as: String?.self),
            pendingUserID: try row.decode(column: "pending_user_id", as: String?.self),
            expiresAt: Timestamp.date(from: try row.decode(column: "expires_at", as: String.self)) ?? .distantPast
        )
    }

    /// A new CSRF token for a request's form (the login page shown again); the previous one stops working.
    func renewCSRF(_ id: String) async throws -> String {
        let csrf = Secrets.token()
        try await database.sql.raw("UPDATE sso_auth_requests SET csrf_hash = \(bind: Secrets.storedHash(csrf)), pending_user_id = NULL WHERE id = \(bind: id)").run()
        return csrf
    }

    func setPendingUser(_ id: String, userID: String?) async throws {
        try await database.sql.raw("UPDATE sso_auth_requests SET pending_user_id = \(bind: userID) WHERE id = \(bind: id)").run()
    }

    /// Deletes a request once it has produced a code; true when this call removed it (single use).
    func consume(_ id: String) async throws -> Bool {
        try await database.sql.raw("DELETE FROM sso_auth_requests WHERE id = \(bind: id) RETURNING id").first() != nil
    }

    func purgeExpired() async throws {
        try await database.sql.raw("DELETE FROM sso_auth_requests WHERE expires_at < \(bind: Timestamp.now())").run()
    }
}
