import Core
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Clients in `sso_clients`, with a short-lived in-memory cache for the token endpoint's hot path
/// (changes made in this process are seen at once, those of other processes within `cacheTTL`).
final class ClientStore: Sendable {
    let database: Database
    let cacheTTL: Duration
    private let cache = NIOLockedValueBox<[String: (Registered?, ContinuousClock.Instant)]>([:])

    /// A client with its stored secret hash.
    struct Registered: Sendable {
        let client: Client
        let secretHash: String?
    }

    init(database: Database, cacheTTL: Duration = .seconds(10)) {
        self.database = database
        self.cacheTTL = cacheTTL
    }

    static let columns = """
        id, name, kind, auth_method, secret_hash, jwks, redirect_uris, post_logout_redirect_uris, grant_types, scopes,
        agency_code, disabled, created_at, updated_at
        """

    func find(_ id: String) async throws -> Registered? {
        if let (cached, at) = cache.withLockedValue({ $0[id] }), ContinuousClock.now - at < cacheTTL {
            return cached
        }
        let found = try await database.sql.raw(SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM sso_clients WHERE ") + "id = \(bind: id)")
            .first().map(Self.registered(from:))
        cache.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[id] = (found, .now)
        }
        return found
    }

    func insert(_ client: Client, secretHash: String?) async throws {
        let jwks = try client.jwks.map { String(decoding: try $0.encoded(), as: UTF8.self) }
        try await database.sql.raw(
            """
            INSERT INTO sso_clients (id, name, kind, auth_method, secret_hash, jwks, redirect_uris, post_logout_redirect_uris,
                grant_types, scopes, agency_code, disabled, created_at, updated_at)
            VALUES (\(bind: client.id), \(bind: client.name), \(bind: client.kind.rawValue), \(bind: client.authMethod.rawValue),
                \(bind: secretHash), \(bind: jwks), \(bind: JSONColumn.encode(client.redirectURIs)),
                \(bind: JSONColumn.encode(client.postLogoutRedirectURIs)), \(bind: JSONColumn.encode(client.grantTypes.map(\.rawValue))),
                \(bind: JSONColumn.encode(client.scopes)), \(bind: client.agencyCode), \(bind: client.disabled),
                \(bind: client.createdAt), \(bind: client.updatedAt))
            """
        ).run()
        forget(client.id)
    }

    func update(_ client: Client) async throws {
        let jwks = try client.jwks.map { String(decoding: try $0.encoded(), as: UTF8.self) }
        try await database.sql.raw(
            """
            UPDATE sso_clients SET name = \(bind: client.name), auth_method = \(bind: client.authMethod.rawValue), jwks = \(bind: jwks),
                redirect_uris = \(bind: JSONColumn.encode(client.redirectURIs)),
                post_logout_redirect_uris = \(bind: JSONColumn.encode(client.postLogoutRedirectURIs)),
                grant_types = \(bind: JSONColumn.encode(client.grantTypes.map(\.rawValue))), scopes = \(bind: JSONColumn.encode(client.scopes)),
                agency_code = \(bind: client.agencyCode), disabled = \(bind: client.disabled), updated_at = \(bind: client.updatedAt)
            WHERE id = \(bind: client.id)
            """
        ).run()
        forget(client.id)
    }

    func setSecret(id: String, hash: String, at: String) async throws {
        try await database.sql.raw("UPDATE sso_clients SET secret_hash = \(bind: hash), updated_at = \(bind: at) WHERE id = \(bind: id)").run()
        forget(id)
    }

    func list(after: String?, limit: Int) async throws -> [Client] {
        var sql = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM sso_clients")
        if let after { sql = sql + " WHERE id > \(bind: after)" }
        sql = sql + " ORDER BY id LIMIT \(bind: limit)"
        return try await database.sql.raw(sql).all().map { try Self.registered(from: $0).client }
    }

    func forget(_ id: String) {
        _ = cache.withLockedValue { $0.removeValue(forKey: id) }
    }

    static func registered(from row: any SQLRow) throws -> Registered {
        let jwksText = try row.decode(column: "jwks", as: String?.self)
        let client = Client(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            kind: Client.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .confidential,
            authMethod: Client.AuthMethod(rawValue: try row.decode(column: "auth_method", as: String.self)) ?? .clientSecretBasic,
            redirectURIs: JSONColumn.decode(try row.decode(column: "redirect_uris", as: String.self)),
            postLogoutRedirectURIs: JSONColumn.decode(try row.decode(column: "post_logout_redirect_uris", as: String.self)),
            grantTypes: JSONColumn.decode(try row.decode(column: "grant_types", as: String.self)).compactMap(Client.GrantType.init(rawValue:)),
            scopes: JSONColumn.decode(try row.decode(column: "scopes", as: String.self)),
            agencyCode: try row.decode(column: "agency_code", as: String?.self),
            jwks: try jwksText.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) },
            disabled: try row.decode(column: "disabled", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
        return Registered(client: client, secretHash: try row.decode(column: "secret_hash", as: String?.self))
    }
}
