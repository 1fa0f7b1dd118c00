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
        var algorithms: [String: String] = [:]
        var keysAt: ContinuousClock.Instant?
    }

    struct Metadata: Decodable, Sendable {
        let issuer: String
        let authorization_endpoint: String
        let token_endpoint: String
        let userinfo_endpoint: String?
        let jwks_uri: String?
        let id_token_signing_alg_values_supported: [String]?
        let code_challenge_methods_supported: [String]?
    }

    static let acceptedAlgorithms: Set<String> = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]

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
        /// The provider's session id (`sid`), for its back-channel logout.
        let sessionID: String?
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

    /// Redirects are not followed: a token request must never be re-sent, with its code and verifier,
    /// somewhere else.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)))
    )

    private func send(_ request: HTTPClientRequest, timeout: Duration) async throws -> Data {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            // The whole answer, body included, within the deadline (the client's own timeout stops at
            // the headers).
            (response, body) = try await withDeadline(timeout) {
                let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds * 1000)))
                return (response, try await response.body.collect(upTo: 1 << 20))
            }
        } catch is DeadlineExceeded {
            throw Unavailable(description: "nhà cung cấp định danh không trả lời trong \(timeout)")
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
        // The server calls these itself: plain http only when the issuer itself is http (development).
        let secure = provider.issuer.lowercased().hasPrefix("https://")
        for endpoint in [metadata.token_endpoint, metadata.userinfo_endpoint, metadata.jwks_uri].compactMap({ $0 }) {
            let scheme = URLComponents(string: endpoint)?.scheme?.lowercased()
            guard scheme == "https" || (scheme == "http" && !secure) else {
                throw Rejected(reason: "điểm cuối \(endpoint) của nhà cung cấp không dùng https")
            }
        }
        cache.withLockedValue { cache in
            cache[provider.id, default: Cached()].metadata = metadata
            cache[provider.id, default: Cached()].metadataAt = .now
        }
        return metadata
    }

    /// The provider's keys with the algorithm each one is pinned to (from the key's `alg`, else the first
    /// algorithm discovery declares for ID tokens, else the key type's usual one): a token's header can
    /// never choose another. Cached for an hour; fetched again on a key id not among them, at most every
    /// ten seconds per provider.
    func keys(_ provider: IdentityProviderConfig, for kid: String?) async throws -> (JWTKeyCollection, [String: String]) {
        let decision = cache.withLockedValue { cache -> (JWTKeyCollection, [String: String])? in
            guard let cached = cache[provider.id], let keys = cached.keys, let at = cached.keysAt else { return nil }
            let fresh = ContinuousClock.now - at < .seconds(3600)
            if fresh, kid.map({ cached.algorithms[$0] != nil }) ?? true { return (keys, cached.algorithms) }
            if ContinuousClock.now - at < .seconds(10) { return (keys, cached.algorithms) }
            return nil
        }
        if let decision { return decision }
        let metadata = try await metadata(provider)
        guard let jwksURI = metadata.jwks_uri else { throw Rejected(reason: "nhà cung cấp không công bố JWKS") }
        let data = try await get(jwksURI, timeout: provider.timeout)
        let declared = metadata.id_token_signing_alg_values_supported?.first { Self.acceptedAlgorithms.contains($0) }
        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        do {
            let jwks = try JSONDecoder().decode(JWKS.self, from: data)
            for var key in jwks.keys {
                guard let kid = key.keyIdentifier?.string else { continue }
                let fallback = key.keyType == .rsa ? "RS256" : key.keyType == .ecdsa ? (key.curve?.rawValue == "P-384" ? "ES384" : key.curve?.rawValue == "P-521" ? "ES512" : "ES256") : nil
                guard let alg = key.algorithm?.rawValue ?? declared ?? fallback, Self.acceptedAlgorithms.contains(alg),
                    let pinned = JWK.Algorithm(rawValue: alg)
                else { continue }
                key.algorithm = pinned
                try await collection.add(jwk: key)
                algorithms[kid] = alg
            }
        } catch {
            throw Rejected(reason: "JWKS của nhà cung cấp không hợp lệ")
        }
        cache.withLockedValue { cache in
            cache[provider.id, default: Cached()].keys = collection
            cache[provider.id, default: Cached()].algorithms = algorithms
            cache[provider.id, default: Cached()].keysAt = .now
        }
        return (collection, algorithms)
    }

    /// Verifies a token signed by the provider with the algorithm its key is pinned to.
    func verified<Payload: JWTPayload>(_ provider: IdentityProviderConfig, _ token: String, as type: Payload.Type) async throws -> Payload {
        guard let header = try? SigningKeys.header(of: token), let alg = header.alg, Self.acceptedAlgorithms.contains(alg), let kid = header.kid else {
            throw Rejected(reason: "thuật toán ký hoặc khóa của token không được chấp nhận")
        }
        let (keys, algorithms) = try await keys(provider, for: kid)
        guard algorithms[kid] == alg else { throw Rejected(reason: "token được ký bằng khóa hoặc thuật toán không xác định") }
        do {
            return try await keys.verify(token, as: Payload.self)
        } catch {
            throw Rejected(reason: "chữ ký token không hợp lệ")
        }
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
        let sid: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The identity from the token answer: a verified ID token (`oidc`), or userinfo (`userinfo`).
    func identity(_ provider: IdentityProviderConfig, answer: TokenAnswer, nonce: String) async throws -> ExternalIdentity {
        let fields = provider.resolvedFields
        switch provider.profile {
        case .oidc:
            guard let idToken = answer.id_token else { throw Rejected(reason: "thiếu ID token") }
            let claims = try await verified(provider, idToken, as: ProviderIDClaims.self)
            let now = Int64(Date().timeIntervalSince1970)
            guard claims.iss == provider.issuer else { throw Rejected(reason: "issuer của ID token không đúng") }
            guard claims.aud.contains(provider.clientId), claims.aud.values.count == 1 || claims.azp == provider.clientId else {
                throw Rejected(reason: "audience của ID token không đúng")
            }
            guard claims.exp + TokenService.skew > now else { throw Rejected(reason: "ID token đã hết hạn") }
            guard claims.iat - TokenService.skew <= now, now - claims.iat < 600 else { throw Rejected(reason: "thời điểm cấp ID token không hợp lệ") }
            guard let tokenNonce = claims.nonce, Secrets.equal(tokenNonce, nonce) else { throw Rejected(reason: "nonce không khớp") }
            let all = try Self.claims(of: idToken)
            return try Self.identity(subject: claims.sub, sessionID: claims.sid, values: all, fields: fields)
        case .userinfo:
            guard let accessToken = answer.access_token else { throw Rejected(reason: "thiếu access token") }
            let metadata = try await metadata(provider)
            // Without an ID token nothing binds the answer to this sign-in but PKCE: the provider must do it.
            guard metadata.code_challenge_methods_supported?.contains("S256") == true else {
                throw Rejected(reason: "nhà cung cấp (hồ sơ userinfo) không công bố hỗ trợ PKCE S256")
            }
            guard let endpoint = metadata.userinfo_endpoint else { throw Rejected(reason: "nhà cung cấp không có userinfo") }
            let data = try await get(endpoint, timeout: provider.timeout, bearer: accessToken)
            guard let values = try? JSONDecoder().decode(JSONValue.self, from: data).objectValue else {
                throw Rejected(reason: "userinfo không hợp lệ")
            }
            // The provider's `sub` when it gives one (back-channel logout names it); the personal id otherwise.
            let personalID = values[fields.personalId]?.stringValue ?? ""
            return try Self.identity(subject: values["sub"]?.stringValue ?? "pid:" + personalID, sessionID: nil, values: values, fields: fields)
        }
    }

    static func claims(of token: String) throws -> [String: JSONValue] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: String(parts[1])),
            let object = try? JSONDecoder().decode(JSONValue.self, from: data).objectValue
        else { throw Rejected(reason: "ID token không đúng định dạng") }
        return object
    }

    static func identity(subject: String, sessionID: String?, values: [String: JSONValue], fields: IdentityProviderConfig.Fields) throws -> ExternalIdentity {
        guard let raw = values[fields.personalId]?.stringValue, case .success(let personalID) = PersonalID.validate(raw) else {
            throw Rejected(reason: "nhà cung cấp không trả số định danh cá nhân hợp lệ")
        }
        let name = VietnameseText.nfc((values[fields.name]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        guard !name.isEmpty else { throw Rejected(reason: "nhà cung cấp không trả họ tên") }
        return ExternalIdentity(
            subject: subject, personalID: personalID.value, name: name, birthDate: fields.birthDate.flatMap { values[$0]?.stringValue },
            sessionID: sessionID
        )
    }

    struct LogoutClaims: JWTPayload {
        let iss: String
        let aud: Audience
        let iat: Int64
        let exp: Int64?
        let jti: String?
        let sub: String?
        let sid: String?
        let events: [String: JSONValue]?
        let nonce: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// What an OpenID back-channel logout token names: the provider's subject, its session, or both.
    struct LogoutRequest: Sendable {
        let subject: String?
        let sessionID: String?
        let jti: String
        let expiresAt: Date
    }

    /// Verifies a back-channel logout token (OpenID Back-Channel Logout 1.0 §2.6). Issuer and audience
    /// are checked before any key is fetched, so anonymous posts cannot make the server fetch keys.
    func verifyLogoutToken(_ provider: IdentityProviderConfig, _ token: String) async throws -> LogoutRequest {
        guard let unverified = try? Self.claims(of: token), unverified["iss"]?.stringValue == provider.issuer else {
            throw Rejected(reason: "logout token không hợp lệ")
        }
        let audiences = unverified["aud"]?.stringValue.map { [$0] } ?? unverified["aud"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard audiences.contains(provider.clientId) else { throw Rejected(reason: "logout token không dành cho hệ thống này") }
        let claims = try await verified(provider, token, as: LogoutClaims.self)
        let now = Int64(Date().timeIntervalSince1970)
        guard claims.iss == provider.issuer, claims.aud.contains(provider.clientId), abs(now - claims.iat) < 300,
            (claims.exp ?? now + 1) + TokenService.skew > now, claims.nonce == nil,
            case .object = claims.events?["http://schemas.openid.net/event/backchannel-logout"],
            claims.sub != nil || claims.sid != nil, let jti = claims.jti, !jti.isEmpty
        else { throw Rejected(reason: "logout token không hợp lệ") }
        return LogoutRequest(
            subject: claims.sub, sessionID: claims.sid, jti: jti,
            expiresAt: Date(timeIntervalSince1970: Double(max(claims.exp ?? claims.iat + 300, claims.iat + 300)))
        )
    }
}
