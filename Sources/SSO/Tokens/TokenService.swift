import Core
import Crypto
import Foundation
import JWTKit
import NIOConcurrencyHelpers

/// Issues and verifies the SSO's tokens. Access tokens are ES256 JWTs (`typ: at+jwt`) with audience
/// `lgsp`; ID tokens are ES256 JWTs for the client. Verification is in-process — no database round trip
/// except the revocation list's periodic sync — which is what lets every service check tokens cheaply.
public final class TokenService: AccessTokenVerifier {
    public let issuer: String
    let keys: SigningKeys
    let revocations: RevocationList
    let settings: SSOSettings
    /// Access tokens whose signature was checked, with the key that signed them: a token presented again
    /// (a system calls many times with one token) skips the signature, never the other checks — issuer,
    /// audience, expiry, the key still being published, revocation.
    private let verified = NIOLockedValueBox<[String: (claims: AccessTokenClaims, kid: String)]>([:])
    static let verifiedCacheSize = 10_000

    /// The audience of every access token: the platform's APIs.
    public static let audience = "lgsp"
    /// Tolerated clock difference for `exp`, `nbf` and `iat`.
    static let skew: Int64 = 30
    static let accessTokenType = "at+jwt"

    init(issuer: String, keys: SigningKeys, revocations: RevocationList, settings: SSOSettings) {
        self.issuer = issuer
        self.keys = keys
        self.revocations = revocations
        self.settings = settings
    }

    struct IssuedAccessToken {
        let token: String
        let jti: String
        let expiresIn: Int64
        let expiresAt: Date
        let claims: AccessTokenClaims
    }

    func issueAccessToken(
        kind: Principal.Kind, subject: String, clientID: String, scopes: [String], sessionID: String?, family: String?,
        roles: [String]?, agencyCode: String?, authTime: Date?, personalID: String? = nil, taxCode: String? = nil,
        jti: String = Secrets.token(bits: 128)
    ) async throws -> IssuedAccessToken {
        let now = Int64(Date().timeIntervalSince1970)
        let lifetime = settings.accessTokenTTL.seconds
        let claims = AccessTokenClaims(
            iss: issuer, sub: subject, aud: Audience([Self.audience]), exp: now + lifetime, iat: now, nbf: now,
            jti: jti, client_id: clientID, scope: scopes.joined(separator: " "), sub_type: kind.rawValue,
            sid: sessionID, fam: family, roles: roles, agency_code: agencyCode,
            auth_time: authTime.map { Int64($0.timeIntervalSince1970) },
            personal_id: scopes.contains(Scopes.personalID) ? personalID : nil,
            tax_code: scopes.contains(Scopes.personalID) ? taxCode : nil
        )
        let token = try await keys.sign(claims, type: Self.accessTokenType)
        return IssuedAccessToken(
            token: token, jti: claims.jti, expiresIn: lifetime, expiresAt: Date(timeIntervalSince1970: Double(claims.exp)), claims: claims
        )
    }

    func issueIDToken(
        account: Account, client: Client, scopes: [String], nonce: String?, sessionID: String, authTime: Date, amr: [String],
        accessToken: String?, idp: String? = nil
    ) async throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let has = Set(scopes)
        let claims = IDTokenClaims(
            iss: issuer, sub: account.id, aud: Audience([client.id]), exp: now + settings.idTokenTTL.seconds, iat: now,
            auth_time: Int64(authTime.timeIntervalSince1970), nonce: nonce, azp: client.id, sid: sessionID,
            at_hash: accessToken.map(Self.halfHash), amr: amr,
            name: has.contains(Scopes.profile) ? account.name : nil,
            preferred_username: has.contains(Scopes.profile) ? account.username : nil,
            email: has.contains(Scopes.email) ? account.email : nil,
            personal_id: has.contains(Scopes.personalID) ? account.personalID : nil,
            agency_code: has.contains(Scopes.agency) || has.contains(Scopes.profile) ? account.agencyCode : nil,
            roles: has.contains(Scopes.roles) ? account.roles : nil,
            idp: idp
        )
        return try await keys.sign(claims, type: "JWT")
    }

    /// `at_hash`: base64url of the left half of the SHA-256 of the access token (OIDC Core §3.1.3.6).
    static func halfHash(_ token: String) -> String {
        Data(Array(SHA256.hash(data: Array(token.utf8))).prefix(16)).base64URLEncodedString()
    }

    /// The claims of a valid, unrevoked access token of ours.
    func verifiedAccessClaims(_ token: String) async throws(AccessTokenRejection) -> AccessTokenClaims {
        let claims: AccessTokenClaims
        if let cached = verified.withLockedValue({ $0[token] }), keys.isPublished(cached.kid) {
            claims = cached.claims
        } else {
            let type: String?
            let kid: String
            do {
                (claims, type, kid) = try await keys.verifyWithKID(token, as: AccessTokenClaims.self)
            } catch let error as SigningKeyError {
                throw AccessTokenRejection(error.description)
            } catch {
                throw AccessTokenRejection("chữ ký không hợp lệ")
            }
            guard type == Self.accessTokenType else { throw AccessTokenRejection("không phải access token") }
            let now = Int64(Date().timeIntervalSince1970)
            verified.withLockedValue { cache in
                if cache.count >= Self.verifiedCacheSize {
                    cache = cache.filter { $0.value.claims.exp + Self.skew > now }
                    if cache.count >= Self.verifiedCacheSize { cache.removeAll(keepingCapacity: true) }
                }
                cache[token] = (claims, kid)
            }
        }
        guard claims.iss == issuer else { throw AccessTokenRejection("issuer không đúng") }
        guard claims.aud.contains(Self.audience) else { throw AccessTokenRejection("audience không đúng") }
        let now = Int64(Date().timeIntervalSince1970)
        guard claims.exp + Self.skew > now else { throw AccessTokenRejection("token đã hết hạn") }
        guard claims.nbf - Self.skew <= now, claims.iat - Self.skew <= now else {
            throw AccessTokenRejection("token chưa có hiệu lực")
        }
        if await revocations.isRevoked(jti: claims.jti, family: claims.fam, session: claims.sid) {
            throw AccessTokenRejection("token đã bị thu hồi")
        }
        return claims
    }

    public func verify(accessToken: String) async throws(AccessTokenRejection) -> Principal {
        let claims = try await verifiedAccessClaims(accessToken)
        return Principal(
            kind: claims.sub_type == Principal.Kind.client.rawValue ? .client : .user,
            subject: claims.sub, clientID: claims.client_id, scopes: Set(Scopes.parse(claims.scope)),
            roles: Set(claims.roles ?? []), agencyCode: claims.agency_code, tokenID: claims.jti,
            expiresAt: Date(timeIntervalSince1970: Double(claims.exp)), sessionID: claims.sid,
            personalID: claims.personal_id, taxCode: claims.tax_code
        )
    }

    /// An ID token we signed, whatever its expiry (for `id_token_hint` at logout); nil otherwise.
    func verifiedIDTokenHint(_ token: String) async -> IDTokenClaims? {
        guard let (claims, type) = try? await keys.verify(token, as: IDTokenClaims.self), type == "JWT", claims.iss == issuer else {
            return nil
        }
        return claims
    }
}
