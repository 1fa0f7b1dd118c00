import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@testable import App
@testable import SSO

@Suite struct SSOKeyRotationTests {
    /// Tokens signed before a rotation keep verifying until they expire; new ones use the new key.
    @Test func tokensSignedBeforeRotationStillVerify() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            let before = try await oidc.clientCredentials(id, secret, scope: "lgsp.metrics")
            let oldKid = try SigningKeys.header(of: before).kid
            let rotated = try await oidc.platform.sso.keys.rotate()
            #expect(rotated.kid != oldKid)
            let after = try await oidc.clientCredentials(id, secret, scope: "lgsp.metrics")
            #expect(try SigningKeys.header(of: after).kid == rotated.kid)
            #expect(try await oidc.get("/metrics", bearer: before).status == .ok)
            #expect(try await oidc.get("/metrics", bearer: after).status == .ok)
            let kids = try #require(try await oidc.get("/sso/jwks").json?["keys"]?.arrayValue).compactMap { $0["kid"]?.stringValue }
            #expect(Set(kids) == [oldKid!, rotated.kid])
            let listed = try await oidc.platform.sso.keys.list()
            #expect(listed.first { $0.kid == oldKid }?.status == "retired")
            #expect(listed.first { $0.kid == oldKid }?.publishUntil != nil)
        }
    }

    /// Once its publication window is over, a retired key leaves the JWKS and its tokens stop verifying.
    @Test func aRetiredKeyIsWithdrawnAfterItsWindow() async throws {
        try await TestPlatform.withOIDC { oidc in
            let services = oidc.platform.services
            // A window long enough for the rotation and first verify under a loaded machine (PostgreSQL, every suite at once).
            let keys = SigningKeys(database: services.database, masterKey: services.masterKey, publishWindow: .seconds(4), refreshInterval: .milliseconds(100))
            try await keys.load()
            let now = Int64(Date().timeIntervalSince1970)
            let claims = AccessTokenClaims(
                iss: "http://lgsp.test", sub: "s", aud: Audience(["lgsp"]), exp: now + 3600, iat: now, nbf: now, jti: "j", client_id: "c",
                scope: "", sub_type: "client"
            )
            let old = try await keys.sign(claims, type: "at+jwt")
            _ = try await keys.rotate()
            _ = try await keys.verify(old, as: AccessTokenClaims.self)
            try await Task.sleep(for: .milliseconds(4300))
            try await keys.reload()
            await #expect(throws: SigningKeyError.unknownKey) { _ = try await keys.verify(old, as: AccessTokenClaims.self) }
        }
    }

    /// Another process (here: another `SigningKeys` on the same database, as `lgsp keys rotate` would be)
    /// rotates; this one verifies the new key's tokens at once and signs with it soon after.
    @Test func aRotationByAnotherProcessIsPickedUp() async throws {
        try await TestPlatform.withOIDC { oidc in
            let services = oidc.platform.services
            let other = SigningKeys(database: services.database, masterKey: services.masterKey, publishWindow: .seconds(600))
            try await other.load()
            let newKey = try await other.rotate()
            let now = Int64(Date().timeIntervalSince1970)
            let claims = AccessTokenClaims(
                iss: "http://lgsp.test", sub: "s", aud: Audience(["lgsp"]), exp: now + 60, iat: now, nbf: now, jti: "j2", client_id: "c",
                scope: "", sub_type: "client"
            )
            let token = try await other.sign(claims, type: "at+jwt")
            #expect(try SigningKeys.header(of: token).kid == newKey.kid)
            _ = try await oidc.platform.sso.keys.verify(token, as: AccessTokenClaims.self)
        }
    }

    @Test func privateKeysAreStoredSealed() async throws {
        try await TestPlatform.withOIDC { oidc in
            let rows = try await oidc.platform.database.sql.raw("SELECT private_key FROM sso_keys").all()
            for row in rows {
                let stored = try row.decode(column: "private_key", as: String.self)
                #expect(!stored.contains("PRIVATE KEY"))
                #expect(throws: (any Error).self) { try MasterKey.generate().open(stored, purpose: SigningKeys.sealPurpose) }
            }
        }
    }
}

@Suite struct SSOAdminAPITests {
    @Test func theAdminAPINeedsTheAdminScope() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            #expect(try await oidc.get("/api/v1/sso/users").status == .unauthorized)
            let plain = try await oidc.clientCredentials(id, secret, scope: "gateway.call")
            #expect(try await oidc.get("/api/v1/sso/users", bearer: plain).status == .forbidden)
            let admin = try await oidc.clientCredentials(id, secret, scope: "sso.admin")
            #expect(try await oidc.get("/api/v1/sso/users", bearer: admin).status == .ok)
        }
    }

    @Test func createListUpdateAndResetThroughTheAPI() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            let admin = try await oidc.clientCredentials(id, secret, scope: "sso.admin")
            func send(_ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue) async throws -> TestResponse {
                try await oidc.client.execute(
                    uri: uri, method: method, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                    body: ByteBuffer(bytes: try body.encoded())
                )
            }
            let created = try await send(.post, "/api/v1/sso/users", [
                "kind": "official", "username": "cb.minh", "name": "Lê Văn Minh", "agencyCode": "000.00.31.H49",
                "roles": ["gateway.admin"], "password": "Minh@Daklak2026",
            ])
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let userID = try #require(created.json?["id"]?.stringValue)
            #expect(created.json?["passwordHash"] == nil && !String(buffer: created.body).contains("$2"))

            let duplicate = try await send(.post, "/api/v1/sso/users", [
                "kind": "official", "username": "cb.minh", "name": "Khác", "password": "Khac@Daklak2026",
            ])
            #expect(duplicate.status == .conflict)

            let weak = try await send(.post, "/api/v1/sso/users", ["kind": "official", "username": "cb.yeu", "name": "Yếu", "password": "cb.yeu"])
            #expect(weak.status == .unprocessableContent)
            let messages = weak.json?["errors"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(messages.count >= 4, "\(messages)")

            let list = try await oidc.get("/api/v1/sso/users?kind=official&q=minh", bearer: admin)
            #expect(list.json?["items"]?.arrayValue?.count == 1)

            let patched = try await send(.patch, "/api/v1/sso/users/\(userID)", ["roles": ["gateway.admin", "catalogs.editor"], "disabled": true])
            #expect(patched.status == .ok)
            #expect(patched.json?["disabled"] == true)

            let reset = try await send(.put, "/api/v1/sso/users/\(userID)/password", ["password": "Moi@Daklak2026x"])
            #expect(reset.status == .noContent)

            let client = try await send(.post, "/api/v1/sso/clients", [
                "clientId": "he-thong-mot-cua", "name": "Hệ thống một cửa", "type": "confidential", "grantTypes": ["client_credentials"],
                "scopes": ["gateway.call"], "agencyCode": "H49.31",
            ])
            #expect(client.status == .created, "\(String(buffer: client.body))")
            let clientSecret = try #require(client.json?["clientSecret"]?.stringValue)
            #expect(try await oidc.get("/api/v1/sso/clients/he-thong-mot-cua", bearer: admin).json?["clientSecret"] == nil)
            _ = try await oidc.clientCredentials("he-thong-mot-cua", clientSecret, scope: "gateway.call")

            let badClient = try await send(.post, "/api/v1/sso/clients", [
                "name": "Sai", "type": "public", "tokenEndpointAuthMethod": "client_secret_basic", "redirectUris": ["http://app.example.vn/cb#x"],
                "grantTypes": ["client_credentials"],
            ])
            #expect(badClient.status == .unprocessableContent)
            let pointers = Set(badClient.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? [])
            #expect(pointers.isSuperset(of: ["/tokenEndpointAuthMethod", "/grantTypes", "/redirectUris/0"]))
        }
    }

    @Test func aPersonChangesTheirOwnPassword() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let access = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json?["access_token"]?.stringValue)
            func change(_ current: String, _ new: String) async throws -> TestResponse {
                try await oidc.client.execute(
                    uri: "/api/v1/sso/me/password", method: .put, headers: [.authorization: "Bearer \(access)", .contentType: "application/json"],
                    body: ByteBuffer(bytes: try JSONValue.object(["currentPassword": .string(current), "newPassword": .string(new)]).encoded())
                )
            }
            #expect(try await change("wrong", "Moi@Daklak2026x").status == .unprocessableContent)
            #expect(try await change(OIDCHarness.password, OIDCHarness.password).status == .unprocessableContent)
            #expect(try await change(OIDCHarness.password, "Moi@Daklak2026x").status == .noContent)
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            #expect(try await oidc.submitLogin(form, username: "cb.lan", password: "Moi@Daklak2026x").status == .seeOther)
        }
    }
}

@Suite struct SSOSecondFactorTests {
    @Test func officialsWithTOTPEnterACodeOnce() async throws {
        try await TestPlatform.withOIDC { oidc in
            let account = try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (totpSecret, uri) = try await oidc.platform.sso.accounts.enrollTOTP(account.id, by: .commandLine)
            #expect(uri.hasPrefix("otpauth://totp/"))
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let step = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password)
            #expect(step.status == .ok)
            #expect(String(buffer: step.body).contains("name=\"otp\""))
            func submit(_ code: String) async throws -> TestResponse {
                try await oidc.post(
                    "/sso/login/otp", [("request_id", form.requestID), ("csrf_token", form.csrf), ("otp", code)],
                    headers: [.cookie: "\(oidc.csrfCookie)=\(form.csrfCookie)"]
                )
            }
            let wrong = try await submit("000000")
            #expect(String(buffer: wrong.body).contains("Mã xác thực không đúng"))
            let code = String(format: "%06d", TOTP(secret: totpSecret).compute(date: Date()))
            let accepted = try await submit(code)
            #expect(accepted.status == .seeOther)
            let issued = try #require(OIDCHarness.redirectParameters(accepted)["code"])
            let tokens = try #require(try await oidc.exchange(issued, clientID: id, secret: secret).json)
            let (claims, _) = try await oidc.platform.sso.keys.verify(try #require(tokens["id_token"]?.stringValue), as: IDTokenClaims.self)
            #expect(claims.amr == ["pwd", "otp"])

            // The same code cannot be used again.
            let form2 = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            _ = try await oidc.submitLogin(form2, username: "cb.lan", password: OIDCHarness.password)
            let replay = try await oidc.post(
                "/sso/login/otp", [("request_id", form2.requestID), ("csrf_token", form2.csrf), ("otp", code)],
                headers: [.cookie: "\(oidc.csrfCookie)=\(form2.csrfCookie)"]
            )
            #expect(String(buffer: replay.body).contains("Mã xác thực không đúng"))
        }
    }

    @Test func requiredButNotEnrolledIsRefused() async throws {
        try await TestPlatform.withOIDC { oidc in
            let account = try await oidc.official()
            _ = try await oidc.platform.sso.accounts.update(account.id, .init(totpRequired: true), by: .commandLine)
            let (id, _) = try await oidc.confidentialClient()
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let response = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password)
            #expect(response.status == .forbidden)
            #expect(String(buffer: response.body).contains("xác thực hai lớp"))
        }
    }
}

import HummingbirdOTP

@Suite struct SSOPrivateKeyJWTTests {
    /// RFC 7523 client authentication with the client's registered public key; each assertion once.
    @Test func clientCredentialsWithPrivateKeyJWT() async throws {
        try await TestPlatform.withOIDC { oidc in
            let key = ES256PrivateKey()
            let parameters = try #require(key.publicKey.parameters)
            let jwks: JSONValue = ["keys": [["kty": "EC", "crv": "P-256", "x": .string(parameters.x), "y": .string(parameters.y), "kid": "k1", "alg": "ES256", "use": "sig"]]]
            _ = try await oidc.platform.sso.clients.create(
                .init(clientId: "agency-system", name: "Hệ thống của Sở", type: .confidential, tokenEndpointAuthMethod: .privateKeyJWT,
                      grantTypes: [.clientCredentials], scopes: ["gateway.call"], jwks: jwks),
                by: .commandLine
            )
            let signer = JWTKeyCollection()
            await signer.add(ecdsa: key, kid: "k1")
            struct Assertion: JWTPayload {
                let iss: String, sub: String, aud: String, exp: Int64, iat: Int64, jti: String
                func verify(using algorithm: some JWTAlgorithm) async throws {}
            }
            let now = Int64(Date().timeIntervalSince1970)
            func assertion(aud: String = "http://lgsp.test/sso/token", exp: Int64? = nil, jti: String = UUID().uuidString, iss: String = "agency-system") async throws -> String {
                try await signer.sign(Assertion(iss: iss, sub: iss, aud: aud, exp: exp ?? now + 60, iat: now, jti: jti), kid: "k1")
            }
            func grant(_ token: String) async throws -> TestResponse {
                try await oidc.post("/sso/token", [
                    ("grant_type", "client_credentials"), ("scope", "gateway.call"),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", token),
                ])
            }
            let good = try await assertion(jti: "once")
            let ok = try await grant(good)
            #expect(ok.status == .ok, "\(String(buffer: ok.body))")
            #expect(try await grant(good).json?["error"] == "invalid_client", "replayed assertion")
            #expect(try await grant(try await assertion(aud: "https://elsewhere")).json?["error"] == "invalid_client")
            #expect(try await grant(try await assertion(exp: now - 120)).json?["error"] == "invalid_client")
            #expect(try await grant(try await assertion(exp: now + 7200)).json?["error"] == "invalid_client", "too long-lived")
            // Signed by another key.
            let stranger = JWTKeyCollection()
            await stranger.add(ecdsa: ES256PrivateKey(), kid: "k1")
            let forged = try await stranger.sign(Assertion(iss: "agency-system", sub: "agency-system", aud: "http://lgsp.test/sso/token", exp: now + 60, iat: now, jti: "f"), kid: "k1")
            #expect(try await grant(forged).json?["error"] == "invalid_client")
            // The issuer URL is an accepted audience too.
            #expect(try await grant(try await assertion(aud: "http://lgsp.test")).status == .ok)
        }
    }
}
