import Core
import Foundation
import HTTPTypes
import Hummingbird

/// The back-channel endpoints: token, introspection (RFC 7662), revocation (RFC 7009), UserInfo, and the
/// discovery documents. Errors of the OAuth endpoints use RFC 6749's JSON format.
struct TokenController: Sendable {
    let provider: OIDCProvider
    let keys: SigningKeys

    func register(on api: APIRouter) {
        let form = "application/x-www-form-urlencoded"
        api.add(.get, "/.well-known/openid-configuration", access: .anonymous, maxBodySize: 0, APIOperation(
            "openidConfiguration", summary: "Tài liệu khám phá OpenID Connect (RFC 8414)", tags: ["sso"],
            responses: [APIResponse(200, "Cấu hình của nhà cung cấp", schema: ["type": "object"])]
        )) { _, _ in
            Self.json(discovery(), cache: "public, max-age=300")
        }
        api.add(.get, "/sso/jwks", access: .anonymous, maxBodySize: 0, APIOperation(
            "jwks", summary: "Khóa công khai dùng để kiểm tra chữ ký token (JWKS)", tags: ["sso"],
            responses: [APIResponse(200, "JWKS", contentType: "application/jwk-set+json", schema: ["type": "object"])]
        )) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/jwk-set+json", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: try await keys.jwks()))
            )
        }
        api.add(.post, "/sso/token", access: .anonymous, maxBodySize: 64 << 10, APIOperation(
            "token", summary: "Cấp token: authorization_code, refresh_token, client_credentials",
            description: "Xác thực client bằng client_secret_basic, client_secret_post hoặc private_key_jwt; ứng dụng public chỉ gửi client_id và phải dùng PKCE.",
            tags: ["sso"],
            requestBody: APIBody("Tham số cấp token", contentType: form, schema: ["type": "object", "required": ["grant_type"]]),
            responses: [
                APIResponse(200, "Token", schema: .ref("TokenResponse")),
                APIResponse(400, "Lỗi OAuth (RFC 6749 §5.2)", schema: .ref("OAuthError")),
                APIResponse(401, "Xác thực client thất bại", schema: .ref("OAuthError")),
            ]
        )) { request, context in
            do {
                return try await token(request: request, context: context)
            } catch let error as OAuthError {
                return error.response()
            }
        }
        api.add(.post, "/sso/introspect", access: .anonymous, maxBodySize: 64 << 10, APIOperation(
            "introspect", summary: "Kiểm tra token (RFC 7662), chỉ cho client đã xác thực", tags: ["sso"],
            requestBody: APIBody("token, token_type_hint", contentType: form, schema: ["type": "object", "required": ["token"]]),
            responses: [
                APIResponse(200, "Trạng thái token", schema: ["type": "object", "required": ["active"]]),
                APIResponse(401, "Xác thực client thất bại", schema: .ref("OAuthError")),
            ]
        )) { request, context in
            do {
                return try await introspect(request: request, context: context)
            } catch let error as OAuthError {
                return error.response()
            }
        }
        api.add(.post, "/sso/revoke", access: .anonymous, maxBodySize: 64 << 10, APIOperation(
            "revoke", summary: "Thu hồi token (RFC 7009)", tags: ["sso"],
            requestBody: APIBody("token, token_type_hint", contentType: form, schema: ["type": "object", "required": ["token"]]),
            responses: [
                APIResponse(200, "Đã xử lý (kể cả khi token không tồn tại)", contentType: nil),
                APIResponse(401, "Xác thực client thất bại", schema: .ref("OAuthError")),
            ]
        )) { request, context in
            do {
                return try await revoke(request: request, context: context)
            } catch let error as OAuthError {
                return error.response()
            }
        }
        for method in [HTTPRequest.Method.get, .post] {
            api.add(method, "/sso/userinfo", access: .scope(Scopes.openid), maxBodySize: 0, APIOperation(
                method == .get ? "userinfo" : "userinfoPost", summary: "Thông tin người dùng (OpenID Connect UserInfo)", tags: ["sso"],
                responses: [APIResponse(200, "Các claim theo phạm vi đã cấp", schema: ["type": "object", "required": ["sub"]])]
            )) { _, context in
                try await userinfo(context: context)
            }
        }
        api.addSchema("TokenResponse", [
            "type": "object",
            "required": ["access_token", "token_type", "expires_in"],
            "properties": [
                "access_token": ["type": "string"], "token_type": ["type": "string", "enum": ["Bearer"]],
                "expires_in": ["type": "integer"], "refresh_token": ["type": "string"], "id_token": ["type": "string"],
                "scope": ["type": "string"],
            ],
        ])
        api.addSchema("OAuthError", [
            "type": "object", "required": ["error"],
            "properties": ["error": ["type": "string"], "error_description": ["type": "string"]],
        ])
    }

    func discovery() -> JSONValue {
        let issuer = provider.issuer
        return [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/sso/authorize"),
            "token_endpoint": .string(issuer + "/sso/token"),
            "userinfo_endpoint": .string(issuer + "/sso/userinfo"),
            "jwks_uri": .string(issuer + "/sso/jwks"),
            "end_session_endpoint": .string(issuer + "/sso/logout"),
            "introspection_endpoint": .string(issuer + "/sso/introspect"),
            "revocation_endpoint": .string(issuer + "/sso/revoke"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "userinfo_signing_alg_values_supported": [],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported": ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": [
                .string(Scopes.openid), .string(Scopes.profile), .string(Scopes.email), .string(Scopes.personalID), .string(Scopes.roles),
                .string(Scopes.agency), .string(Scopes.offlineAccess),
            ],
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp", "sid", "amr", "at_hash", "name", "preferred_username",
                "email", "personal_id", "agency_code", "roles",
            ],
            "prompt_values_supported": ["none", "login"],
            "authorization_response_iss_parameter_supported": true,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_parameter_supported": false,
            "ui_locales_supported": ["vi"],
        ]
    }

    // MARK: Token endpoint

    func token(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await Self.form(request, context: context)
        let authenticated = try await provider.clientAuthenticator.authenticate(form: form, authorization: request.headers[.authorization])
        let client = authenticated.client
        switch form["grant_type"] {
        case "authorization_code":
            return try await exchangeCode(form, client: client, context: context)
        case "refresh_token":
            return try await refresh(form, client: client, context: context)
        case "client_credentials":
            return try await clientCredentials(form, client: client, context: context)
        case nil:
            throw OAuthError.invalidRequest("Thiếu grant_type.")
        case let other?:
            throw OAuthError.unsupportedGrantType("Không hỗ trợ grant_type \(other).")
        }
    }

    static func form(_ request: Request, context: AppRequestContext) async throws(OAuthError) -> FormFields {
        let form: FormFields
        do {
            form = try await request.decodeForm(context: context)
        } catch {
            throw OAuthError.invalidRequest("Nội dung phải là application/x-www-form-urlencoded.")
        }
        if let repeated = form.repeatedNames.first {
            throw OAuthError.invalidRequest("Tham số \(repeated) bị lặp.")
        }
        return form
    }

    func exchangeCode(_ form: FormFields, client: Client, context: AppRequestContext) async throws -> Response {
        guard client.allows(.authorizationCode) else { throw OAuthError.unauthorizedClient("Client không được dùng authorization_code.") }
        guard let code = form["code"] else { throw OAuthError.invalidRequest("Thiếu code.") }
        guard let redirectURI = form["redirect_uri"] else { throw OAuthError.invalidRequest("Thiếu redirect_uri.") }
        guard let record = try await provider.codes.find(code), record.clientID == client.id else {
            throw OAuthError.invalidGrant("Mã ủy quyền không hợp lệ.")
        }
        if record.usedAt != nil {
            try await replayedCode(record, client: client, context: context)
        }
        guard record.expiresAt > Date() else { throw OAuthError.invalidGrant("Mã ủy quyền đã hết hạn.") }
        guard record.redirectURI == redirectURI else { throw OAuthError.invalidGrant("redirect_uri không khớp với yêu cầu ủy quyền.") }
        let verifier = form["code_verifier"]
        if let challenge = record.codeChallenge {
            guard let verifier, Secrets.isValidVerifier(verifier), Secrets.equal(Secrets.pkceChallenge(verifier), challenge) else {
                throw OAuthError.invalidGrant("code_verifier không đúng (PKCE).")
            }
        } else if verifier != nil {
            throw OAuthError.invalidGrant("Yêu cầu ủy quyền không có code_challenge.")
        }
        let family = client.allows(.refreshToken) ? Secrets.token(bits: 128) : nil
        let jti = Secrets.token(bits: 128)
        guard try await provider.codes.markUsed(code, familyID: family, accessJTI: jti) else {
            // Another exchange of the same code won the race: a replay.
            try await replayedCode(try await provider.codes.find(code) ?? record, client: client, context: context)
        }
        guard let account = try await provider.accounts.find(id: record.userID), !account.disabled,
            let session = try await provider.sessions.find(sid: record.sid)
        else { throw OAuthError.invalidGrant("Tài khoản hoặc phiên đăng nhập không còn hiệu lực.") }
        return try await issue(
            account: account, client: client, scopes: record.scope, sid: record.sid, authTime: record.authTime, amr: record.amr,
            idp: session.idp, nonce: record.nonce, family: family.map { ($0, Date().addingTimeInterval(Double(provider.settings.refreshTokenMax.seconds))) },
            jti: jti, grant: "authorization_code", context: context
        )
    }

    /// A code presented again: everything issued from it is revoked (RFC 6749 §4.1.2).
    func replayedCode(_ record: CodeStore.Code, client: Client, context: AppRequestContext) async throws -> Never {
        if let family = record.familyID { try await provider.revokeFamily(family) }
        if let jti = record.accessJTI {
            try await provider.revocations.revoke(.jti, jti, until: Date().addingTimeInterval(Double(provider.settings.accessTokenTTL.seconds + 60)))
        }
        try await provider.audit.record(AuditEvent(
            action: "sso.code.replayed", outcome: .denied, subject: record.userID, client: client.id, requestID: context.requestID,
            details: ["revoked": "tokens issued from the code"]
        ))
        throw OAuthError.invalidGrant("Mã ủy quyền đã được dùng; các token cấp từ mã này đã bị thu hồi.")
    }

    func refresh(_ form: FormFields, client: Client, context: AppRequestContext) async throws -> Response {
        guard client.allows(.refreshToken) else { throw OAuthError.unauthorizedClient("Client không được dùng refresh_token.") }
        guard let token = form["refresh_token"] else { throw OAuthError.invalidRequest("Thiếu refresh_token.") }
        guard let record = try await provider.refreshTokens.find(token), record.clientID == client.id else {
            throw OAuthError.invalidGrant("Refresh token không hợp lệ.")
        }
        guard record.revokedAt == nil else { throw OAuthError.invalidGrant("Refresh token đã bị thu hồi.") }
        if record.usedAt != nil {
            try await reusedRefreshToken(record, client: client, context: context)
        }
        let now = Date()
        guard record.expiresAt > now, record.familyExpiresAt > now else { throw OAuthError.invalidGrant("Refresh token đã hết hạn.") }
        var scopes = record.scope
        if let requested = form["scope"] {
            let narrower = Scopes.parse(requested)
            guard Set(narrower).isSubset(of: Set(record.scope)) else {
                throw OAuthError.invalidScope("Không được yêu cầu phạm vi rộng hơn lần cấp ban đầu.")
            }
            scopes = narrower
        }
        if await provider.revocations.isRevoked(jti: nil, family: record.familyID, session: record.sid) {
            throw OAuthError.invalidGrant("Refresh token đã bị thu hồi.")
        }
        guard try await provider.refreshTokens.markUsed(token) else {
            try await reusedRefreshToken(record, client: client, context: context)
        }
        guard let account = try await provider.accounts.find(id: record.userID), !account.disabled,
            let session = try await provider.sessions.find(sid: record.sid)
        else { throw OAuthError.invalidGrant("Tài khoản hoặc phiên đăng nhập không còn hiệu lực.") }
        // What the client and the person may have now, not only what they had at sign-in.
        scopes = provider.grantedScopes(scopes.filter { client.scopes.contains($0) }, account: account)
        return try await issue(
            account: account, client: client, scopes: scopes, sid: record.sid, authTime: record.authTime, amr: record.amr, idp: session.idp, nonce: nil,
            family: (record.familyID, record.familyExpiresAt), jti: Secrets.token(bits: 128), grant: "refresh_token", context: context
        )
    }

    /// A rotated refresh token presented again: someone else holds a copy, so the whole family goes.
    func reusedRefreshToken(_ record: RefreshTokenStore.Token, client: Client, context: AppRequestContext) async throws -> Never {
        try await provider.revokeFamily(record.familyID)
        try await provider.audit.record(AuditEvent(
            action: "sso.refresh.reuse_detected", outcome: .denied, subject: record.userID, client: client.id,
            objectType: "refresh_family", objectID: record.familyID, requestID: context.requestID
        ))
        throw OAuthError.invalidGrant("Refresh token đã được dùng; cả chuỗi token đã bị thu hồi.")
    }

    func clientCredentials(_ form: FormFields, client: Client, context: AppRequestContext) async throws -> Response {
        guard client.kind == .confidential, client.allows(.clientCredentials) else {
            throw OAuthError.unauthorizedClient("Client không được dùng client_credentials.")
        }
        var scopes = Scopes.parse(form["scope"])
        if let bad = scopes.first(where: { !client.scopes.contains($0) || Scopes.identity.contains($0) }) {
            throw OAuthError.invalidScope("Phạm vi không được phép cho client: \(bad).")
        }
        if form["scope"] == nil {
            scopes = client.scopes.filter { !Scopes.identity.contains($0) }
        }
        let issued = try await provider.tokens.issueAccessToken(
            kind: .client, subject: client.id, clientID: client.id, scopes: scopes, sessionID: nil, family: nil, roles: nil,
            agencyCode: client.agencyCode, authTime: nil
        )
        try await provider.audit.record(AuditEvent(
            action: "sso.token.issued", outcome: .success, subject: client.id, client: client.id, agency: client.agencyCode,
            objectType: "access_token", objectID: issued.jti, requestID: context.requestID,
            details: ["grant": "client_credentials", "scope": scopes.joined(separator: " ")]
        ))
        var body: [String: JSONValue] = [
            "access_token": .string(issued.token), "token_type": "Bearer", "expires_in": .integer(issued.expiresIn),
        ]
        if !scopes.isEmpty { body["scope"] = .string(scopes.joined(separator: " ")) }
        return Self.json(.object(body))
    }

    /// Issues access, ID (for `openid`) and refresh (in `family`) tokens to a person through a client.
    func issue(
        account: Account, client: Client, scopes: [String], sid: String, authTime: Date, amr: [String], idp: String?, nonce: String?,
        family: (id: String, expiresAt: Date)?, jti: String, grant: String, context: AppRequestContext
    ) async throws -> Response {
        let access = try await provider.tokens.issueAccessToken(
            kind: .user, subject: account.id, clientID: client.id, scopes: scopes, sessionID: sid, family: family?.id,
            roles: account.roles.isEmpty ? nil : account.roles, agencyCode: account.agencyCode, authTime: authTime,
            personalID: account.personalID, taxCode: account.taxCode, jti: jti
        )
        var body: [String: JSONValue] = [
            "access_token": .string(access.token), "token_type": "Bearer", "expires_in": .integer(access.expiresIn),
            "scope": .string(scopes.joined(separator: " ")),
        ]
        if scopes.contains(Scopes.openid) {
            body["id_token"] = .string(try await provider.tokens.issueIDToken(
                account: account, client: client, scopes: scopes, nonce: nonce, sessionID: sid, authTime: authTime, amr: amr,
                accessToken: access.token, idp: idp
            ))
        }
        if let family {
            let refresh = try await provider.refreshTokens.issue(
                familyID: family.id, familyExpiresAt: family.expiresAt, clientID: client.id, userID: account.id, sid: sid,
                scope: scopes, authTime: authTime, amr: amr, idle: provider.settings.refreshTokenIdle.duration
            )
            body["refresh_token"] = .string(refresh.token)
        }
        try await provider.audit.record(AuditEvent(
            action: grant == "refresh_token" ? "sso.token.refreshed" : "sso.token.issued", outcome: .success, subject: account.id,
            client: client.id, agency: account.agencyCode, objectType: "access_token", objectID: access.jti, requestID: context.requestID,
            details: ["grant": grant, "scope": scopes.joined(separator: " ")]
        ))
        return Self.json(.object(body))
    }

    // MARK: Introspection and revocation

    func introspect(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await Self.form(request, context: context)
        let authenticated = try await provider.clientAuthenticator.authenticate(form: form, authorization: request.headers[.authorization])
        guard authenticated.client.kind == .confidential else {
            throw OAuthError.invalidClient("Chỉ client bảo mật được kiểm tra token.", basic: false)
        }
        guard let token = form["token"] else { throw OAuthError.invalidRequest("Thiếu token.") }
        let hint = form["token_type_hint"]
        if hint != "refresh_token", let claims = try? await provider.tokens.verifiedAccessClaims(token) {
            var body: [String: JSONValue] = [
                "active": true, "token_type": "Bearer", "scope": .string(claims.scope), "client_id": .string(claims.client_id),
                "sub": .string(claims.sub), "exp": .integer(claims.exp), "iat": .integer(claims.iat), "nbf": .integer(claims.nbf),
                "iss": .string(claims.iss), "aud": .array(claims.aud.values.map(JSONValue.string)), "jti": .string(claims.jti),
            ]
            if let sid = claims.sid { body["sid"] = .string(sid) }
            if let roles = claims.roles { body["roles"] = .array(roles.map(JSONValue.string)) }
            if let agency = claims.agency_code { body["agency_code"] = .string(agency) }
            return Self.json(.object(body))
        }
        if let record = try await provider.refreshTokens.find(token),
            record.clientID == authenticated.client.id, record.revokedAt == nil, record.usedAt == nil,
            record.expiresAt > Date(), record.familyExpiresAt > Date(),
            try await provider.sessions.find(sid: record.sid) != nil
        {
            return Self.json([
                "active": true, "token_type": "refresh_token", "scope": .string(record.scope.joined(separator: " ")),
                "client_id": .string(record.clientID), "sub": .string(record.userID),
                "exp": .integer(Int64(min(record.expiresAt, record.familyExpiresAt).timeIntervalSince1970)),
                "iss": .string(provider.issuer), "sid": .string(record.sid),
            ])
        }
        return Self.json(["active": false])
    }

    func revoke(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await Self.form(request, context: context)
        let authenticated = try await provider.clientAuthenticator.authenticate(form: form, authorization: request.headers[.authorization])
        guard let token = form["token"] else { throw OAuthError.invalidRequest("Thiếu token.") }
        let client = authenticated.client
        var revoked: String?
        if let record = try await provider.refreshTokens.find(token), record.clientID == client.id {
            try await provider.revokeFamily(record.familyID)
            revoked = "refresh_family"
        } else if let claims = try? await provider.tokens.verifiedAccessClaims(token), claims.client_id == client.id {
            try await provider.revocations.revoke(.jti, claims.jti, until: Date(timeIntervalSince1970: Double(claims.exp + TokenService.skew)))
            revoked = "access_token"
        }
        if let revoked {
            try await provider.audit.record(AuditEvent(
                action: "sso.token.revoked", outcome: .success, client: client.id, objectType: revoked, requestID: context.requestID
            ))
        }
        // Unknown and foreign tokens get the same answer (RFC 7009 §2.2).
        return Response(status: .ok, headers: [.cacheControl: "no-store", .contentLength: "0"])
    }

    // MARK: UserInfo

    func userinfo(context: AppRequestContext) async throws -> Response {
        guard let principal = context.principal, principal.kind == .user,
            let account = try await provider.accounts.find(id: principal.subject), !account.disabled
        else {
            throw Problem(.unauthorized, detail: "Token không thuộc về người dùng đang hoạt động.", headers: [.wwwAuthenticate: #"Bearer realm="lgsp", error="invalid_token""#])
        }
        let scopes = principal.scopes
        var claims: [String: JSONValue] = ["sub": .string(account.id)]
        if scopes.contains(Scopes.profile) {
            claims["name"] = .string(account.name)
            claims["preferred_username"] = .string(account.username)
            if let agency = account.agencyCode { claims["agency_code"] = .string(agency) }
        }
        if scopes.contains(Scopes.email), let email = account.email { claims["email"] = .string(email) }
        if scopes.contains(Scopes.personalID), let personalID = account.personalID { claims["personal_id"] = .string(personalID) }
        if scopes.contains(Scopes.agency), let agency = account.agencyCode { claims["agency_code"] = .string(agency) }
        if scopes.contains(Scopes.roles) { claims["roles"] = .array(account.roles.map(JSONValue.string)) }
        return Self.json(.object(claims))
    }

    static func json(_ value: JSONValue, cache: String = "no-store") -> Response {
        let data = (try? value.encoded()) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: cache]
        if cache == "no-store" { headers[HTTPField.Name("Pragma")!] = "no-cache" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
