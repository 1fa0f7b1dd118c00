import Core
import Foundation
import SQLKit

/// SSO sessions: what lets a second application sign a person in without asking for the password again.
/// The browser holds a random value in a cookie; the table holds its SHA-256 and a public id (`sid`)
/// that tokens carry.
struct SessionStore: Sendable {
    let database: Database

    struct Session: Sendable, Equatable {
        let sid: String
        let userID: String
        let authTime: Date
        let amr: [String]
        let expiresAt: Date
        let lastSeenAt: Date
        /// The external identity provider the person signed in through, nil for a password.
        var idp: String? = nil
    }

    /// Starts a session; returns the cookie value (only ever in the cookie) and the session.
    func create(userID: String, amr: [String], idp: String? = nil, idpSessionID: String? = nil, idle: Duration, max: Duration) async throws -> (cookie: String, session: Session) {
        let cookie = Secrets.token()
        let now = Date()
        let session = Session(
            sid: Secrets.token(bits: 128), userID: userID, authTime: now, amr: amr,
            expiresAt: now.addingTimeInterval(Double(max.components.seconds)), lastSeenAt: now, idp: idp
        )
        try await database.sql.raw(
            """
            INSERT INTO sso_sessions (id_hash, sid, user_id, auth_time, amr, idp, idp_sid, created_at, last_seen_at, expires_at)
            VALUES (\(bind: Secrets.storedHash(cookie)), \(bind: session.sid), \(bind: userID), \(bind: Timestamp.string(from: now)),
                \(bind: JSONColumn.encode(amr)), \(bind: idp), \(bind: idpSessionID), \(bind: Timestamp.string(from: now)), \(bind: Timestamp.string(from: now)),
                \(bind: Timestamp.string(from: session.expiresAt)))
            """
        ).run()
        return (cookie, session)
    }

    /// The live session of a cookie: not ended, not past its maximum, used within `idle`. Touches it.
    func live(cookie: String, idle: Duration) async throws -> Session? {
        let now = Date()
        guard let row = try await database.sql.raw(
            """
            SELECT sid, user_id, auth_time, amr, idp, expires_at, last_seen_at FROM sso_sessions
            WHERE id_hash = \(bind: Secrets.storedHash(cookie)) AND ended_at IS NULL AND expires_at > \(bind: Timestamp.string(from: now))
            """
        ).first() else { return nil }
        let session = try Self.session(from: row)
        guard now.timeIntervalSince(session.lastSeenAt) < Double(idle.components.seconds) else { return nil }
        try await database.sql.raw(
            "UPDATE sso_sessions SET last_seen_at = \(bind: Timestamp.string(from: now)) WHERE sid = \(bind: session.sid)"
        ).run()
        return session
    }

    /// A session not ended and not past its maximum lifetime (idle time is the browser's concern; tokens
    /// have their own).
    func find(sid: String) async throws -> Session? {
        try await database.sql.raw(
            """
            SELECT sid, user_id, auth_time, amr, idp, expires_at, last_seen_at FROM sso_sessions
            WHERE sid = \(bind: sid) AND ended_at IS NULL AND expires_at > \(bind: Timestamp.now())
            """
        ).first().map(Self.session(from:))
    }

    /// Ends a session; true when it was live.
    @discardableResult
    func end(sid: String) async throws -> Bool {
        try await database.sql.raw(
            "UPDATE sso_sessions SET ended_at = \(bind: Timestamp.now()) WHERE sid = \(bind: sid) AND ended_at IS NULL RETURNING sid"
        ).first() != nil
    }

    /// Ends the sessions started through provider `idp` for `userID` (all of them, or the one the provider
    /// calls `idpSessionID`), or, without a user, the one with that provider session id.
    func endFederated(idp: String, userID: String?, idpSessionID: String?) async throws -> [(sid: String, userID: String)] {
        var query = SQLQueryString("UPDATE sso_sessions SET ended_at = ") + "\(bind: Timestamp.now())"
            + " WHERE ended_at IS NULL AND idp = \(bind: idp)"
        if let userID { query = query + " AND user_id = \(bind: userID)" }
        if let idpSessionID { query = query + " AND idp_sid = \(bind: idpSessionID)" }
        query = query + " RETURNING sid, user_id"
        return try await database.sql.raw(query).all().map {
            (try $0.decode(column: "sid", as: String.self), try $0.decode(column: "user_id", as: String.self))
        }
    }

    /// Ends every session of a user but `kept` (disabled account, password reset or change).
    func endAll(userID: String, except kept: String? = nil) async throws -> [String] {
        try await database.sql.raw(
            """
            UPDATE sso_sessions SET ended_at = \(bind: Timestamp.now())
            WHERE user_id = \(bind: userID) AND ended_at IS NULL AND sid <> \(bind: kept ?? "") RETURNING sid
            """
        ).all().map { try $0.decode(column: "sid", as: String.self) }
    }

    static func session(from row: any SQLRow) throws -> Session {
        Session(
            sid: try row.decode(column: "sid", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            authTime: Timestamp.date(from: try row.decode(column: "auth_time", as: String.self)) ?? .distantPast,
            amr: JSONColumn.decode(try row.decode(column: "amr", as: String.self)),
            expiresAt: Timestamp.date(from: try row.decode(column: "expires_at", as: String.self)) ?? .distantPast,
            lastSeenAt: Timestamp.date(from: try row.decode(column: "last_seen_at", as: String.self)) ?? .distantPast,
            idp: try row.decode(column: "idp", as: String?.self)
        )
    }
}
