import Core
import Foundation
import SQLKit

/// The broker's state (one row per redirect to the provider: single use, bound to the browser, 10
/// minutes) and the links from external identities to accounts.
struct BrokerStore: Sendable {
    let database: Database
    static let lifetime: TimeInterval = 600
    /// Federated accounts have no password: this is no bcrypt hash, so no password ever matches.
    static let noPassword = "!federated"

    struct State: Sendable {
        let provider: String
        let authRequestID: String
        let browserHash: String
        let nonce: String
        let sealedVerifier: String
    }

    enum Consumed: Sendable {
        case fresh(State)
        /// Already used: a replayed callback.
        case replayed(State)
        case unknown
    }

    func create(provider: String, authRequestID: String, browser: String, nonce: String, sealedVerifier: String) async throws -> String {
        let state = Secrets.token()
        let now = Date()
        try await database.sql.raw(
            """
            INSERT INTO sso_broker_states (state_hash, provider, auth_request_id, browser_hash, nonce, code_verifier, created_at, expires_at)
            VALUES (\(bind: Secrets.storedHash(state)), \(bind: provider), \(bind: authRequestID), \(bind: Secrets.storedHash(browser)),
                \(bind: nonce), \(bind: sealedVerifier), \(bind: Timestamp.string(from: now)),
                \(bind: Timestamp.string(from: now.addingTimeInterval(Self.lifetime))))
            """
        ).run()
        return state
    }

    /// The state, without using it (to check the browser before anything else).
    func peek(_ state: String) async throws -> State? {
        try await database.sql.raw(
            "SELECT provider, auth_request_id, browser_hash, nonce, code_verifier FROM sso_broker_states WHERE state_hash = \(bind: Secrets.storedHash(state))"
        ).first().map(Self.state)
    }

    /// Records a back-channel logout token's `jti`; false when it was seen before (a replay).
    func firstUse(provider: String, jti: String, until: Date) async throws -> Bool {
        try await database.sql.raw(
            """
            INSERT INTO sso_client_assertions (jti_hash, client_id, expires_at)
            VALUES (\(bind: Secrets.storedHash("logout\u{0}" + provider + "\u{0}" + jti)), \(bind: "idp:" + provider), \(bind: Timestamp.string(from: until)))
            ON CONFLICT (jti_hash) DO NOTHING RETURNING jti_hash
            """
        ).first() != nil
    }

    /// Marks the state used; tells a first use from a replay.
    func consume(_ state: String) async throws -> Consumed {
        let hash = Secrets.storedHash(state)
        let columns = "provider, auth_request_id, browser_hash, nonce, code_verifier"
        if let row = try await database.sql.raw(
            SQLQueryString("UPDATE sso_broker_states SET used_at = ") + "\(bind: Timestamp.now())"
                + " WHERE state_hash = \(bind: hash) AND used_at IS NULL AND expires_at > \(bind: Timestamp.now())"
                + SQLQueryString(" RETURNING \(unsafeRaw: columns)")
        ).first() {
            return .fresh(try Self.state(row))
        }
        if let row = try await database.sql.raw(
            SQLQueryString("SELECT \(unsafeRaw: columns) FROM sso_broker_states WHERE ") + "state_hash = \(bind: hash) AND used_at IS NOT NULL"
        ).first() {
            return .replayed(try Self.state(row))
        }
        return .unknown
    }

    static func state(_ row: any SQLRow) throws -> State {
        State(
            provider: try row.decode(column: "provider", as: String.self),
            authRequestID: try row.decode(column: "auth_request_id", as: String.self),
            browserHash: try row.decode(column: "browser_hash", as: String.self),
            nonce: try row.decode(column: "nonce", as: String.self),
            sealedVerifier: try row.decode(column: "code_verifier", as: String.self)
        )
    }

    enum Mapping: Sendable {
        case account(id: String, created: Bool, linked: Bool)
        case disabled
        /// The identity may not be linked to the account it names (see `map`).
        case refused(String)
        case conflict(String)
    }

    /// The citizen account of an external identity, keyed by personal id: the account already linked to
    /// this provider's subject; else an existing citizen account with that personal id, linked now
    /// (unless the provider is configured not to link existing accounts); else a new citizen account.
    /// Never linked automatically: officials, and accounts with a second factor — those sign in with their
    /// password. One transaction: nothing is half-written.
    func map(provider: IdentityProviderConfig, identity: IdentityBroker.ExternalIdentity) async throws -> Mapping {
        do {
            return try await mapOnce(provider: provider, identity: identity)
        } catch {
            // Two first sign-ins of one person at once: the loser's insert hits the unique personal id;
            // the second attempt finds the account the winner created.
            return try await mapOnce(provider: provider, identity: identity)
        }
    }

    private func mapOnce(provider: IdentityProviderConfig, identity: IdentityBroker.ExternalIdentity) async throws -> Mapping {
        let providerID = provider.id
        return try await database.transaction { tx in
            let now = Timestamp.now()
            if let link = try await tx.raw(
                "SELECT account_id, personal_id FROM sso_identity_links WHERE provider = \(bind: providerID) AND subject = \(bind: identity.subject)"
            ).first() {
                let accountID = try link.decode(column: "account_id", as: String.self)
                guard try link.decode(column: "personal_id", as: String.self) == identity.personalID else {
                    return .conflict("nhà cung cấp trả số định danh khác với lần liên kết trước")
                }
                guard let row = try await tx.raw(
                    "SELECT kind, disabled, totp_secret, totp_required FROM sso_users WHERE id = \(bind: accountID)"
                ).first() else {
                    return .conflict("tài khoản đã liên kết không còn tồn tại")
                }
                if try row.decode(column: "disabled", as: Bool.self) { return .disabled }
                if try Self.needsItsOwnCredentials(row) { return .refused("tài khoản này phải đăng nhập bằng mật khẩu và xác thực hai lớp") }
                try await tx.raw(
                    "UPDATE sso_identity_links SET last_login_at = \(bind: now) WHERE provider = \(bind: providerID) AND subject = \(bind: identity.subject)"
                ).run()
                return .account(id: accountID, created: false, linked: false)
            }
            var accountID: String
            var created = false
            if let row = try await tx.raw(
                "SELECT id, kind, disabled, totp_secret, totp_required FROM sso_users WHERE personal_id = \(bind: identity.personalID)"
            ).first() {
                guard provider.linkExistingAccounts ?? true else {
                    return .refused("nhà cung cấp này không được liên kết với tài khoản đã có")
                }
                if try row.decode(column: "disabled", as: Bool.self) { return .disabled }
                if try Self.needsItsOwnCredentials(row) { return .refused("tài khoản này phải đăng nhập bằng mật khẩu và xác thực hai lớp") }
                accountID = try row.decode(column: "id", as: String.self)
            } else {
                accountID = UUID().uuidString.lowercased()
                created = true
                // The personal id is the username unless an account already uses it as one.
                let taken = try await tx.raw("SELECT 1 AS x FROM sso_users WHERE username = \(bind: identity.personalID)").first() != nil
                let username = taken ? "\(identity.personalID).\(providerID)" : identity.personalID
                try await tx.raw(
                    """
                    INSERT INTO sso_users (id, kind, username, personal_id, tax_code, name, email, agency_code, roles, password_hash,
                        password_changed_at, totp_secret, totp_required, disabled, created_at, updated_at)
                    VALUES (\(bind: accountID), 'citizen', \(bind: username), \(bind: identity.personalID), NULL, \(bind: identity.name),
                        NULL, NULL, '[]', \(bind: Self.noPassword), \(bind: now), NULL, \(bind: false), \(bind: false), \(bind: now), \(bind: now))
                    """
                ).run()
            }
            try await tx.raw(
                """
                INSERT INTO sso_identity_links (provider, subject, account_id, personal_id, linked_at, last_login_at)
                VALUES (\(bind: providerID), \(bind: identity.subject), \(bind: accountID), \(bind: identity.personalID), \(bind: now), \(bind: now))
                """
            ).run()
            return .account(id: accountID, created: created, linked: true)
        }
    }

    /// Officials, and accounts with a second factor, never sign in through a provider.
    static func needsItsOwnCredentials(_ row: any SQLRow) throws -> Bool {
        try row.decode(column: "kind", as: String.self) != "citizen"
            || row.decode(column: "totp_secret", as: String?.self) != nil
            || row.decode(column: "totp_required", as: Bool.self)
    }

    /// Accounts linked to an external identity (back-channel logout).
    func accounts(provider: String, subject: String) async throws -> [String] {
        try await database.sql.raw(
            "SELECT account_id FROM sso_identity_links WHERE provider = \(bind: provider) AND subject = \(bind: subject)"
        ).all().map { try $0.decode(column: "account_id", as: String.self) }
    }

    func purgeExpired() async throws {
        let cutoff = Timestamp.string(from: Date().addingTimeInterval(-86400))
        try await database.sql.raw("DELETE FROM sso_broker_states WHERE expires_at < \(bind: cutoff)").run()
    }
}
