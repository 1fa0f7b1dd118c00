import Core
import Foundation
import Logging

/// Everything the SSO's endpoints share: stores, token service, login checks, pages.
final class OIDCProvider: Sendable {
    let issuer: String
    let settings: SSOSettings
    let clients: ClientStore
    let accounts: AccountStore
    let sessions: SessionStore
    let requests: AuthorizationRequestStore
    let codes: CodeStore
    let refreshTokens: RefreshTokenStore
    let tokens: TokenService
    let revocations: RevocationList
    let login: LoginService
    let clientAuthenticator: ClientAuthenticator
    let rateLimiter: IPRateLimiter
    let audit: AuditLog
    let pages: Pages
    let cookies: SSOCookies
    let hasher: PasswordHasher

    init(services: PlatformServices, keys: SigningKeys, tokens: TokenService, revocations: RevocationList) {
        let configuration = services.configuration
        let database = services.database
        self.issuer = configuration.issuer
        self.settings = configuration.sso
        self.clients = ClientStore(database: database)
        self.accounts = AccountStore(database: database)
        self.sessions = SessionStore(database: database)
        self.requests = AuthorizationRequestStore(database: database)
        self.codes = CodeStore(database: database)
        self.refreshTokens = RefreshTokenStore(database: database)
        self.tokens = tokens
        self.revocations = revocations
        self.hasher = PasswordHasher(cost: configuration.sso.bcryptCost)
        self.login = LoginService(
            accounts: accounts, failures: LoginFailureStore(database: database), hasher: hasher, settings: configuration.sso,
            masterKey: services.masterKey
        )
        self.clientAuthenticator = ClientAuthenticator(
            clients: clients, database: database, acceptedAudiences: [configuration.issuer, configuration.issuer + "/sso/token"]
        )
        self.rateLimiter = IPRateLimiter(limit: configuration.sso.loginRateLimit)
        self.audit = services.audit
        self.pages = Pages()
        self.cookies = SSOCookies(secure: configuration.environment != .development)
    }

    var authorizationEndpoint: String { issuer + "/sso/authorize" }
    var tokenEndpoint: String { issuer + "/sso/token" }

    /// Scopes a person is granted of those requested: privileged scopes only with the role of that name.
    func grantedScopes(_ requested: [String], account: Account) -> [String] {
        requested.filter { !Scopes.privileged.contains($0) || account.roles.contains($0) }
    }

    /// Ends a session everywhere: the session, its refresh-token families, and (through the revocation
    /// list) every access token issued in it.
    func endSession(sid: String, userID: String, clientID: String?, requestID: String, reason: String) async throws {
        guard try await sessions.end(sid: sid) else { return }
        for family in try await refreshTokens.families(sid: sid) {
            try await refreshTokens.revokeFamily(family)
        }
        try await revocations.revoke(.session, sid, until: Date().addingTimeInterval(Double(settings.sessionMax.seconds + settings.accessTokenTTL.seconds)))
        try await audit.record(AuditEvent(
            action: "sso.logout", outcome: .success, subject: userID, client: clientID, objectType: "session", objectID: sid,
            requestID: requestID, details: ["reason": reason]
        ))
    }

    /// Revokes a refresh-token family and every access token issued in it.
    func revokeFamily(_ family: String) async throws {
        try await refreshTokens.revokeFamily(family)
        try await revocations.revoke(.family, family, until: Date().addingTimeInterval(Double(settings.refreshTokenMax.seconds + settings.accessTokenTTL.seconds)))
    }

    /// Removes what has expired: authorization requests, old codes, refresh tokens, used client assertions.
    func housekeeping() async throws {
        try await requests.purgeExpired()
        try await codes.purgeExpired()
        try await refreshTokens.purgeExpired()
        try await clientAuthenticator.purgeExpiredAssertions()
    }
}
