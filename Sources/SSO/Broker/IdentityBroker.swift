import AsyncHTTPClient
import Core
import Foundation
import JWTKit
import NIOConcurrencyHelpers
import NIOCore

/// The SSO as an OpenID Connect client of an external identity provider: discovery and JWKS (fetched,
/// cached, refetched once on an unknown key id), the authorization request (code + PKCE + state +
/// nonce), the code exchange, and the verified identity — from the ID token or from userinfo.
final class IdentityBroker: Sendable {
    let providers: [String: IdentityProviderConfig]
    let order: [String]
    let redirectBase: String
    let environment: [String: String]
    private let cache = NIOLockedValueBox<[String: Cached]>([:])

    struct Cached {
        var metadata: Metadata?
        var metadataAt: ContinuousClock.Instant?
        var keys: JWTKeyCollection?
        var kids: Set<String> = []
        var triedKids: Set<String> = []
        var keysAt: ContinuousClock.Instant?
    }

    struct Metadata: Decodable, Sendable {
        let issuer: String
        let authorization_endpoint: String
        let token_endpoint: String
        let userinfo_endpoint: String?
        let jwks_uri: String?
    }

    /// The provider could not be reached or answered with a server error: the person may retry.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// The provider's answer cannot be trusted: rejected, nothing is created.
    struct Rejected: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// Who the provider says signed in.
    struct ExternalIdentity: Sendable, Equatable {
        let subject: String
        let personalID: String
        let name: String
        let birthDate: String?
    }

    init(providers: [IdentityProviderConfig], issuer: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.providers = Dictionary(providers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.order = providers.map(\.id)
        self.redirectBase = issuer
        self.environment = environment
    }

    func redirectURI(_ provider: IdentityProviderConfig) -> String {
        "\(redirectBase)/sso/broker/\(provider.id)/callback"
    }

    // MARK: HTTP

    private func get(_ url: String, timeout: Duration, bearer: String? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        return try await send(request, timeout: timeout)
    }

    private func send(_ request: HTTPClientRequest, timeout: Duration) async throws -> Data {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds * 1000)))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw Unavailable(description: "không kết nối được tới nhà cung cấp định danh (\(type(of: error)))")
        }
        if response.status.code >= 500 {
            throw Unavailable(description: "nhà cung cấp định danh trả lỗi \(response.status.code)")
        }
        guard response.status.code < 300 else {
            throw Rejected(reason: "nhà cung cấp định danh từ chối yêu cầu (\(response.status.code))")
        }
        return Data(buffer: body)
    }

    func metadata(_ provider: IdentityProviderConfig) async throws -> Metadata {
        if let cached = cache.withLockedValue({ $0[provider.id] }), let metadata = cached.metadata, let at = cached.metadataAt,
            ContinuousClock.now - at < .seconds(3600)
        {
            return metadata
        }
        let data = try await get(provider.discovery, timeout: provider.timeout)
        guard let metadata = try? JSONDecoder().decode(Metadata.self, from: data) else {
            throw Rejected(reason: "tài liệu khám phá của nhà cung cấp không hợp lệ")
        }
        guard metadata.issuer == provider.issuer else {
            throw Rejected(reason: "issuer trong tài liệu khám phá không khớp cấu hình")
        }
        cache.withLockedValue { cache in
            cache[provider.id, default: Cached()].metadata = metadata
            cache[provider.id, default: Cached()].metadataAt = .now
        }
        return metadata
    }

    /// The provider's keys, cached; fetched again when a token names a key id not among them (once for
    /// each such id: after a rotation the new key is found, a made-up id costs one fetch and then fails).
    func keys(_ provider: IdentityProviderConfig, for kid: String?) async throws -> JWTKeyCollection {
        let decision = cache.withLockedValue { cache -> JWTKeyCollection? in
            guard let cached = cache[provider.id], let keys = cached.keys else { return nil }
            guard let kid, !cached.kids.contains(kid) else { return keys }
            if cached.triedKids.contains(kid) { return keys }
            cache[provider.id]?.triedKids.insert(kid)
            return nil
        }
        if let keys = decision { return keys }
        let metadata = try await metadata(provider)
        guard let jwksURI = metadata.jwks_uri else { throw Rejected(reason: "nhà cung cấp không công bố JWKS") }
        let data = try await get(jwksURI, timeout: provider.timeout)
        let collection = JWTKeyCollection()
        var kids = Set<String>()
        do {
            let jwks = try JSONDecoder().decode(JWKS.self, from: data)
            for key in jwks.keys where key.keyIdentifier != nil {
                try await collection.add(jwk: key)
                kids.insert(key.keyIdentifier!.string)
            }
        } catch {
            throw Rejected(reason: "JWKS của nhà cung cấp không hợp lệ")
        }
        cache.withLockedValue { cache in
            cache[provider.id, default: Cached()].keys = collection
            cache[provider.id, default: Cached()].kids = kids
            cache[provider.id, default: Cached()].keysAt = .now
        }
        return collection
    }

    func authorizationURL(_ provider: IdentityProviderConfig, state: String, nonce: String, challenge: String) async throws -> String {
        let metadata = try await metadata(provider)
        var components = URLComponents(string: metadata.authorization_endpoint) ?? URLComponents()
        var items = components.percentEncodedQueryItems ?? []
        for (name, value) in [
            ("response_type", "code"), ("client_id", provider.clientId), ("redirect_uri", redirectURI(provider)),
            ("scope", provider.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ] {
            items.append(URLQueryItem(name: name, value: FormFields.encode(value)))
        }
        components.percentEncodedQueryItems = items
        guard let url = components.string else { throw Rejected(reason: "authorization_endpoint không hợp lệ") }
        return url
    }

    struct TokenAnswer: Decodable {
        let access_token: String?
        let id_token: String?
        let token_type: String?
    }

    func exchange(_ provider: IdentityProviderConfig, code: String, verifier: String) async throws -> TokenAnswer {
        let metadata = try await metadata(provider)
        var request = HTTPClientRequest(url: metadata.token_endpoint)
        request.method = .POST
        let secret = provider.secret(environment: environment) ?? ""
        let credentials = Data("\(FormFields.encode(provider.clientId)):\(FormFields.encode(secret))".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI(provider)), ("code_verifier", verifier)]
        request.body = .bytes(ByteBuffer(string: form.map { "\($0.0)=\(FormFields.encode($0.1))" }.joined(separator: "&")))
        let data = try await send(request, timeout: provider.timeout)
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: data) else {
            throw Rejected(reason: "câu trả lời cấp token của nhà cung cấp không hợp lệ")
        }
        return answer
    }

    struct ProviderIDClaims: JWTPayload {
        let iss: String
        let sub: String
        let aud: Audience
        let exp: Int64
        let iat: Int64
        let nonce: String?
        let azp: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The identity from the token answer: a verified ID token (`oidc`), or userinfo (`userinfo`).
    func identity(_ provider: IdentityProviderConfig, answer: TokenAnswer, nonce: String) async throws -> ExternalIdentity {
        let fields = provider.resolvedFields
        switch provider.profile {
        case .oidc:
            guard let idToken = answer.id_token else { throw Rejected(reason: "thiếu ID token") }
            let header = try? SigningKeys.header(of: idToken)
            guard let header, let alg = header.alg, ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"].contains(alg) else {
                throw Rejected(reason: "thuật toán ký của ID token không được chấp nhận")
            }
            let keys = try await keys(provider, for: header.kid)
            let claims: ProviderIDClaims
            do {
                claims = try await keys.verify(idToken, as: ProviderIDClaims.self)
            } catch {
                throw Rejected(reason: "chữ ký ID token không hợp lệ")
            }
            let now = Int64(Date().timeIntervalSince1970)
            guard claims.iss == provider.issuer else { throw Rejected(reason: "issuer của ID token không đúng") }
            guard claims.aud.contains(provider.clientId), claims.aud.values.count == 1 || claims.azp == provider.clientId else {
                throw Rejected(reason: "audience của ID token không đúng")
            }
            guard claims.exp + TokenService.skew > now else { throw Rejected(reason: "ID token đã hết hạn") }
            guard claims.iat - TokenService.skew <= now, now - claims.iat < 600 else { throw Rejected(reason: "thời điểm cấp ID token không hợp lệ") }
            guard let tokenNonce = claims.nonce, Secrets.equal(tokenNonce, nonce) else { throw Rejected(reason: "nonce không khớp") }
            let all = try Self.claims(of: idToken)
            return try Self.identity(subject: claims.sub, values: all, fields: fields)
        case .userinfo:
            guard let accessToken = answer.access_token else { throw Rejected(reason: "thiếu access token") }
            let metadata = try await metadata(provider)
            guard let endpoint = metadata.userinfo_endpoint else { throw Rejected(reason: "nhà cung cấp không có userinfo") }
            let data = try await get(endpoint, timeout: provider.timeout, bearer: accessToken)
            guard let values = try? JSONDecoder().decode(JSONValue.self, from: data).objectValue else {
                throw Rejected(reason: "userinfo không hợp lệ")
            }
            // The personal id is the stable key of this profile.
            let personalID = values[fields.personalId]?.stringValue ?? ""
            return try Self.identity(subject: values["sub"]?.stringValue ?? "pid:" + personalID, values: values, fields: fields)
        }
    }

    static func claims(of token: String) throws -> [String: JSONValue] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: String(parts[1])),
            let object = try? JSONDecoder().decode(JSONValue.self, from: data).objectValue
        else { throw Rejected(reason: "ID token không đúng định dạng") }
        return object
    }

    static func identity(subject: String, values: [String: JSONValue], fields: IdentityProviderConfig.Fields) throws -> ExternalIdentity {
        guard let raw = values[fields.personalId]?.stringValue, case .success(let personalID) = PersonalID.validate(raw) else {
            throw Rejected(reason: "nhà cung cấp không trả số định danh cá nhân hợp lệ")
        }
        let name = VietnameseText.nfc((values[fields.name]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        guard !name.isEmpty else { throw Rejected(reason: "nhà cung cấp không trả họ tên") }
        return ExternalIdentity(
            subject: subject, personalID: personalID.value, name: name, birthDate: fields.birthDate.flatMap { values[$0]?.stringValue }
        )
    }

    struct LogoutClaims: JWTPayload {
        let iss: String
        let aud: Audience
        let iat: Int64
        let jti: String?
        let sub: String?
        let sid: String?
        let events: [String: JSONValue]?
        let nonce: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Verifies an OpenID back-channel logout token; returns the provider's `sub` it names.
    func verifyLogoutToken(_ provider: IdentityProviderConfig, _ token: String) async throws -> String {
        let header = try? SigningKeys.header(of: token)
        guard let header, header.alg != nil, header.alg != "none" else { throw Rejected(reason: "logout token không hợp lệ") }
        let keys = try await keys(provider, for: header.kid)
        let claims: LogoutClaims
        do {
            claims = try await keys.verify(token, as: LogoutClaims.self)
        } catch {
            throw Rejected(reason: "chữ ký logout token không hợp lệ")
        }
        let now = Int64(Date().timeIntervalSince1970)
        guard claims.iss == provider.issuer, claims.aud.contains(provider.clientId), abs(now - claims.iat) < 300,
            claims.nonce == nil, claims.events?["http://schemas.openid.net/event/backchannel-logout"] != nil,
            let subject = claims.sub
        else { throw Rejected(reason: "logout token không hợp lệ") }
        return subject
    }
}
