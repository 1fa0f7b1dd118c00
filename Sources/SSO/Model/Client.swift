import Core
import Foundation

/// An application registered with the SSO: a portal or app that signs people in (authorization code),
/// or an agency system calling APIs for itself (client credentials).
public struct Client: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Cannot keep a secret (browser or mobile app): PKCE is required, no client authentication.
        case `public`
        /// Authenticates at the token endpoint.
        case confidential
    }

    public enum AuthMethod: String, Sendable, Codable, CaseIterable {
        case none
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        case privateKeyJWT = "private_key_jwt"
    }

    public enum GrantType: String, Sendable, Codable, CaseIterable {
        case authorizationCode = "authorization_code"
        case refreshToken = "refresh_token"
        case clientCredentials = "client_credentials"
    }

    public let id: String
    public var name: String
    public var kind: Kind
    public var authMethod: AuthMethod
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]
    public var grantTypes: [GrantType]
    public var scopes: [String]
    /// The owning agency's electronic identifier; tokens of its client credentials carry it.
    public var agencyCode: String?
    /// The client's public keys (a JWKS document) for `private_key_jwt`.
    public var jwks: JSONValue?
    public var disabled: Bool
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id = "clientId", name, kind = "type", authMethod = "tokenEndpointAuthMethod", redirectURIs = "redirectUris"
        case postLogoutRedirectURIs = "postLogoutRedirectUris", grantTypes, scopes, agencyCode, jwks, disabled, createdAt, updatedAt
    }

    public func allows(_ grant: GrantType) -> Bool { grantTypes.contains(grant) }
}
