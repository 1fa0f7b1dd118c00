import Foundation

/// Who a verified access token speaks for: a person (through an application) or an agency system
/// (client credentials). Routes read it from `AppRequestContext.principal`.
public struct Principal: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A citizen, business or official, signed in through `clientID`.
        case user
        /// An application acting for itself (client credentials).
        case client
    }

    public let kind: Kind
    /// Stable, opaque: the user's id, or the client's id for client credentials.
    public let subject: String
    public let clientID: String
    public let scopes: Set<String>
    public let roles: Set<String>
    /// The agency of the official or of the client, when there is one.
    public let agencyCode: String?
    public let tokenID: String
    public let expiresAt: Date
    public let sessionID: String?
    /// The person's 12-digit personal id, when the token was issued with the `personal_id` scope to a
    /// citizen's account that has one.
    public let personalID: String?
    /// The business's tax code, likewise.
    public let taxCode: String?

    public init(
        kind: Kind, subject: String, clientID: String, scopes: Set<String>, roles: Set<String>, agencyCode: String?,
        tokenID: String, expiresAt: Date, sessionID: String?, personalID: String? = nil, taxCode: String? = nil
    ) {
        self.kind = kind
        self.subject = subject
        self.clientID = clientID
        self.scopes = scopes
        self.roles = roles
        self.agencyCode = agencyCode
        self.tokenID = tokenID
        self.expiresAt = expiresAt
        self.sessionID = sessionID
        self.personalID = personalID
        self.taxCode = taxCode
    }
}

/// Verifies access tokens in-process (signature, expiry with a small skew, issuer, audience, revocation).
/// Declared here, implemented by SSO, injected by App.
public protocol AccessTokenVerifier: Sendable {
    func verify(accessToken: String) async throws(AccessTokenRejection) -> Principal
}

/// Why a token was not accepted; the reason goes to the client in `WWW-Authenticate` and problem+json.
public struct AccessTokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// What a route requires of the caller. Every route states one: there is no default.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone, without a token.
    case anonymous
    /// A valid access token.
    case authenticated
    /// A valid access token carrying every one of these scopes.
    case scopes(Set<String>)
    /// Anyone; a token, when sent, must be valid and is put in the context, so the route can decide per
    /// resource (open catalogs for everyone, the others only with `scopes`). The route enforces it.
    case optionalToken(Set<String>)

    public static func scope(_ scope: String) -> RouteAccess { .scopes([scope]) }
}
