import Core
import Foundation
import JWTKit

/// Registering and changing clients, for the admin API and the `lgsp client` commands.
public struct ClientService: Sendable {
    let provider: OIDCProvider
    let environment: DeploymentEnvironment

    public struct NewClient: Codable, Sendable {
        public var clientId: String?
        public var name: String
        public var type: Client.Kind
        public var tokenEndpointAuthMethod: Client.AuthMethod?
        public var redirectUris: [String]?
        public var postLogoutRedirectUris: [String]?
        public var grantTypes: [Client.GrantType]?
        public var scopes: [String]?
        public var agencyCode: String?
        public var jwks: JSONValue?

        public init(
            clientId: String? = nil, name: String, type: Client.Kind, tokenEndpointAuthMethod: Client.AuthMethod? = nil,
            redirectUris: [String]? = nil, postLogoutRedirectUris: [String]? = nil, grantTypes: [Client.GrantType]? = nil,
            scopes: [String]? = nil, agencyCode: String? = nil, jwks: JSONValue? = nil
        ) {
            self.clientId = clientId
            self.name = name
            self.type = type
            self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
            self.redirectUris = redirectUris
            self.postLogoutRedirectUris = postLogoutRedirectUris
            self.grantTypes = grantTypes
            self.scopes = scopes
            self.agencyCode = agencyCode
            self.jwks = jwks
        }
    }

    public struct ClientChanges: Codable, Sendable {
        public var name: String?
        public var redirectUris: [String]?
        public var postLogoutRedirectUris: [String]?
        public var grantTypes: [Client.GrantType]?
        public var scopes: [String]?
        public var agencyCode: String?
        public var jwks: JSONValue?
        public var disabled: Bool?

        public init(
            name: String? = nil, redirectUris: [String]? = nil, postLogoutRedirectUris: [String]? = nil, grantTypes: [Client.GrantType]? = nil,
            scopes: [String]? = nil, agencyCode: String? = nil, jwks: JSONValue? = nil, disabled: Bool? = nil
        ) {
            self.name = name
            self.redirectUris = redirectUris
            self.postLogoutRedirectUris = postLogoutRedirectUris
            self.grantTypes = grantTypes
            self.scopes = scopes
            self.agencyCode = agencyCode
            self.jwks = jwks
            self.disabled = disabled
        }
    }

    /// A client as created: the secret appears here and nowhere else, ever.
    public struct Created: Codable, Sendable {
        public let client: Client
        public let clientSecret: String?
    }

    public func create(_ input: NewClient, by actor: AdminActor) async throws -> Created {
        let id = input.clientId ?? "c-" + Secrets.token(bits: 64).lowercased().filter { $0.isLetter || $0.isNumber }
        let method = input.tokenEndpointAuthMethod ?? (input.type == .public ? .none : .clientSecretBasic)
        let grants = input.grantTypes ?? (input.type == .public ? [.authorizationCode, .refreshToken] : [.authorizationCode, .refreshToken])
        let now = Timestamp.now()
        let client = Client(
            id: id, name: VietnameseText.nfc(input.name.trimmingCharacters(in: .whitespacesAndNewlines)), kind: input.type,
            authMethod: method, redirectURIs: input.redirectUris ?? [], postLogoutRedirectURIs: input.postLogoutRedirectUris ?? [],
            grantTypes: grants, scopes: input.scopes ?? [Scopes.openid, Scopes.profile], agencyCode: input.agencyCode, jwks: input.jwks,
            disabled: false, createdAt: now, updatedAt: now
        )
        var errors = validate(client)
        if input.clientId != nil && !Self.isValidClientID(id) {
            errors.append(.init(pointer: "/clientId", message: "Mã client gồm 3–64 ký tự a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang."))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        if try await provider.clients.find(id) != nil {
            throw Problem(.conflict, detail: "Đã có client với mã \(id).")
        }
        var normalized = client
        if let text = client.agencyCode, case .success(let code) = AgencyCode.validate(text) { normalized.agencyCode = code.value }
        let secret = method == .clientSecretBasic || method == .clientSecretPost ? Secrets.token() : nil
        try await provider.clients.insert(normalized, secretHash: secret.map(Secrets.clientSecretHash))
        try await provider.audit.record(actor.event(
            "sso.client.created", type: "client", id: id, details: ["type": input.type.rawValue, "auth": method.rawValue]
        ))
        return Created(client: normalized, clientSecret: secret)
    }

    public func find(_ id: String) async throws -> Client {
        guard let registered = try await provider.clients.find(id) else { throw Problem.notFound("Không có client \(id).") }
        return registered.client
    }

    public func list(after: String?, limit: Int) async throws -> [Client] {
        try await provider.clients.list(after: after, limit: limit)
    }

    public func update(_ id: String, _ changes: ClientChanges, by actor: AdminActor) async throws -> Client {
        let before = try await find(id)
        var client = before
        if let name = changes.name { client.name = VietnameseText.nfc(name.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if let uris = changes.redirectUris { client.redirectURIs = uris }
        if let uris = changes.postLogoutRedirectUris { client.postLogoutRedirectURIs = uris }
        if let grants = changes.grantTypes { client.grantTypes = grants }
        if let scopes = changes.scopes { client.scopes = scopes }
        if let agency = changes.agencyCode { client.agencyCode = agency.isEmpty ? nil : agency }
        if let jwks = changes.jwks { client.jwks = jwks }
        if let disabled = changes.disabled { client.disabled = disabled }
        let errors = validate(client)
        guard errors.isEmpty else { throw Problem.validation(errors) }
        if let text = client.agencyCode, case .success(let code) = AgencyCode.validate(text) { client.agencyCode = code.value }
        client.updatedAt = Timestamp.now()
        try await provider.clients.update(client)
        if client.disabled || !Set(before.scopes).isSubset(of: Set(client.scopes)) || !Set(before.grantTypes).isSubset(of: Set(client.grantTypes)) {
            // Less is allowed than before: what was issued under the old registration is revoked.
            for family in try await provider.refreshTokens.families(clientID: id) {
                try await provider.revokeFamily(family)
            }
        }
        try await provider.audit.record(actor.event(changes.disabled == true ? "sso.client.disabled" : "sso.client.updated", type: "client", id: id))
        return client
    }

    /// A new secret (the old one stops working at once); shown only in this answer.
    public func rotateSecret(_ id: String, by actor: AdminActor) async throws -> Created {
        let client = try await find(id)
        guard client.authMethod == .clientSecretBasic || client.authMethod == .clientSecretPost else {
            throw Problem(.conflict, detail: "Client \(id) không xác thực bằng secret.")
        }
        let secret = Secrets.token()
        try await provider.clients.setSecret(id: id, hash: Secrets.clientSecretHash(secret), at: Timestamp.now())
        try await provider.audit.record(actor.event("sso.client.secret_rotated", type: "client", id: id))
        return Created(client: client, clientSecret: secret)
    }

    func validate(_ client: Client) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if client.name.isEmpty || client.name.count > 200 {
            errors.append(.init(pointer: "/name", message: "Tên ứng dụng không được để trống và tối đa 200 ký tự."))
        }
        switch (client.kind, client.authMethod) {
        case (.public, .none), (.confidential, .clientSecretBasic), (.confidential, .clientSecretPost), (.confidential, .privateKeyJWT):
            break
        case (.public, _):
            errors.append(.init(pointer: "/tokenEndpointAuthMethod", message: "Ứng dụng public không giữ được bí mật: chỉ dùng none (kèm PKCE)."))
        case (.confidential, .none):
            errors.append(.init(pointer: "/tokenEndpointAuthMethod", message: "Ứng dụng bảo mật phải xác thực: client_secret_basic, client_secret_post hoặc private_key_jwt."))
        }
        if client.kind == .public && client.grantTypes.contains(.clientCredentials) {
            errors.append(.init(pointer: "/grantTypes", message: "Ứng dụng public không được dùng client_credentials."))
        }
        if client.grantTypes.isEmpty {
            errors.append(.init(pointer: "/grantTypes", message: "Cần ít nhất một grant type."))
        }
        if client.grantTypes.contains(.authorizationCode) && client.redirectURIs.isEmpty {
            errors.append(.init(pointer: "/redirectUris", message: "Luồng authorization code cần ít nhất một redirect URI."))
        }
        for (index, uri) in client.redirectURIs.enumerated() {
            if let problem = redirectProblem(uri, publicClient: client.kind == .public) {
                errors.append(.init(pointer: "/redirectUris/\(index)", message: problem))
            }
        }
        for (index, uri) in client.postLogoutRedirectURIs.enumerated() {
            if let problem = redirectProblem(uri, publicClient: client.kind == .public) {
                errors.append(.init(pointer: "/postLogoutRedirectUris/\(index)", message: problem))
            }
        }
        for (index, scope) in client.scopes.enumerated() where !Scopes.isValid(scope) {
            errors.append(.init(pointer: "/scopes/\(index)", message: "Tên phạm vi không hợp lệ."))
        }
        if let text = client.agencyCode, case .failure(let error) = AgencyCode.validate(text) {
            errors.append(.init(pointer: "/agencyCode", message: error.message))
        }
        if client.authMethod == .privateKeyJWT {
            if let problem = Self.jwksProblem(client.jwks) {
                errors.append(.init(pointer: "/jwks", message: problem))
            }
        } else if client.jwks != nil {
            errors.append(.init(pointer: "/jwks", message: "Chỉ client dùng private_key_jwt mới đăng ký khóa công khai."))
        }
        return errors
    }

    /// Redirect URIs are absolute, without fragment; plain http only to the loopback interface (or anywhere
    /// in development); a public (native) client may use a private-use scheme (RFC 8252 §7.1).
    func redirectProblem(_ uri: String, publicClient: Bool) -> String? {
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased() else {
            return "Redirect URI phải là URL tuyệt đối."
        }
        if components.fragment != nil { return "Redirect URI không được có phần #fragment." }
        switch scheme {
        case "https":
            return components.host?.isEmpty == false ? nil : "Redirect URI thiếu tên máy."
        case "http":
            let host = components.host?.lowercased() ?? ""
            if environment == .development || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) { return nil }
            return "Chỉ dùng http với địa chỉ loopback (127.0.0.1, localhost); các địa chỉ khác phải dùng https."
        default:
            return publicClient && scheme.contains(".") ? nil : "Redirect URI phải dùng https (hoặc scheme riêng dạng tên miền đảo ngược cho ứng dụng di động)."
        }
    }

    static func jwksProblem(_ jwks: JSONValue?) -> String? {
        guard let jwks, let keys = jwks["keys"]?.arrayValue, !keys.isEmpty else {
            return "private_key_jwt cần JWKS có ít nhất một khóa công khai."
        }
        for key in keys {
            if key["d"] != nil || key["p"] != nil { return "JWKS chỉ được chứa khóa công khai (không có thành phần bí mật)." }
        }
        guard let data = try? jwks.encoded(), (try? JSONDecoder().decode(JWKS.self, from: data)) != nil else {
            return "JWKS không hợp lệ."
        }
        return nil
    }

    static func isValidClientID(_ id: String) -> Bool {
        AccountService.isValidUsername(id)
    }
}
