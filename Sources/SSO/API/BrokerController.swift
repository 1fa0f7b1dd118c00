import Core
import Foundation
import HTTPTypes
import Hummingbird

/// "Đăng nhập bằng VNeID": the redirect to the external provider, its callback, and its back-channel
/// logout., R-7.1a-auth: sign-in integrated with VDXP.
struct BrokerController: Sendable {
    let provider: OIDCProvider
    let broker: IdentityBroker
    let store: BrokerStore
    let authorization: AuthorizationController
    let masterKey: MasterKey

    static let verifierPurpose = "lgsp/sso/broker-verifier/v1"
    static let browserCookie = "lgsp_broker"

    func register(on api: APIRouter) {
        let providerParameter = APIParameter("provider", in: .path, description: "Mã nhà cung cấp định danh đã cấu hình (ví dụ vneid)")
        api.add(.post, "/sso/broker/{provider}/start", access: .anonymous, maxBodySize: 16 << 10, APIOperation(
            "brokerStart", summary: "Chuyển sang đăng nhập tại nhà cung cấp định danh bên ngoài (VNeID)", tags: ["sso"],
            parameters: [providerParameter],
            requestBody: APIBody("Yêu cầu đăng nhập đang chờ", contentType: "application/x-www-form-urlencoded", schema: AuthorizationController.formSchema(["request_id", "csrf_token"])),
            responses: [
                APIResponse(303, "Chuyển tới nhà cung cấp", contentType: nil),
                APIResponse(503, "Nhà cung cấp không phản hồi (trang lỗi có nút thử lại)", contentType: "text/html", schema: ["type": "string"]),
            ]
        )) { request, context in
            try await start(request: request, context: context)
        }
        api.add(.get, "/sso/broker/{provider}/callback", access: .anonymous, maxBodySize: 0, APIOperation(
            "brokerCallback", summary: "Nhà cung cấp định danh chuyển người dùng về sau khi đăng nhập", tags: ["sso"],
            parameters: [
                providerParameter, APIParameter("code", in: .query, description: "Mã ủy quyền"),
                APIParameter("state", in: .query, description: "Trạng thái đã gửi đi"), APIParameter("error", in: .query, description: "Lỗi từ nhà cung cấp"),
            ],
            responses: [
                APIResponse(303, "Đăng nhập xong: chuyển về ứng dụng", contentType: nil),
                APIResponse(400, "Phản hồi bị từ chối", contentType: "text/html", schema: ["type": "string"]),
                APIResponse(503, "Nhà cung cấp không phản hồi", contentType: "text/html", schema: ["type": "string"]),
            ]
        )) { request, context in
            try await callback(request: request, context: context)
        }
        api.add(.post, "/sso/broker/{provider}/backchannel-logout", access: .anonymous, maxBodySize: 64 << 10, APIOperation(
            "brokerBackchannelLogout", summary: "Đăng xuất qua kênh sau (OpenID Back-Channel Logout) từ nhà cung cấp định danh", tags: ["sso"],
            parameters: [providerParameter],
            requestBody: APIBody("logout_token", contentType: "application/x-www-form-urlencoded", schema: AuthorizationController.formSchema(["logout_token"])),
            responses: [APIResponse(200, "Đã kết thúc các phiên liên quan", contentType: nil), APIResponse(400, "logout_token không hợp lệ", schema: .ref("OAuthError"))]
        )) { request, context in
            try await backchannelLogout(request: request, context: context)
        }
        api.add(.get, "/sso/login", access: .anonymous, maxBodySize: 0, APIOperation(
            "loginPage", summary: "Trang đăng nhập của một yêu cầu ủy quyền đang chờ (để thử lại)", tags: ["sso"],
            parameters: [APIParameter("request_id", in: .query, description: "Mã yêu cầu đang chờ", required: true)],
            responses: [
                APIResponse(200, "Trang đăng nhập", contentType: "text/html", schema: ["type": "string"]),
                APIResponse(400, "Yêu cầu đã hết hạn", contentType: "text/html", schema: ["type": "string"]),
            ]
        )) { request, _ in
            try await retry(request: request)
        }
    }

    func configured(_ context: AppRequestContext) -> IdentityProviderConfig? {
        context.parameters.get("provider").flatMap { broker.providers[$0] }
    }

    func page(_ title: String, _ message: String, status: HTTPResponse.Status, retry requestID: String?) -> Response {
        provider.pages.message(
            title: title, message: message, status: status,
            link: requestID.map { "/sso/login?request_id=\($0)" }, linkText: requestID == nil ? nil : "Thử lại"
        )
    }

    func audit(_ action: String, outcome: AuditOutcome, idp: String, subject: String? = nil, reason: String? = nil, context: AppRequestContext) async throws {
        var details = ["idp": idp]
        if let reason { details["reason"] = reason }
        try await provider.audit.record(AuditEvent(action: action, outcome: outcome, subject: subject, requestID: context.requestID, details: details))
    }

    // MARK: Start

    func start(request: Request, context: AppRequestContext) async throws -> Response {
        guard let idp = configured(context) else {
            return page("Không thể đăng nhập", "Nhà cung cấp định danh này chưa được cấu hình.", status: .notFound, retry: nil)
        }
        let fields = try await request.decodeForm(context: context)
        let authRequest: AuthorizationRequest
        switch try await authorization.checkedRequest(fields, request: request) {
        case .page(let page): return page
        case .valid(let found, _): authRequest = found
        }
        let nonce = Secrets.token()
        let verifier = Secrets.token() + Secrets.token(bits: 64)
        let browser = Secrets.token()
        let url: String
        do {
            let state = try await store.create(
                provider: idp.id, authRequestID: authRequest.id, browser: browser, nonce: nonce,
                sealedVerifier: try masterKey.seal(Array(verifier.utf8), purpose: Self.verifierPurpose)
            )
            url = try await broker.authorizationURL(idp, state: state, nonce: nonce, challenge: Secrets.pkceChallenge(verifier))
        } catch let error as IdentityBroker.Unavailable {
            try await audit("sso.broker.unavailable", outcome: .failure, idp: idp.id, reason: error.description, context: context)
            return page(
                "\(idp.name) tạm thời không phản hồi",
                "Không kết nối được tới \(idp.name). Vui lòng thử lại sau ít phút, hoặc đăng nhập bằng mật khẩu.",
                status: .serviceUnavailable, retry: authRequest.id
            )
        } catch let error as IdentityBroker.Rejected {
            try await audit("sso.broker.rejected", outcome: .failure, idp: idp.id, reason: error.reason, context: context)
            return page("Không thể đăng nhập", "Cấu hình của \(idp.name) không hợp lệ. Vui lòng báo quản trị viên.", status: .badGateway, retry: authRequest.id)
        }
        return Response(status: .seeOther, headers: [
            .location: url, .cacheControl: "no-store",
            .setCookie: provider.cookies.set(Self.browserCookie, browser, maxAge: Int64(BrokerStore.lifetime)),
        ])
    }

    // MARK: Callback

    func callback(request: Request, context: AppRequestContext) async throws -> Response {
        guard let idp = configured(context) else {
            return page("Không thể đăng nhập", "Nhà cung cấp định danh này chưa được cấu hình.", status: .notFound, retry: nil)
        }
        let query = request.queryFields
        guard let stateValue = query["state"] else {
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: "thiếu state", context: context)
            return page("Không thể đăng nhập", "Phản hồi đăng nhập không hợp lệ.", status: .badRequest, retry: nil)
        }
        // Bound to the browser that started it, checked before anything is used: a callback URL carried
        // to another browser does nothing, not even spend the state.
        guard let peeked = try await store.peek(stateValue), peeked.provider == idp.id,
            let browser = provider.cookies.value(Self.browserCookie, in: request), Secrets.equal(Secrets.storedHash(browser), peeked.browserHash)
        else {
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: "state không hợp lệ hoặc không thuộc trình duyệt này", context: context)
            return page("Không thể đăng nhập", "Phản hồi đăng nhập không hợp lệ, đã hết hạn hoặc không thuộc phiên làm việc này.", status: .badRequest, retry: nil)
        }
        let state: BrokerStore.State
        switch try await store.consume(stateValue) {
        case .unknown:
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: "state đã hết hạn", context: context)
            return page("Không thể đăng nhập", "Phản hồi đăng nhập đã hết hạn.", status: .badRequest, retry: peeked.authRequestID)
        case .replayed(let replayed):
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: "phản hồi bị gửi lại (replay)", context: context)
            return page("Không thể đăng nhập", "Phản hồi đăng nhập này đã được dùng.", status: .badRequest, retry: replayed.authRequestID)
        case .fresh(let fresh):
            state = fresh
        }
        if let error = query["error"] {
            try await audit("sso.broker.rejected", outcome: .failure, idp: idp.id, reason: "nhà cung cấp trả lỗi \(error)", context: context)
            return page("Không thể đăng nhập", "\(idp.name) không xác nhận đăng nhập (\(error)).", status: .badRequest, retry: state.authRequestID)
        }
        guard let code = query["code"] else {
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: "thiếu code", context: context)
            return page("Không thể đăng nhập", "Phản hồi đăng nhập không hợp lệ.", status: .badRequest, retry: state.authRequestID)
        }
        guard let authRequest = try await provider.requests.find(state.authRequestID) else {
            return page("Phiên đăng nhập đã hết hạn", "Hãy quay lại ứng dụng và đăng nhập lại.", status: .badRequest, retry: nil)
        }
        let identity: IdentityBroker.ExternalIdentity
        do {
            let verifier = String(decoding: try masterKey.open(state.sealedVerifier, purpose: Self.verifierPurpose), as: UTF8.self)
            let broker = self.broker
            let nonce = state.nonce
            // One deadline for the whole exchange (token, keys, userinfo), not one per call.
            identity = try await withDeadline(idp.timeout) {
                let answer = try await broker.exchange(idp, code: code, verifier: verifier)
                return try await broker.identity(idp, answer: answer, nonce: nonce)
            }
        } catch is DeadlineExceeded {
            try await audit("sso.broker.unavailable", outcome: .failure, idp: idp.id, reason: "quá thời gian \(idp.timeout)", context: context)
            return page(
                "\(idp.name) tạm thời không phản hồi",
                "Không hoàn tất được đăng nhập với \(idp.name). Vui lòng thử lại sau ít phút.", status: .serviceUnavailable, retry: authRequest.id
            )
        } catch let error as IdentityBroker.Unavailable {
            try await audit("sso.broker.unavailable", outcome: .failure, idp: idp.id, reason: error.description, context: context)
            return page(
                "\(idp.name) tạm thời không phản hồi",
                "Không hoàn tất được đăng nhập với \(idp.name). Vui lòng thử lại sau ít phút.", status: .serviceUnavailable, retry: authRequest.id
            )
        } catch let error as IdentityBroker.Rejected {
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: error.reason, context: context)
            return page("Không thể đăng nhập", "Không xác minh được thông tin đăng nhập từ \(idp.name).", status: .badRequest, retry: authRequest.id)
        }
        let accountID: String
        switch try await store.map(provider: idp, identity: identity) {
        case .disabled:
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: "tài khoản đã bị vô hiệu hóa", context: context)
            return page("Không thể đăng nhập", "Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên.", status: .forbidden, retry: nil)
        case .refused(let reason):
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: reason, context: context)
            return page(
                "Không thể đăng nhập bằng \(idp.name)",
                "Tài khoản có số định danh này phải đăng nhập bằng tên đăng nhập, mật khẩu (và mã xác thực nếu có).", status: .forbidden, retry: nil
            )
        case .conflict(let reason):
            try await audit("sso.broker.rejected", outcome: .denied, idp: idp.id, reason: reason, context: context)
            return page("Không thể đăng nhập", "Thông tin định danh không khớp với tài khoản đã liên kết. Vui lòng liên hệ quản trị viên.", status: .conflict, retry: nil)
        case .account(let id, let created, let linked):
            accountID = id
            if created || linked {
                try await provider.audit.record(AuditEvent(
                    action: created ? "sso.broker.account_created" : "sso.broker.account_linked", outcome: .success, subject: id,
                    objectType: "user", objectID: id, requestID: context.requestID, details: ["idp": idp.id]
                ))
            }
        }
        guard let account = try await provider.accounts.find(id: accountID) else {
            return page("Không thể đăng nhập", "Không tìm thấy tài khoản.", status: .internalServerError, retry: nil)
        }
        var response = try await authorization.completeLogin(
            authRequest, account: account, amr: ["fed"], idp: idp.id, idpSessionID: identity.sessionID, context: context
        )
        response.headers.append(HTTPField(name: .setCookie, value: provider.cookies.clear(Self.browserCookie)))
        return response
    }

    // MARK: Back-channel logout

    func backchannelLogout(request: Request, context: AppRequestContext) async throws -> Response {
        guard let idp = configured(context) else { return OAuthError.invalidRequest("Nhà cung cấp chưa được cấu hình.").response() }
        let form = try await request.decodeForm(context: context)
        guard let token = form["logout_token"] else { return OAuthError.invalidRequest("Thiếu logout_token.").response() }
        let logout: IdentityBroker.LogoutRequest
        do {
            logout = try await broker.verifyLogoutToken(idp, token)
        } catch {
            try await audit("sso.broker.backchannel_rejected", outcome: .denied, idp: idp.id, reason: "\(error)", context: context)
            return OAuthError.invalidRequest("logout_token không hợp lệ.").response()
        }
        guard try await store.firstUse(provider: idp.id, jti: logout.jti, until: logout.expiresAt) else {
            try await audit("sso.broker.backchannel_rejected", outcome: .denied, idp: idp.id, reason: "logout token bị gửi lại", context: context)
            return OAuthError.invalidRequest("logout_token đã được dùng.").response()
        }
        // Only sessions started through this provider end: a provider speaks for its own sign-ins.
        var ended: [(sid: String, userID: String)] = []
        if let subject = logout.subject {
            for accountID in try await store.accounts(provider: idp.id, subject: subject) {
                ended += try await provider.sessions.endFederated(idp: idp.id, userID: accountID, idpSessionID: logout.sessionID)
            }
        } else {
            ended = try await provider.sessions.endFederated(idp: idp.id, userID: nil, idpSessionID: logout.sessionID)
        }
        for (sid, userID) in ended {
            for family in try await provider.refreshTokens.families(sid: sid) {
                try await provider.revokeFamily(family)
            }
            try await provider.revocations.revoke(
                .session, sid, until: Date().addingTimeInterval(Double(provider.settings.sessionMax.seconds + provider.settings.accessTokenTTL.seconds))
            )
            try await provider.audit.record(AuditEvent(
                action: "sso.logout", outcome: .success, subject: userID, objectType: "session", objectID: sid, requestID: context.requestID,
                details: ["reason": "backchannel", "idp": idp.id]
            ))
        }
        return Response(status: .ok, headers: [.cacheControl: "no-store"])
    }

    // MARK: Retry

    /// The login page of a pending request again — only for the browser that holds its CSRF cookie.
    func retry(request: Request) async throws -> Response {
        guard let id = request.queryFields["request_id"], let authRequest = try await provider.requests.find(id),
            let cookie = provider.cookies.value(SSOCookies.csrf, in: request), Secrets.equal(Secrets.storedHash(cookie), authRequest.csrfHash)
        else {
            return page("Phiên đăng nhập đã hết hạn", "Hãy quay lại ứng dụng và đăng nhập lại.", status: .badRequest, retry: nil)
        }
        let csrf = try await provider.requests.renewCSRF(authRequest.id)
        let client = try await provider.clients.find(authRequest.clientID)?.client
        return authorization.loginPage(authRequest, csrf: csrf, client: client, username: authRequest.loginHint ?? "", error: nil)
    }
}
