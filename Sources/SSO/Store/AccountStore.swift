import Core
import Foundation
import SQLKit

/// Accounts in `sso_users`.
struct AccountStore: Sendable {
    let database: Database

    static let columns = """
        id, kind, username, personal_id, tax_code, name, email, agency_code, roles, totp_secret, totp_required, disabled,
        created_at, updated_at, password_changed_at
        """

    struct Credentials: Sendable {
        let account: Account
        let passwordHash: String
        let sealedTOTPSecret: String?
        let lastTOTPStep: Int64?
    }

    func insert(_ account: Account, passwordHash: String) async throws {
        try await database.sql.raw(
            """
            INSERT INTO sso_users (id, kind, username, personal_id, tax_code, name, email, agency_code, roles, password_hash,
                password_changed_at, totp_secret, totp_required, disabled, created_at, updated_at)
            VALUES (\(bind: account.id), \(bind: account.kind.rawValue), \(bind: account.username), \(bind: account.personalID),
                \(bind: account.taxCode), \(bind: account.name), \(bind: account.email), \(bind: account.agencyCode),
                \(bind: JSONColumn.encode(account.roles)), \(bind: passwordHash), \(bind: account.passwordChangedAt), NULL,
                \(bind: account.totpRequired), \(bind: account.disabled), \(bind: account.createdAt), \(bind: account.updatedAt))
            """
        ).run()
    }

    func find(id: String) async throws -> Account? {
        try await database.sql.raw(SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM sso_users WHERE id = ") + "\(bind: id)")
            .first().map(Self.account(from:))
    }

    /// The account a sign-in identifier names: an official's username, or a citizen's personal id or tax code.
    func credentials(forLogin identifier: String) async throws -> Credentials? {
        let row = try await database.sql.raw(
            SQLQueryString("SELECT \(unsafeRaw: Self.columns), password_hash, totp_last_step FROM sso_users WHERE ")
                + "username = \(bind: identifier) OR personal_id = \(bind: identifier) OR tax_code = \(bind: identifier) LIMIT 1"
        ).first()
        return try row.map(Self.credentials(from:))
    }

    func credentials(id: String) async throws -> Credentials? {
        let row = try await database.sql.raw(
            SQLQueryString("SELECT \(unsafeRaw: Self.columns), password_hash, totp_last_step FROM sso_users WHERE ") + "id = \(bind: id)"
        ).first()
        return try row.map(Self.credentials(from:))
    }

    func list(kind: Account.Kind?, query: String?, after: String?, limit: Int) async throws -> [Account] {
        var sql = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM sso_users WHERE 1 = 1")
        if let kind { sql = sql + " AND kind = \(bind: kind.rawValue)" }
        if let query, !query.isEmpty {
            let pattern = "%" + query.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            sql = sql + " AND (LOWER(username) LIKE \(bind: pattern) OR LOWER(name) LIKE \(bind: pattern))"
        }
        if let after { sql = sql + " AND id > \(bind: after)" }
        sql = sql + " ORDER BY id LIMIT \(bind: limit)"
        return try await database.sql.raw(sql).all().map(Self.account(from:))
    }

    func update(_ account: Account) async throws {
        try await database.sql.raw(
            """
            UPDATE sso_users SET name = \(bind: account.name), email = \(bind: account.email), agency_code = \(bind: account.agencyCode),
                roles = \(bind: JSONColumn.encode(account.roles)), totp_required = \(bind: account.totpRequired),
                disabled = \(bind: account.disabled), updated_at = \(bind: account.updatedAt)
            WHERE id = \(bind: account.id)
            """
        ).run()
    }

    func setPassword(id: String, hash: String, at: String) async throws {
        try await database.sql.raw(
            "UPDATE sso_users SET password_hash = \(bind: hash), password_changed_at = \(bind: at), updated_at = \(bind: at) WHERE id = \(bind: id)"
        ).run()
    }

    func setTOTPSecret(id: String, sealed: String?, at: String) async throws {
        try await database.sql.raw(
            "UPDATE sso_users SET totp_secret = \(bind: sealed), totp_last_step = NULL, updated_at = \(bind: at) WHERE id = \(bind: id)"
        ).run()
    }

    /// Records the time step of an accepted TOTP code; false when that step (or a later one) was already
    /// used, so a code cannot be replayed.
    func claimTOTPStep(id: String, step: Int64) async throws -> Bool {
        let row = try await database.sql.raw(
            """
            UPDATE sso_users SET totp_last_step = \(bind: step)
            WHERE id = \(bind: id) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
            RETURNING id
            """
        ).first()
        return row != nil
    }

    static func account(from row: any SQLRow) throws -> Account {
        Account(
            id: try row.decode(column: "id", as: String.self),
            kind: Account.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .citizen,
            username: try row.decode(column: "username", as: String.self),
            personalID: try row.decode(column: "personal_id", as: String?.self),
            taxCode: try row.decode(column: "tax_code", as: String?.self),
            name: try row.decode(column: "name", as: String.self),
            email: try row.decode(column: "email", as: String?.self),
            agencyCode: try row.decode(column: "agency_code", as: String?.self),
            roles: JSONColumn.decode(try row.decode(column: "roles", as: String.self)),
            totpRequired: try row.decode(column: "totp_required", as: Bool.self),
            hasTOTP: try row.decode(column: "totp_secret", as: String?.self) != nil,
            disabled: try row.decode(column: "disabled", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self),
            passwordChangedAt: try row.decode(column: "password_changed_at", as: String.self)
        )
    }

    static func credentials(from row: any SQLRow) throws -> Credentials {
        Credentials(
            account: try account(from: row),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            sealedTOTPSecret: try row.decode(column: "totp_secret", as: String?.self),
            lastTOTPStep: try row.decode(column: "totp_last_step", as: Int64?.self)
        )
    }
}
