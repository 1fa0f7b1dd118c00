import Core
import Foundation
import HTTPTypes
import Hummingbird

/// The browser side of the SSO: the authorization endpoint, the login pages and logout.
struct AuthorizationController: Sendable {
    let provider: OIDCProvider
    /// External identity providers shown as buttons on the login page.
    var federated: [IdentityProviderConfig] = []

    func register(on api: APIRouter) {
        api.addTag("sso", description: "Đăng nhập một lần (OpenID Connect)")
        for method in [HTTPRequest.Method.get, .post] {
            api.add(method, "/sso/authorize", access: .anonymous, maxBodySize: 16 << 10, APIOperation(
                method == .get ? "authorize" : "authorizePost",
                summary: "Điểm ủy quyền OpenID Connect (luồng authorization code, PKCE S256)",
                description: "Xác thực người dùng (trang đăng nhập hoặc phiên đăng nhập một lần đang có) rồi chuyển về redirect_uri đã đăng ký kèm code và state.",
                tags: ["sso"],
                parameters: method == .get ? Self.authorizeParameters : [],
                requestBody: method == .post ? APIBody("Tham số ủy quyền", contentType: "application/x-www-form-urlencoded", schema: ["type": "object"]) : nil,
                responses: [
                    APIResponse(200, "Trang đăng nhập", contentType: "text/html", schema: ["type": "string"]),
                    APIResponse(302, "Chuyển về ứng dụng kèm code, hoặc kèm lỗi", contentType: nil),
                    APIResponse(400, "Ứng dụng hoặc redirect_uri không hợp lệ (trang lỗi)", contentType: "text/html", schema: ["type": "string"]),
                ]
            )) { request, context in
                let fields = method == .get ? request.queryFields : try await request.decodeForm(context: context)
                return try await authorize(fields, request: request, context: context)
            }
        }
        api.add(.post, "/sso/login", access: .anonymous, maxBodySize: 16 << 10, APIOperation(
            "login", summary: "Gửi biểu mẫu đăng nhập", tags: ["sso"],
            requestBody: APIBody("Tên đăng nhập và mật khẩu", contentType: "application/x-www-form-urlencoded", schema: Self.formSchema(["request_id", "csrf_token", "username", "password"])),
            responses: [
                APIResponse(303, "Đăng nhập thành công: chuyển về ứng dụng", contentType: nil),
                APIResponse(200, "Trang đăng nhập kèm lỗi, hoặc trang nhập mã xác thực", contentType: "text/html", schema: ["type": "string"]),
                APIResponse(403, "CSRF không hợp lệ", contentType: "text/html", schema: ["type": "string"]),
                APIResponse(429, "Quá nhiều lần thử từ địa chỉ này", contentType: "text/html", schema: ["type": "string"]),
            ]
        )) { request, context in
            try await submitPassword(try await request.decodeForm(context: context), request: request, context: context)
        }
        api.add(.post, "/sso/authorize/continue", access: .anonymous, maxBodySize: 16 << 10, APIOperation(
            "authorizeContinue", summary: "Xác nhận tiếp tục đăng nhập cho ứng dụng gốc (native) bằng phiên đang có", tags: ["sso"],
            requestBody: APIBody("Xác nhận", contentType: "application/x-www-form-urlencoded", schema: Self.formSchema(["request_id", "csrf_token"])),
            responses: [
                APIResponse(303, "Chuyển về ứng dụng kèm code", contentType: nil),
                APIResponse(400, "Phiên đăng nhập đã hết hạn", contentType: "text/html", schema: ["type": "string"]),
                APIResponse(403, "CSRF không hợp lệ", contentType: "text/html", schema: ["type": "string"]),
            ]
        )) { request, context in
            try await confirmContinue(try await request.decodeForm(context: context), request: request, context: context)
        }
        api.add(.post, "/sso/login/otp", access: .anonymous, maxBodySize: 16 << 10, APIOperation(
            "loginOTP", summary: "Gửi mã xác thực hai lớp (TOTP)", tags: ["sso"],
            requestBody: APIBody("Mã TOTP", contentType: "application/x-www-form-urlencoded", schema: Self.formSchema(["request_id", "csrf_token", "otp"])),
            responses: [
                APIResponse(303, "Đăng nhập thành công: chuyển về ứng dụng", contentType: nil),
                APIResponse(200, "Trang nhập mã kèm lỗi", contentType: "text/html", schema: ["type": "string"]),
            ]
        )) { request, context in
            try await submitOTP(try await request.decodeForm(context: context), request: request, context: context)
        }
        for method in [HTTPRequest.Method.get, .post] {
            api.add(method, "/sso/logout", access: .anonymous, maxBodySize: 16 << 10, APIOperation(
                method == .get ? "endSession" : "endSessionConfirm",
                summary: method == .get ? "Đăng xuất do ứng dụng khởi tạo (RP-initiated logout)" : "Xác nhận đăng xuất",
                tags: ["sso"],
                parameters: method == .get ? [
                    APIParameter("id_token_hint", in: .query, description: "ID token đã cấp cho ứng dụng"),
                    APIParameter("post_logout_redirect_uri", in: .query, description: "Địa chỉ đã đăng ký để quay về sau khi đăng xuất"),
                    APIParameter("client_id", in: .query, description: "Ứng dụng"),
                    APIParameter("state", in: .query, description: "Trả lại nguyên vẹn"),
                ] : [],
                requestBody: method == .post ? APIBody("Xác nhận", contentType: "application/x-www-form-urlencoded", schema: ["type": "object"]) : nil,
                responses: [
                    APIResponse(302, "Đã đăng xuất, chuyển về ứng dụng", contentType: nil),
                    APIResponse(200, "Trang xác nhận hoặc thông báo đã đăng xuất", contentType: "text/html", schema: ["type": "string"]),
                    APIResponse(400, "Tham số không hợp lệ", contentType: "text/html", schema: ["type": "string"]),
                ]
            )) { request, context in
                let fields = method == .get ? request.queryFields : try await request.decodeForm(context: context)
                return try await logout(fields, confirmed: method == .post, request: request, context: context)
            }
        }
        api.add(.get, "/sso/assets/lgsp.css", access: .anonymous, maxBodySize: 0, APIOperation(
            "ssoStylesheet", summary: "Bảng định kiểu của các trang đăng nhập", tags: ["sso"],
            responses: [APIResponse(200, "CSS", contentType: "text/css", schema: ["type": "string"])]
        )) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: Templates.stylesheet))
            )
        }
    }

    static let authorizeParameters: [APIParameter] = [
        APIParameter("response_type", in: .query, description: "Chỉ hỗ trợ code", required: true),
        APIParameter("client_id", in: .query, description: "Mã ứng dụng", required: true),
        APIParameter("redirect_uri", in: .query, description: "Phải trùng khớp hoàn toàn một địa chỉ đã đăng ký", required: true),
        APIParameter("scope", in: .query, description: "Ví dụ: openid profile"),
        APIParameter("state", in: .query, description: "Trả lại nguyên vẹn"),
        APIParameter("nonce", in: .query, description: "Đưa vào ID token"),
        APIParameter("code_challenge", in: .query, description: "PKCE (bắt buộc với ứng dụng public)"),
        APIParameter("code_challenge_method", in: .query, description: "Chỉ S256"),
        APIParameter("prompt", in: .query, description: "none hoặc login"),
        APIParameter("max_age", in: .query, description: "Số giây tối đa kể từ lần đăng nhập", schema: ["type": "integer", "minimum": 0]),
        APIParameter("login_hint", in: .query, description: "Điền sẵn tên đăng nhập"),
    ]

    static func formSchema(_ fields: [String]) -> JSONValue {
        ["type": "object", "required": .array(fields.map(JSONValue.string)), "properties": .object(Dictionary(uniqueKeysWithValues: fields.map { ($0, ["type": "string"]) }))]
    }

    // MARK: Authorization

    func authorize(_ fields: FormFields, request: Request, context: AppRequestContext) async throws -> Response {
        let pages = provider.pages
        guard let clientID = fields["client_id"], let registered = try await provider.clients.find(clientID), !registered.client.disabled else {
            return pages.message(title: "Không thể đăng nhập", message: "Ứng dụng yêu cầu đăng nhập không hợp lệ hoặc đã bị vô hiệu hóa.", status: .badRequest)
        }
        let client = registered.client
        // Exact match only: no prefix, no wildcard, no normalisation.
        guard let redirectURI = fields["redirect_uri"], client.redirectURIs.contains(redirectURI) else {
            return pages.message(
                title: "Không thể đăng nhập",
                message: "Địa chỉ quay về (redirect_uri) không khớp với địa chỉ đã đăng ký của ứng dụng. Vì an toàn, hệ thống không chuyển tiếp.",
                status: .badRequest
            )
        }
        let state = fields["state"]
        func fail(_ error: String, _ description: String) -> Response {
            redirect(to: redirectURI, [("error", error), ("error_description", description), ("state", state), ("iss", provider.issuer)])
        }
        if !fields.repeatedNames.isEmpty {
            return fail("invalid_request", "Tham số bị lặp: \(fields.repeatedNames.joined(separator: ", ")).")
        }
        if fields["request"] != nil { return fail("request_not_supported", "Không hỗ trợ tham số request.") }
        if fields["request_uri"] != nil { return fail("request_uri_not_supported", "Không hỗ trợ tham số request_uri.") }
        guard fields["response_type"] == "code" else {
            return fail("unsupported_response_type", "Chỉ hỗ trợ response_type=code.")
        }
        guard client.allows(.authorizationCode) else {
            return fail("unauthorized_client", "Ứng dụng không được dùng luồng authorization code.")
        }
        let scopes = Scopes.parse(fields["scope"])
        if let bad = scopes.first(where: { !Scopes.isValid($0) || !client.scopes.contains($0) }) {
            return fail("invalid_scope", "Phạm vi không được phép cho ứng dụng: \(bad).")
        }
        let challenge = fields["code_challenge"]
        let method = fields["code_challenge_method"]
        if let challenge {
            guard method == "S256" else { return fail("invalid_request", "code_challenge_method phải là S256.") }
            guard challenge.utf8.count == 43, Secrets.isValidVerifier(challenge) else {
                return fail("invalid_request", "code_challenge không hợp lệ.")
            }
        } else if method != nil {
            return fail("invalid_request", "Có code_challenge_method mà thiếu code_challenge.")
        } else if client.kind == .public {
            return fail("invalid_request", "Ứng dụng public phải dùng PKCE (code_challenge, S256).")
        }
        let prompts = Set(Scopes.parse(fields["prompt"]))
        if prompts.contains("none") && prompts.count > 1 {
            return fail("invalid_request", "prompt=none không được đi cùng giá trị khác.")
        }
        var maxAge: Int?
        if let text = fields["max_age"] {
            guard let value = Int(text), value >= 0 else { return fail("invalid_request", "max_age phải là số nguyên không âm.") }
            maxAge = value
        }

        var session: SessionStore.Session?
        if let cookie = provider.cookies.value(SSOCookies.session, in: request) {
            session = try await provider.sessions.live(cookie: cookie, idle: provider.settings.sessionIdle.duration)
        }
        var needsLogin = session == nil || prompts.contains("login")
        if let session, let maxAge, Date().timeIntervalSince(session.authTime) > Double(maxAge) {
            needsLogin = true
        }
        // RFC 8252 §8.6: another app can claim a native client's custom scheme or loopback port; with a
        // session cookie it would get a code silently. Such clients get a click-through.
        let mayImpersonate = client.kind == .public && !redirectURI.lowercased().hasPrefix("https://")
        if !needsLogin, let session, mayImpersonate {
            if prompts.contains("none") {
                return fail("interaction_required", "Ứng dụng này cần người dùng xác nhận.")
            }
            if let account = try await provider.accounts.find(id: session.userID), !account.disabled {
                let (authRequest, csrf) = try await provider.requests.create(
                    clientID: client.id, redirectURI: redirectURI, scope: scopes, state: state, nonce: fields["nonce"],
                    codeChallenge: challenge, codeChallengeMethod: method, loginHint: nil
                )
                try await provider.requests.setPendingUser(authRequest.id, userID: account.id)
                return provider.pages.render(
                    "continue",
                    ["title": "Xác nhận đăng nhập", "clientName": client.name, "accountName": account.name, "requestID": authRequest.id, "csrf": csrf],
                    cookies: [provider.cookies.set(SSOCookies.csrf, csrf)], formTargets: [Self.origin(redirectURI)]
                )
            }
        }
        if !needsLogin, let session {
            if let account = try await provider.accounts.find(id: session.userID), !account.disabled {
                let code = try await provider.codes.create(
                    clientID: client.id, userID: account.id, sid: session.sid, redirectURI: redirectURI,
                    scope: provider.grantedScopes(scopes, account: account), nonce: fields["nonce"], codeChallenge: challenge,
                    codeChallengeMethod: method, authTime: session.authTime, amr: session.amr
                )
                try await provider.audit.record(AuditEvent(
                    action: "sso.authorize", outcome: .success, subject: account.id, client: client.id, objectType: "session",
                    objectID: session.sid, requestID: context.requestID, details: ["via": "sso-session"]
                ))
                return redirect(to: redirectURI, [("code", code), ("state", state), ("iss", provider.issuer)])
            }
            needsLogin = true
        }
        if prompts.contains("none") {
            return fail("login_required", "Cần đăng nhập.")
        }
        let (authRequest, csrf) = try await provider.requests.create(
            clientID: client.id, redirectURI: redirectURI, scope: scopes, state: state, nonce: fields["nonce"],
            codeChallenge: challenge, codeChallengeMethod: method, loginHint: fields["login_hint"]
        )
        return loginPage(authRequest, csrf: csrf, client: client, username: fields["login_hint"] ?? "", error: nil)
    }

    func loginPage(_ authRequest: AuthorizationRequest, csrf: String, client: Client?, username: String, error: String?) -> Response {
        var values: [String: Any] = [
            "title": "Đăng nhập", "requestID": authRequest.id, "csrf": csrf, "username": username,
        ]
        if let client { values["clientName"] = client.name }
        if let error { values["error"] = error }
        values["providers"] = federated.map { ["id": $0.id, "name": $0.name, "requestID": authRequest.id, "csrf": csrf] }
        values["hasProviders"] = !federated.isEmpty
        // After the form's POST the browser goes on to the application, or to an identity provider.
        let targets = [Self.origin(authRequest.redirectURI)] + federated.map { Self.origin($0.issuer) }
        return provider.pages.render("login", values, cookies: [provider.cookies.set(SSOCookies.csrf, csrf)], formTargets: targets)
    }

    // MARK: Login form

    enum Checked {
        case valid(AuthorizationRequest, String)
        case page(Response)
    }

    /// Finds the form's authorization request and checks its CSRF token against the cookie and the
    /// stored hash; a page to answer with otherwise.
    func checkedRequest(_ fields: FormFields, request: Request) async throws -> Checked {
        guard let id = fields["request_id"], let authRequest = try await provider.requests.find(id) else {
            return .page(provider.pages.message(
                title: "Phiên đăng nhập đã hết hạn",
                message: "Trang đăng nhập đã quá hạn hoặc đã được dùng. Hãy quay lại ứng dụng và đăng nhập lại.",
                status: .badRequest
            ))
        }
        guard let csrf = fields["csrf_token"], let cookie = provider.cookies.value(SSOCookies.csrf, in: request),
            Secrets.equal(csrf, cookie), Secrets.equal(Secrets.storedHash(csrf), authRequest.csrfHash)
        else {
            return .page(provider.pages.message(
                title: "Yêu cầu không hợp lệ",
                message: "Biểu mẫu không đến từ trang đăng nhập của hệ thống (kiểm tra CSRF thất bại). Hãy quay lại ứng dụng và đăng nhập lại.",
                status: .forbidden
            ))
        }
        return .valid(authRequest, csrf)
    }

    func clientAddress(_ context: AppRequestContext) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }

    func submitPassword(_ fields: FormFields, request: Request, context: AppRequestContext) async throws -> Response {
        guard provider.rateLimiter.allow(clientAddress(context)) else {
            return provider.pages.message(
                title: "Quá nhiều lần thử", message: "Có quá nhiều lần đăng nhập từ địa chỉ của bạn. Vui lòng thử lại sau một phút.",
                status: .tooManyRequests
            )
        }
        let (authRequest, csrf): (AuthorizationRequest, String)
        switch try await checkedRequest(fields, request: request) {
        case .page(let page): return page
        case .valid(let found, let token): (authRequest, csrf) = (found, token)
        }
        let client = try await provider.clients.find(authRequest.clientID)?.client
        let username = fields["username"] ?? ""
        let outcome = try await provider.login.authenticate(identifier: username, password: fields["password"] ?? "")
        return try await respond(to: outcome, authRequest: authRequest, csrf: csrf, client: client, username: username, context: context)
    }

    func submitOTP(_ fields: FormFields, request: Request, context: AppRequestContext) async throws -> Response {
        guard provider.rateLimiter.allow(clientAddress(context)) else {
            return provider.pages.message(
                title: "Quá nhiều lần thử", message: "Có quá nhiều lần đăng nhập từ địa chỉ của bạn. Vui lòng thử lại sau một phút.",
                status: .tooManyRequests
            )
        }
        let (authRequest, csrf): (AuthorizationRequest, String)
        switch try await checkedRequest(fields, request: request) {
        case .page(let page): return page
        case .valid(let found, let token): (authRequest, csrf) = (found, token)
        }
        guard let userID = authRequest.pendingUserID, let account = try await provider.accounts.find(id: userID) else {
            return provider.pages.message(title: "Phiên đăng nhập đã hết hạn", message: "Hãy quay lại ứng dụng và đăng nhập lại.", status: .badRequest)
        }
        let client = try await provider.clients.find(authRequest.clientID)?.client
        let outcome = try await provider.login.verifySecondFactor(accountID: userID, code: fields["otp"] ?? "")
        if case .invalid = outcome {
            try await provider.audit.record(AuditEvent(
                action: "sso.login", outcome: .failure, subject: userID, client: authRequest.clientID, requestID: context.requestID,
                details: ["factor": "otp"]
            ))
            return otpPage(authRequest, csrf: csrf, error: "Mã xác thực không đúng hoặc đã được dùng.")
        }
        return try await respond(to: outcome, authRequest: authRequest, csrf: csrf, client: client, username: account.username, context: context)
    }

    /// The click-through of a native client with a live session: the same person, still signed in.
    func confirmContinue(_ fields: FormFields, request: Request, context: AppRequestContext) async throws -> Response {
        let authRequest: AuthorizationRequest
        switch try await checkedRequest(fields, request: request) {
        case .page(let page): return page
        case .valid(let found, _): authRequest = found
        }
        guard let userID = authRequest.pendingUserID, let cookie = provider.cookies.value(SSOCookies.session, in: request),
            let session = try await provider.sessions.live(cookie: cookie, idle: provider.settings.sessionIdle.duration), session.userID == userID,
            let account = try await provider.accounts.find(id: userID), !account.disabled,
            try await provider.requests.consume(authRequest.id)
        else {
            return provider.pages.message(title: "Phiên đăng nhập đã hết hạn", message: "Hãy quay lại ứng dụng và đăng nhập lại.", status: .badRequest)
        }
        let code = try await provider.codes.create(
            clientID: authRequest.clientID, userID: account.id, sid: session.sid, redirectURI: authRequest.redirectURI,
            scope: provider.grantedScopes(authRequest.scope, account: account), nonce: authRequest.nonce,
            codeChallenge: authRequest.codeChallenge, codeChallengeMethod: authRequest.codeChallengeMethod,
            authTime: session.authTime, amr: session.amr
        )
        try await provider.audit.record(AuditEvent(
            action: "sso.authorize", outcome: .success, subject: account.id, client: authRequest.clientID, objectType: "session",
            objectID: session.sid, requestID: context.requestID, details: ["via": "sso-session-confirmed"]
        ))
        var response = redirect(to: authRequest.redirectURI, [("code", code), ("state", authRequest.state), ("iss", provider.issuer)], status: .seeOther)
        response.headers.append(HTTPField(name: .setCookie, value: provider.cookies.clear(SSOCookies.csrf)))
        return response
    }

    func otpPage(_ authRequest: AuthorizationRequest, csrf: String, error: String?) -> Response {
        var values: [String: Any] = ["title": "Xác thực hai lớp", "requestID": authRequest.id, "csrf": csrf]
        if let error { values["error"] = error }
        return provider.pages.render("otp", values, formTargets: [Self.origin(authRequest.redirectURI)])
    }

    func respond(
        to outcome: LoginService.Outcome, authRequest: AuthorizationRequest, csrf: String, client: Client?, username: String,
        context: AppRequestContext
    ) async throws -> Response {
        let identifierDigest = ["identifier": "hmac:" + provider.login.lockKey(identifier: username, accountID: nil).prefix(16)]
        switch outcome {
        case .invalid:
            try await provider.audit.record(AuditEvent(
                action: "sso.login", outcome: .failure, client: authRequest.clientID, requestID: context.requestID, digests: identifierDigest
            ))
            // The same words and status whether the account exists or not.
            return loginPage(authRequest, csrf: csrf, client: client, username: username, error: "Tên đăng nhập hoặc mật khẩu không đúng.")
        case .locked(let until):
            try await provider.audit.record(AuditEvent(
                action: "sso.login.locked", outcome: .denied, client: authRequest.clientID, requestID: context.requestID,
                digests: identifierDigest, details: ["until": Timestamp.string(from: until)]
            ))
            let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
            return loginPage(
                authRequest, csrf: csrf, client: client, username: username,
                error: "Đăng nhập tạm thời bị khóa do nhập sai nhiều lần. Vui lòng thử lại sau \(minutes) phút."
            )
        case .secondFactorNotEnrolled:
            return provider.pages.message(
                title: "Cần xác thực hai lớp",
                message: "Tài khoản này bắt buộc xác thực hai lớp nhưng chưa đăng ký ứng dụng xác thực. Vui lòng liên hệ quản trị viên.",
                status: .forbidden
            )
        case .secondFactorRequired(let account):
            try await provider.requests.setPendingUser(authRequest.id, userID: account.id)
            return otpPage(authRequest, csrf: csrf, error: nil)
        case .success(let account, let amr):
            return try await completeLogin(authRequest, account: account, amr: amr, context: context)
        }
    }

    /// Starts the SSO session, issues the code and sends the browser back to the application.
    func completeLogin(
        _ authRequest: AuthorizationRequest, account: Account, amr: [String], idp: String? = nil, idpSessionID: String? = nil, context: AppRequestContext
    ) async throws -> Response {
        guard try await provider.requests.consume(authRequest.id) else {
            return provider.pages.message(title: "Phiên đăng nhập đã hết hạn", message: "Hãy quay lại ứng dụng và đăng nhập lại.", status: .badRequest)
        }
        let (cookie, session) = try await provider.sessions.create(
            userID: account.id, amr: amr, idp: idp, idpSessionID: idpSessionID, idle: provider.settings.sessionIdle.duration,
            max: provider.settings.sessionMax.duration
        )
        let code = try await provider.codes.create(
            clientID: authRequest.clientID, userID: account.id, sid: session.sid, redirectURI: authRequest.redirectURI,
            scope: provider.grantedScopes(authRequest.scope, account: account), nonce: authRequest.nonce,
            codeChallenge: authRequest.codeChallenge, codeChallengeMethod: authRequest.codeChallengeMethod,
            authTime: session.authTime, amr: amr
        )
        try await provider.audit.record(AuditEvent(
            action: "sso.login", outcome: .success, subject: account.id, client: authRequest.clientID, objectType: "session",
            objectID: session.sid, requestID: context.requestID, details: ["amr": amr.joined(separator: " "), "idp": idp ?? "local"]
        ))
        var response = redirect(
            to: authRequest.redirectURI, [("code", code), ("state", authRequest.state), ("iss", provider.issuer)], status: .seeOther
        )
        response.headers.append(HTTPField(name: .setCookie, value: provider.cookies.set(SSOCookies.session, cookie)))
        response.headers.append(HTTPField(name: .setCookie, value: provider.cookies.clear(SSOCookies.csrf)))
        return response
    }

    // MARK: Logout

    func logout(_ fields: FormFields, confirmed: Bool, request: Request, context: AppRequestContext) async throws -> Response {
        let pages = provider.pages
        var hint: IDTokenClaims?
        if let token = fields["id_token_hint"] {
            guard let verified = await provider.tokens.verifiedIDTokenHint(token) else {
                return pages.message(title: "Không thể đăng xuất", message: "id_token_hint không hợp lệ.", status: .badRequest)
            }
            hint = verified
        }
        let clientID = fields["client_id"] ?? hint?.aud.values.first
        if let given = fields["client_id"], let hint, !hint.aud.contains(given) {
            return pages.message(title: "Không thể đăng xuất", message: "client_id không khớp với id_token_hint.", status: .badRequest)
        }
        var returnTo: String?
        if let uri = fields["post_logout_redirect_uri"] {
            guard let clientID, let registered = try await provider.clients.find(clientID), registered.client.postLogoutRedirectURIs.contains(uri) else {
                return pages.message(
                    title: "Không thể đăng xuất",
                    message: "Địa chỉ quay về sau khi đăng xuất không khớp với địa chỉ đã đăng ký của ứng dụng.", status: .badRequest
                )
            }
            returnTo = uri
        }
        var session: SessionStore.Session?
        if let cookie = provider.cookies.value(SSOCookies.session, in: request) {
            session = try await provider.sessions.live(cookie: cookie, idle: .seconds(365 * 86400))
        }
        // An id_token_hint proves which application asks, but only for the session it names: it ends this
        // browser's session without a question only when that is the session the hint names.
        let hintMatchesBrowser = hint?.sid != nil && hint?.sid == session?.sid
        if confirmed {
            guard let csrf = fields["csrf_token"], let cookie = provider.cookies.value(SSOCookies.csrf, in: request), Secrets.equal(csrf, cookie) else {
                return pages.message(title: "Yêu cầu không hợp lệ", message: "Kiểm tra CSRF thất bại.", status: .forbidden)
            }
        } else if session != nil && !hintMatchesBrowser {
            let csrf = Secrets.token()
            var values: [String: Any] = ["title": "Đăng xuất", "csrf": csrf]
            if let returnTo { values["postLogoutRedirectURI"] = returnTo }
            if let clientID { values["clientID"] = clientID }
            if let state = fields["state"] { values["state"] = state }
            return pages.render(
                "logout-confirm", values, cookies: [provider.cookies.set(SSOCookies.csrf, csrf)],
                formTargets: returnTo.map { [Self.origin($0)] } ?? []
            )
        }
        if let session {
            try await provider.endSession(sid: session.sid, userID: session.userID, clientID: clientID, requestID: context.requestID, reason: "rp-initiated")
        }
        let cookies = [provider.cookies.clear(SSOCookies.session), provider.cookies.clear(SSOCookies.csrf)]
        if let returnTo {
            var response = redirect(to: returnTo, [("state", fields["state"])])
            for cookie in cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
            return response
        }
        return pages.message(
            title: "Đã đăng xuất", message: "Bạn đã đăng xuất khỏi đăng nhập một lần trên trình duyệt này.", status: .ok, cookies: cookies
        )
    }

    // MARK: Helpers

    /// A redirect to `uri` with `parameters` added to its query (nil values left out).
    func redirect(to uri: String, _ parameters: [(String, String?)], status: HTTPResponse.Status = .found) -> Response {
        var components = URLComponents(string: uri) ?? URLComponents()
        var items = components.percentEncodedQueryItems ?? []
        for (name, value) in parameters {
            guard let value else { continue }
            items.append(URLQueryItem(name: name, value: FormFields.encode(value)))
        }
        components.percentEncodedQueryItems = items
        return Response(status: status, headers: [.location: components.string ?? uri, .cacheControl: "no-store"])
    }

    /// `scheme://host[:port]` of a URL, for CSP.
    static func origin(_ uri: String) -> String {
        guard let components = URLComponents(string: uri), let scheme = components.scheme, let host = components.host else { return "" }
        return components.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}
