import AsyncHTTPClient
import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A stand-in for VDXP/VNeID, the national identity platform: an OpenID Connect provider with its own
/// issuer, keys, discovery and JWKS, and a login page listing synthetic test citizens. Clients use one
/// of two profiles: `oidc` (an ID token carrying the identity) or `userinfo` (no ID token; identity read
/// from userinfo fields `citizenPid`, `fullName`, `birthDate`, as in public VNeID integrations). It can
/// misbehave on request (`faults`, `rotateKeys`) and sends OpenID back-channel logout tokens when a
/// citizen logs out or is disabled here. State is in memory: it is a simulator.
public final class VDXPSimulator: Sendable {
    public enum Profile: String, Codable, Sendable {
        case oidc
        case userinfo
    }

    public struct Client: Codable, Sendable {
        public let id: String
        public let secret: String
        public let redirectURIs: [String]
        public let profile: Profile
        public let backchannelLogoutURI: String?

        public init(id: String, secret: String, redirectURIs: [String], profile: Profile, backchannelLogoutURI: String? = nil) {
            self.id = id
            self.secret = secret
            self.redirectURIs = redirectURIs
            self.profile = profile
            self.backchannelLogoutURI = backchannelLogoutURI
        }
    }

    /// Where the stand-in is reached, e.g. `http://127.0.0.1:8090`; the issuer is `<baseURL>/vdxp`. Set
    /// once the server is listening when it was started on port 0.
    public var baseURL: String {
        get { base.withLockedValue { $0 } }
        set { base.withLockedValue { $0 = newValue } }
    }
    private let base: NIOLockedValueBox<String>
    public var issuer: String { baseURL + Self.basePath }
    public static let basePath = "/vdxp"
    let citizens: [SimulatedCitizen]
    let clients: [String: Client]
    let state = NIOLockedValueBox(State())
    let logger: Logger

    struct State {
        var keys: [(kid: String, key: ES256PrivateKey)] = []
        var faults = SimulatorFaults()
        var transactions: [String: Authorization] = [:]
        var codes: [String: Grant] = [:]
        var accessTokens: [String: Grant] = [:]
        var disabled: Set<String> = []
        var jwksRequests = 0
    }

    struct Authorization {
        let client: Client
        let redirectURI: String
        let state: String?
        let nonce: String?
        let challenge: String?
        let scope: String
    }

    struct Grant {
        let authorization: Authorization
        let citizen: SimulatedCitizen
        let sid: String
        let authTime: Int64
    }

    public init(baseURL: String, citizens: [SimulatedCitizen], clients: [Client], logger: Logger = Logger(label: "lgsp.sim.vdxp")) {
        self.base = NIOLockedValueBox(baseURL)
        self.citizens = citizens
        self.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        self.logger = logger
        state.withLockedValue { $0.keys = [Self.newKey()] }
    }

    static func newKey() -> (kid: String, key: ES256PrivateKey) {
        (Data(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }).base64EncodedString().replacingOccurrences(of: "/", with: "_"), ES256PrivateKey())
    }

    // MARK: Test controls

    public var faults: SimulatorFaults {
        get { state.withLockedValue { $0.faults } }
        set { state.withLockedValue { $0.faults = newValue } }
    }

    /// How many times the JWKS was asked for (tests check that keys are cached and refetched once).
    public var jwksRequests: Int { state.withLockedValue { $0.jwksRequests } }

    /// A new signing key replaces the old one (which leaves the JWKS).
    public func rotateKeys() {
        state.withLockedValue { $0.keys = [Self.newKey()] }
    }

    /// The stable `sub` the stand-in gives a citizen.
    public func subject(of personalID: String) -> String {
        Data(SHA256.hash(data: Array("vdxp-sub:\(personalID)".utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The citizen logs out (or, `disable`, is disabled) at the national platform: every client with a
    /// back-channel logout URI gets a logout token for them. Returns how many were delivered.
    @discardableResult
    public func logout(personalID: String, disable: Bool = false) async -> Int {
        if disable { state.withLockedValue { _ = $0.disabled.insert(personalID) } }
        var delivered = 0
        for client in clients.values {
            guard let uri = client.backchannelLogoutURI, let token = try? await logoutToken(personalID: personalID, audience: client.id) else { continue }
            var request = HTTPClientRequest(url: uri)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: "logout_token=\(FormFields.encode(token))"))
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)), response.status == .ok {
                delivered += 1
            }
        }
        return delivered
    }

    // MARK: Routes

    public func routes() -> Router<BasicRequestContext> {
        let router = Router()
        let base = Self.basePath
        router.get("\(base)/.well-known/openid-configuration") { _, _ in try await self.discovery() }
        router.get("\(base)/jwks") { _, _ in try await self.jwks() }
        router.get("\(base)/authorize") { request, _ in self.authorize(request) }
        router.post("\(base)/login") { request, _ in try await self.login(request) }
        router.post("\(base)/token") { request, _ in try await self.token(request) }
        router.get("\(base)/userinfo") { request, _ in try await self.userinfo(request) }
        router.post("\(base)/sim/faults") { request, _ in
            let buffer = try await request.body.collect(upTo: 64 << 10)
            self.faults = try JSONDecoder().decode(SimulatorFaults.self, from: Data(buffer: buffer))
            return HTTPResponse.Status.noContent
        }
        router.post("\(base)/sim/rotate-keys") { _, _ in
            self.rotateKeys()
            return HTTPResponse.Status.noContent
        }
        router.post("\(base)/sim/citizens/:pid/logout") { request, context in
            let disable = request.uri.queryParameters["disable"] == "true"
            let delivered = await self.logout(personalID: try context.parameters.require("pid"), disable: disable)
            return Self.json(["delivered": .integer(Int64(delivered))])
        }
        return router
    }

    func delay() async throws {
        let milliseconds = faults.delayMilliseconds
        if milliseconds > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: (try? value.encoded()) ?? Data()))
        )
    }

    static func oauthError(_ code: String, _ description: String, status: HTTPResponse.Status = .badRequest) -> Response {
        json(["error": .string(code), "error_description": .string(description)], status: status)
    }

    func discovery() async throws -> Response {
        try await delay()
        if faults.failDiscovery { return Self.json(["error": "server_error"], status: .internalServerError) }
        return Self.json([
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/authorize"),
            "token_endpoint": .string(issuer + "/token"),
            "userinfo_endpoint": .string(issuer + "/userinfo"),
            "jwks_uri": .string(issuer + "/jwks"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "citizen"],
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
        ])
    }

    func jwks() async throws -> Response {
        try await delay()
        let keys = state.withLockedValue { state in
            state.jwksRequests += 1
            return state.keys
        }
        // No `alg` on the keys, as some providers publish them: the relying party must pin the algorithm.
        let published: [JSONValue] = keys.compactMap { entry in
            guard let parameters = entry.key.publicKey.parameters else { return nil }
            return ["kty": "EC", "crv": "P-256", "x": .string(parameters.x), "y": .string(parameters.y), "kid": .string(entry.kid), "use": "sig"]
        }
        return Self.json(["keys": .array(published)])
    }

    func authorize(_ request: Request) -> Response {
        let query = FormFields(encoded: request.uri.query ?? "")
        guard let clientID = query["client_id"], let client = clients[clientID], let redirectURI = query["redirect_uri"], client.redirectURIs.contains(redirectURI) else {
            return Response(status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "client_id hoặc redirect_uri không hợp lệ")))
        }
        guard query["response_type"] == "code" else {
            return redirect(redirectURI, ["error": "unsupported_response_type", "state": query["state"]])
        }
        // PKCE S256 is required, as the national platform does: a relying party that stopped sending it fails.
        guard query["code_challenge"] != nil, query["code_challenge_method"] == "S256" else {
            return redirect(redirectURI, ["error": "invalid_request", "error_description": "PKCE S256 là bắt buộc", "state": query["state"]])
        }
        let txn = Self.random()
        let authorization = Authorization(
            client: client, redirectURI: redirectURI, state: query["state"], nonce: query["nonce"], challenge: query["code_challenge"],
            scope: query["scope"] ?? "openid"
        )
        state.withLockedValue { $0.transactions[txn] = authorization }
        let search = VietnameseText.fold(query["q"] ?? "")
        let shown = citizens.filter { search.isEmpty || VietnameseText.fold($0.fullName).contains(search) || $0.personalId.contains(search) }.prefix(50)
        let params: [[String: String]] = query.pairs.filter { $0.0 != "q" }.map { ["name": $0.0, "value": $0.1] }
        let html = VDXPPages.library.render([
            "basePath": Self.basePath, "clientID": client.id, "query": query["q"] ?? "", "params": params,
            "citizens": shown.map { ["txn": txn, "personalId": $0.personalId, "fullName": $0.fullName, "birthDate": $0.birthDate] },
        ], withTemplate: "login") ?? ""
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func login(_ request: Request) async throws -> Response {
        let form = FormFields(encoded: String(buffer: try await request.body.collect(upTo: 64 << 10)))
        guard let txn = form["txn"], let personalID = form["personal_id"],
            let authorization = state.withLockedValue({ $0.transactions.removeValue(forKey: txn) }),
            let citizen = citizens.first(where: { $0.personalId == personalID })
        else {
            return Response(status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Giao dịch đăng nhập không hợp lệ")))
        }
        if state.withLockedValue({ $0.disabled.contains(personalID) }) {
            return redirect(authorization.redirectURI, ["error": "access_denied", "error_description": "Tài khoản định danh đã bị khóa", "state": authorization.state])
        }
        let code = Self.random()
        let grant = Grant(authorization: authorization, citizen: citizen, sid: Self.random(), authTime: Int64(Date().timeIntervalSince1970))
        state.withLockedValue { $0.codes[code] = grant }
        return redirect(authorization.redirectURI, ["code": code, "state": authorization.state, "iss": issuer])
    }

    func token(_ request: Request) async throws -> Response {
        try await delay()
        if faults.failToken { return Self.oauthError("server_error", "Lỗi mô phỏng", status: .internalServerError) }
        let form = FormFields(encoded: String(buffer: try await request.body.collect(upTo: 64 << 10)))
        let (clientID, secret) = SimulatedClientAuth.credentials(request, form: form)
        guard let clientID, let client = clients[clientID], let secret, ConstantTime.equal(secret, client.secret) else {
            return Self.oauthError("invalid_client", "Xác thực client thất bại", status: .unauthorized)
        }
        guard form["grant_type"] == "authorization_code", let code = form["code"],
            let grant = state.withLockedValue({ $0.codes.removeValue(forKey: code) }), grant.authorization.client.id == client.id,
            form["redirect_uri"] == grant.authorization.redirectURI
        else { return Self.oauthError("invalid_grant", "Mã không hợp lệ") }
        if let challenge = grant.authorization.challenge {
            let verifier = form["code_verifier"] ?? ""
            let computed = Data(SHA256.hash(data: Array(verifier.utf8))).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            guard computed == challenge else { return Self.oauthError("invalid_grant", "PKCE không khớp") }
        }
        let accessToken = Self.random()
        state.withLockedValue { $0.accessTokens[accessToken] = grant }
        var body: [String: JSONValue] = ["access_token": .string(accessToken), "token_type": "Bearer", "expires_in": 600]
        if client.profile == .oidc {
            body["id_token"] = .string(try await idToken(grant))
        }
        let slow = faults.slowBodyMilliseconds
        if slow > 0 {
            let bytes = (try? JSONValue.object(body).encoded()) ?? Data()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                for byte in bytes {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: .milliseconds(max(1, slow / max(1, bytes.count))))
                }
                try await writer.finish(nil)
            })
        }
        return Self.json(.object(body))
    }

    func userinfo(_ request: Request) async throws -> Response {
        try await delay()
        if faults.failUserinfo { return Self.json(["error": "server_error"], status: .internalServerError) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let grant = state.withLockedValue({ $0.accessTokens[String(header.dropFirst(7))] })
        else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
        }
        let citizen = grant.citizen
        switch grant.authorization.client.profile {
        case .oidc:
            return Self.json([
                "sub": .string(subject(of: citizen.personalId)), "personal_id": .string(citizen.personalId), "name": .string(citizen.fullName),
                "birthdate": .string(citizen.birthDate), "gender": .string(citizen.sex),
            ])
        case .userinfo:
            return Self.json([
                "sub": .string(subject(of: citizen.personalId)),
                "citizenPid": .string(citizen.personalId), "fullName": .string(citizen.fullName), "birthDate": .string(citizen.birthDate),
                "gender": .string(citizen.sex == "male" ? "Nam" : "Nữ"), "placeOfOrigin": .string(citizen.placeOfOrigin),
            ])
        }
    }

    struct IDClaims: JWTPayload {
        let iss: String
        let sub: String
        let aud: String
        let exp: Int64
        let iat: Int64
        let auth_time: Int64
        let nonce: String?
        let sid: String
        let personal_id: String
        let name: String
        let birthdate: String
        let gender: String
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func idToken(_ grant: Grant) async throws -> String {
        let faults = self.faults
        let now = Int64(Date().timeIntervalSince1970)
        let claims = IDClaims(
            iss: faults.wrongIssuer ? "https://gia-mao.example" : issuer, sub: subject(of: grant.citizen.personalId),
            aud: faults.wrongAudience ? "ung-dung-khac" : grant.authorization.client.id,
            exp: faults.expiredTokens ? now - 600 : now + 300, iat: faults.expiredTokens ? now - 900 : now, auth_time: grant.authTime,
            nonce: faults.wrongNonce ? "nonce-khac" : grant.authorization.nonce, sid: grant.sid,
            personal_id: grant.citizen.personalId, name: grant.citizen.fullName, birthdate: grant.citizen.birthDate, gender: grant.citizen.sex
        )
        return try await sign(claims, type: "JWT", forge: faults.wrongSignature)
    }

    struct LogoutClaims: JWTPayload {
        let iss: String
        let aud: String
        let iat: Int64
        let exp: Int64
        let jti: String
        let sub: String?
        let sid: String?
        let events: [String: [String: String]]
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A back-channel logout token for a citizen (and, `sid`, one of their sessions here); `forge` signs it
    /// with a key the JWKS does not publish.
    public func logoutToken(personalID: String?, sid: String? = nil, audience: String, forge: Bool = false) async throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let claims = LogoutClaims(
            iss: issuer, aud: audience, iat: now, exp: now + 120, jti: Self.random(), sub: personalID.map(subject(of:)), sid: sid,
            events: ["http://schemas.openid.net/event/backchannel-logout": [:]]
        )
        return try await sign(claims, type: "logout+jwt", forge: forge)
    }

    /// Signs with the current key, or (`forge`) with a fresh key under the current key's id.
    func sign(_ payload: some JWTPayload, type: String, forge: Bool) async throws -> String {
        let current = state.withLockedValue { $0.keys[0] }
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: forge ? ES256PrivateKey() : current.key, kid: JWKIdentifier(string: current.kid))
        var header = JWTHeader()
        header.typ = type
        return try await collection.sign(payload, kid: JWKIdentifier(string: current.kid), header: header)
    }

    func redirect(_ uri: String, _ parameters: [String: String?]) -> Response {
        var components = URLComponents(string: uri) ?? URLComponents()
        var items = components.percentEncodedQueryItems ?? []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if let value { items.append(URLQueryItem(name: name, value: FormFields.encode(value))) }
        }
        components.percentEncodedQueryItems = items
        return Response(status: .found, headers: [.location: components.string ?? uri])
    }

    static func random() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
