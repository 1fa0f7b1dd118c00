import Core
import Foundation
import JWTKit
import SQLKit

/// Authenticates the client at the token, introspection and revocation endpoints: `client_secret_basic`,
/// `client_secret_post`, `private_key_jwt` (RFC 7523, the client's registered public keys, each
/// assertion usable once), or `none` for public clients. The method used must be the one registered.
struct ClientAuthenticator: Sendable {
    let clients: ClientStore
    let database: Database
    /// Audiences a client assertion may name: the issuer and the token endpoint.
    let acceptedAudiences: Set<String>

    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    struct Authenticated: Sendable {
        let client: Client
        let method: Client.AuthMethod
    }

    func authenticate(form: FormFields, authorization: String?) async throws(OAuthError) -> Authenticated {
        let basic = Self.basicCredentials(authorization)
        if authorization != nil && basic == nil && authorization?.lowercased().hasPrefix("basic") == true {
            throw .invalidClient("Tiêu đề Authorization Basic không hợp lệ.", basic: true)
        }
        let postedSecret = form["client_secret"]
        let assertion = form["client_assertion"]
        let presented = [basic != nil, postedSecret != nil, assertion != nil].filter { $0 }.count
        guard presented <= 1 else {
            throw .invalidRequest("Chỉ được dùng một cách xác thực client.")
        }
        if let (id, secret) = basic {
            if let formID = form["client_id"], formID != id { throw .invalidRequest("client_id không khớp với thông tin xác thực.") }
            return try await secretAuthenticated(id: id, secret: secret, method: .clientSecretBasic, basic: true)
        }
        if let secret = postedSecret {
            guard let id = form["client_id"] else { throw .invalidRequest("Thiếu client_id.") }
            return try await secretAuthenticated(id: id, secret: secret, method: .clientSecretPost, basic: false)
        }
        if let assertion {
            guard form["client_assertion_type"] == Self.assertionType else {
                throw .invalidRequest("client_assertion_type phải là \(Self.assertionType).")
            }
            return try await assertionAuthenticated(assertion, formClientID: form["client_id"])
        }
        guard let id = form["client_id"] else {
            throw .invalidClient("Cần xác thực client.", basic: true)
        }
        guard let registered = try? await clients.find(id), !registered.client.disabled else {
            throw .invalidClient("Client không tồn tại hoặc đã bị vô hiệu hóa.", basic: false)
        }
        guard registered.client.kind == .public, registered.client.authMethod == .none else {
            throw .invalidClient("Client bảo mật phải xác thực.", basic: true)
        }
        return Authenticated(client: registered.client, method: .none)
    }

    private func secretAuthenticated(id: String, secret: String, method: Client.AuthMethod, basic: Bool) async throws(OAuthError) -> Authenticated {
        let registered: ClientStore.Registered?
        do {
            registered = try await clients.find(id)
        } catch {
            throw OAuthError(code: "temporarily_unavailable", description: "Không đọc được thông tin client.", status: .serviceUnavailable)
        }
        // The same answer whether the client is unknown, disabled or the secret wrong.
        guard let registered, !registered.client.disabled, let stored = registered.secretHash,
            Secrets.clientSecretMatches(secret, storedHash: stored)
        else {
            throw .invalidClient("Xác thực client thất bại.", basic: basic)
        }
        guard registered.client.authMethod == method else {
            throw .invalidClient("Client phải xác thực bằng \(registered.client.authMethod.rawValue).", basic: basic)
        }
        return Authenticated(client: registered.client, method: method)
    }

    private func assertionAuthenticated(_ assertion: String, formClientID: String?) async throws(OAuthError) -> Authenticated {
        struct AssertionClaims: JWTPayload {
            let iss: String
            let sub: String
            let aud: Audience
            let exp: Int64
            let jti: String?
            let iat: Int64?
            let nbf: Int64?
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let failed = OAuthError.invalidClient("client_assertion không hợp lệ.", basic: false)
        guard let unverified = try? DefaultJWTParser().parse([UInt8](assertion.utf8), as: AssertionClaims.self).payload else {
            throw failed
        }
        let clientID = unverified.iss
        if let formClientID, formClientID != clientID { throw .invalidRequest("client_id không khớp với client_assertion.") }
        guard let registered = try? await clients.find(clientID), !registered.client.disabled,
            registered.client.authMethod == .privateKeyJWT, let jwks = registered.client.jwks
        else { throw failed }

        let collection = JWTKeyCollection()
        do {
            let data = try jwks.encoded()
            var keys = try JSONDecoder().decode(JWKS.self, from: data).keys
            if keys.count == 1, keys[0].keyIdentifier == nil { keys[0].keyIdentifier = JWKIdentifier(string: "client-key") }
            for key in keys {
                try await collection.add(jwk: key, isDefault: keys.count == 1)
            }
        } catch {
            throw failed
        }
        let claims: AssertionClaims
        do {
            claims = try await collection.verify(assertion, as: AssertionClaims.self)
        } catch {
            throw failed
        }
        let now = Int64(Date().timeIntervalSince1970)
        guard claims.iss == clientID, claims.sub == clientID, !acceptedAudiences.isDisjoint(with: claims.aud.values),
            claims.exp + TokenService.skew > now, claims.exp - now <= 3600 + TokenService.skew, (claims.nbf ?? now) - TokenService.skew <= now,
            let jti = claims.jti, !jti.isEmpty
        else { throw failed }
        // Each assertion once (RFC 7523 §3, item 7).
        let expires = Timestamp.string(from: Date(timeIntervalSince1970: Double(claims.exp + TokenService.skew)))
        let fresh: Bool
        do {
            fresh = try await database.sql.raw(
                """
                INSERT INTO sso_client_assertions (jti_hash, client_id, expires_at)
                VALUES (\(bind: Secrets.storedHash(clientID + "\u{0}" + jti)), \(bind: clientID), \(bind: expires))
                ON CONFLICT (jti_hash) DO NOTHING RETURNING jti_hash
                """
            ).first() != nil
        } catch {
            throw OAuthError(code: "temporarily_unavailable", description: "Không kiểm tra được client_assertion.", status: .serviceUnavailable)
        }
        guard fresh else { throw .invalidClient("client_assertion đã được dùng.", basic: false) }
        return Authenticated(client: registered.client, method: .privateKeyJWT)
    }

    /// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let data = Data(base64Encoded: String(parts[1])),
            let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
        else { return nil }
        let id = FormFields.decode(decoded[..<colon])
        let secret = FormFields.decode(decoded[decoded.index(after: colon)...])
        return id.isEmpty ? nil : (id, secret)
    }

    func purgeExpiredAssertions() async throws {
        try await database.sql.raw("DELETE FROM sso_client_assertions WHERE expires_at < \(bind: Timestamp.now())").run()
    }
}
