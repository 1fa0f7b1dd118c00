import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import SSO

/// Drives the SSO through the platform's real router the way a browser and an application would.
struct OIDCHarness: Sendable {
    let client: any TestClientProtocol
    let platform: Platform

    static let redirectURI = "https://app.example.vn/callback"
    static let password = "Mat-khau-2026!"

    var issuer: String { platform.configuration.issuer }
    /// Cookie names as the browser sees them (`__Host-` prefixed outside development).
    var sessionCookie: String { platform.sso.provider.cookies.name(SSOCookies.session) }
    var csrfCookie: String { platform.sso.provider.cookies.name(SSOCookies.csrf) }

    // MARK: Fixtures

    @discardableResult
    func official(_ username: String = "cb.lan", roles: [String] = [], password: String = Self.password, agency: String? = "000.00.31.H49") async throws -> Account {
        try await platform.sso.accounts.create(
            .init(kind: .official, username: username, name: "Nguyễn Thị Lan", email: "lan@example.vn", agencyCode: agency, roles: roles, password: password),
            by: .commandLine
        )
    }

    @discardableResult
    func citizen(_ personalID: String = "066085000123", password: String = Self.password) async throws -> Account {
        try await platform.sso.accounts.create(.init(kind: .citizen, personalId: personalID, name: "Trần Văn An", password: password), by: .commandLine)
    }

    /// A confidential client with client_secret_basic; returns its id and secret.
    func confidentialClient(
        _ id: String = "portal", grants: [Client.GrantType] = [.authorizationCode, .refreshToken, .clientCredentials],
        scopes: [String] = ["openid", "profile", "email", "personal_id", "roles", "agency", "offline_access", "lgsp.metrics", "sso.admin", "gateway.call"],
        redirect: [String] = [Self.redirectURI], postLogout: [String] = ["https://app.example.vn/bye"], method: Client.AuthMethod = .clientSecretBasic
    ) async throws -> (id: String, secret: String) {
        let created = try await platform.sso.clients.create(
            .init(
                clientId: id, name: "Cổng dịch vụ công", type: .confidential, tokenEndpointAuthMethod: method, redirectUris: redirect,
                postLogoutRedirectUris: postLogout, grantTypes: grants, scopes: scopes, agencyCode: "000.00.31.H49"
            ),
            by: .commandLine
        )
        return (id, created.clientSecret ?? "")
    }

    func publicClient(_ id: String = "mobile") async throws -> String {
        _ = try await platform.sso.clients.create(
            .init(clientId: id, name: "Ứng dụng di động", type: .public, redirectUris: ["vn.gov.daklak.app:/callback"], scopes: ["openid", "profile", "offline_access"]),
            by: .commandLine
        )
        return id
    }

    // MARK: HTTP

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(FormFields.encode(id)):\(FormFields.encode(secret))".utf8).base64EncodedString()
    }

    static func formBody(_ fields: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\(FormFields.encode($0.0))=\(FormFields.encode($0.1))" }.joined(separator: "&"))
    }

    func post(_ uri: String, _ fields: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: Self.formBody(fields))
    }

    func token(_ fields: [(String, String)], clientID: String, secret: String) async throws -> TestResponse {
        try await post("/sso/token", fields, headers: [.authorization: Self.basic(clientID, secret)])
    }

    func clientCredentials(_ clientID: String, _ secret: String, scope: String) async throws -> String {
        let response = try await token([("grant_type", "client_credentials"), ("scope", scope)], clientID: clientID, secret: secret)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try #require(response.json?["access_token"]?.stringValue)
    }

    func get(_ uri: String, bearer: String? = nil, cookies: [String: String] = [:]) async throws -> TestResponse {
        var headers = HTTPFields()
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    // MARK: Browser

    /// What a login page carries: its hidden fields and the CSRF cookie.
    struct LoginForm {
        let requestID: String
        let csrf: String
        let csrfCookie: String
    }

    static func authorizeQuery(
        clientID: String, redirectURI: String = redirectURI, scope: String = "openid profile", state: String = "st-1", nonce: String? = "n-1",
        verifier: String? = pkceVerifier, extra: [(String, String)] = []
    ) -> String {
        var fields: [(String, String)] = [("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", scope), ("state", state)]
        if let nonce { fields.append(("nonce", nonce)) }
        if let verifier {
            fields.append(("code_challenge", Secrets.pkceChallenge(verifier)))
            fields.append(("code_challenge_method", "S256"))
        }
        fields += extra
        return "/sso/authorize?" + fields.map { "\(FormFields.encode($0.0))=\(FormFields.encode($0.1))" }.joined(separator: "&")
    }

    static let pkceVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    func loginForm(_ response: TestResponse) throws -> LoginForm {
        let html = String(buffer: response.body)
        func hidden(_ name: String) throws -> String {
            let pattern = "name=\"\(name)\" value=\""
            guard let start = html.range(of: pattern) else { throw HarnessError("no \(name) in page: \(html.prefix(300))") }
            return String(html[start.upperBound...].prefix { $0 != "\"" })
        }
        return LoginForm(requestID: try hidden("request_id"), csrf: try hidden("csrf_token"), csrfCookie: try #require(Self.cookie(csrfCookie, in: response)))
    }

    static func cookie(_ name: String, in response: TestResponse) -> String? {
        for header in response.headers[values: .setCookie] where header.hasPrefix(name + "=") {
            let value = String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
            return value.isEmpty ? nil : value
        }
        return nil
    }

    func submitLogin(_ form: LoginForm, username: String, password: String, csrf: String? = nil, csrfCookie: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.cookie] = "\(self.csrfCookie)=\(csrfCookie ?? form.csrfCookie)"
        return try await post(
            "/sso/login", [("request_id", form.requestID), ("csrf_token", csrf ?? form.csrf), ("username", username), ("password", password)],
            headers: headers
        )
    }

    /// The `code` (and `state`) a redirect carries, or its `error`.
    static func redirectParameters(_ response: TestResponse) -> [String: String] {
        guard let location = response.headers[.location], let components = URLComponents(string: location) else { return [:] }
        var result: [String: String] = ["_location": location]
        for item in components.queryItems ?? [] { result[item.name] = item.value }
        return result
    }

    /// Signs in through the login page; returns the code and the SSO session cookie.
    func signIn(
        clientID: String, username: String, password: String = Self.password, scope: String = "openid profile", verifier: String? = pkceVerifier,
        redirectURI: String = redirectURI, extra: [(String, String)] = []
    ) async throws -> (code: String, session: String) {
        let page = try await get(Self.authorizeQuery(clientID: clientID, redirectURI: redirectURI, scope: scope, verifier: verifier, extra: extra))
        #expect(page.status == .ok, "\(String(buffer: page.body).prefix(400))")
        let form = try loginForm(page)
        let response = try await submitLogin(form, username: username, password: password)
        #expect(response.status == .seeOther, "\(String(buffer: response.body).prefix(400))")
        let parameters = Self.redirectParameters(response)
        return (try #require(parameters["code"]), try #require(Self.cookie(sessionCookie, in: response)))
    }

    func exchange(_ code: String, clientID: String, secret: String, verifier: String? = pkceVerifier, redirectURI: String = redirectURI) async throws -> TestResponse {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
        if let verifier { fields.append(("code_verifier", verifier)) }
        return try await token(fields, clientID: clientID, secret: secret)
    }

    func introspect(_ token: String, clientID: String, secret: String) async throws -> JSONValue? {
        try await post("/sso/introspect", [("token", token)], headers: [.authorization: Self.basic(clientID, secret)]).json
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestPlatform {
    static func withOIDC<T: Sendable>(
        configure: @escaping @Sendable (inout Configuration) -> Void = { _ in },
        extraModules: @escaping @Sendable (PlatformServices) -> [any PlatformModule] = { _ in [] },
        _ body: @escaping @Sendable (OIDCHarness) async throws -> T
    ) async throws -> T {
        try await withClient(configure: configure, extraModules: extraModules) { client, platform in
            try await body(OIDCHarness(client: client, platform: platform))
        }
    }
}
