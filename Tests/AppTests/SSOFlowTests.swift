import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@testable import App
@testable import SSO

/// R-7.1c-sso, R-7.1a-auth: the OpenID Connect provider, end to end through the router.
@Suite struct SSOFlowTests {
    @Test func discoveryDescribesTheProvider() async throws {
        try await TestPlatform.withOIDC { oidc in
            let response = try await oidc.get("/.well-known/openid-configuration")
            #expect(response.status == .ok)
            let document = try #require(response.json)
            #expect(document["issuer"] == "http://lgsp.test")
            #expect(document["authorization_endpoint"] == "http://lgsp.test/sso/authorize")
            #expect(document["token_endpoint"] == "http://lgsp.test/sso/token")
            #expect(document["jwks_uri"] == "http://lgsp.test/sso/jwks")
            #expect(document["end_session_endpoint"] == "http://lgsp.test/sso/logout")
            #expect(document["code_challenge_methods_supported"] == ["S256"])
            #expect(document["id_token_signing_alg_values_supported"] == ["ES256"])
            let jwks = try #require(try await oidc.get("/sso/jwks").json?["keys"]?.arrayValue)
            #expect(jwks.count == 1)
            #expect(jwks[0]["kty"] == "EC" && jwks[0]["crv"] == "P-256" && jwks[0]["alg"] == "ES256")
            #expect(jwks[0]["d"] == nil)
        }
    }

    @Test func authorizationCodeWithPKCEThenRefreshUserinfoIntrospectRevoke() async throws {
        try await TestPlatform.withOIDC { oidc in
            let account = try await oidc.official(roles: ["gateway.admin"])
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan", scope: "openid profile email roles agency")
            let tokens = try await oidc.exchange(code, clientID: id, secret: secret)
            #expect(tokens.status == .ok, "\(String(buffer: tokens.body))")
            #expect(tokens.headers[.cacheControl] == "no-store")
            let json = try #require(tokens.json)
            let access = try #require(json["access_token"]?.stringValue)
            let idToken = try #require(json["id_token"]?.stringValue)
            let refresh = try #require(json["refresh_token"]?.stringValue)
            #expect(json["token_type"] == "Bearer")
            #expect(json["expires_in"] == 300)

            // The ID token: our key, our issuer, this client, the nonce, the person.
            let (claims, type) = try await oidc.platform.sso.keys.verify(idToken, as: IDTokenClaims.self)
            #expect(type == "JWT")
            #expect(claims.iss == "http://lgsp.test" && claims.aud.values == [id] && claims.sub == account.id)
            #expect(claims.nonce == "n-1")
            #expect(claims.name == "Nguyễn Thị Lan" && claims.preferred_username == "cb.lan")
            #expect(claims.agency_code == "000.00.31.H49" && claims.roles == ["gateway.admin"])
            #expect(claims.at_hash == TokenService.halfHash(access))
            #expect(claims.personal_id == nil)

            let userinfo = try await oidc.get("/sso/userinfo", bearer: access)
            #expect(userinfo.status == .ok)
            #expect(userinfo.json?["sub"]?.stringValue == account.id)
            #expect(userinfo.json?["email"] == "lan@example.vn")

            let active = try await oidc.introspect(access, clientID: id, secret: secret)
            #expect(active?["active"] == true)
            #expect(active?["sub"]?.stringValue == account.id)
            #expect(active?["client_id"]?.stringValue == id)
            #expect(active?["scope"] == "openid profile email roles agency")

            // Refresh: a new pair; the old refresh token is spent.
            let refreshed = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], clientID: id, secret: secret)
            #expect(refreshed.status == .ok)
            let newRefresh = try #require(refreshed.json?["refresh_token"]?.stringValue)
            #expect(newRefresh != refresh)
            let newAccess = try #require(refreshed.json?["access_token"]?.stringValue)

            // Revocation: inactive afterwards.
            let revoked = try await oidc.post("/sso/revoke", [("token", newAccess)], headers: [.authorization: OIDCHarness.basic(id, secret)])
            #expect(revoked.status == .ok)
            #expect(try await oidc.introspect(newAccess, clientID: id, secret: secret)?["active"] == false)
            #expect(try await oidc.get("/sso/userinfo", bearer: newAccess).status == .unauthorized)
            // The refresh token is still good until revoked too.
            #expect(try await oidc.introspect(newRefresh, clientID: id, secret: secret)?["active"] == true)
            _ = try await oidc.post("/sso/revoke", [("token", newRefresh), ("token_type_hint", "refresh_token")], headers: [.authorization: OIDCHarness.basic(id, secret)])
            #expect(try await oidc.introspect(newRefresh, clientID: id, secret: secret)?["active"] == false)
        }
    }

    @Test func aSecondApplicationSignsInWithoutThePassword() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let first = try await oidc.confidentialClient("portal")
            let second = try await oidc.confidentialClient("office", redirect: ["https://office.example.vn/cb"])
            let (_, session) = try await oidc.signIn(clientID: first.id, username: "cb.lan")
            let again = try await oidc.get(
                OIDCHarness.authorizeQuery(clientID: second.id, redirectURI: "https://office.example.vn/cb"), cookies: [oidc.sessionCookie: session]
            )
            #expect(again.status == .found)
            let parameters = OIDCHarness.redirectParameters(again)
            #expect(parameters["_location"]?.hasPrefix("https://office.example.vn/cb?") == true)
            #expect(parameters["state"] == "st-1")
            #expect(parameters["iss"] == "http://lgsp.test")
            let code = try #require(parameters["code"])
            let tokens = try await oidc.exchange(code, clientID: second.id, secret: second.secret, redirectURI: "https://office.example.vn/cb")
            #expect(tokens.status == .ok)
        }
    }

    @Test func promptNoneAndPromptLoginAndMaxAge() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, _) = try await oidc.confidentialClient()
            let withoutSession = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, extra: [("prompt", "none")]))
            #expect(withoutSession.status == .found)
            #expect(OIDCHarness.redirectParameters(withoutSession)["error"] == "login_required")
            #expect(OIDCHarness.redirectParameters(withoutSession)["state"] == "st-1")

            let (_, session) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let silent = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, extra: [("prompt", "none")]), cookies: [oidc.sessionCookie: session])
            #expect(OIDCHarness.redirectParameters(silent)["code"] != nil)

            let forced = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, extra: [("prompt", "login")]), cookies: [oidc.sessionCookie: session])
            #expect(forced.status == .ok)
            #expect(String(buffer: forced.body).contains("name=\"password\""))

            try await Task.sleep(for: .milliseconds(1100))
            let stale = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, extra: [("max_age", "0")]), cookies: [oidc.sessionCookie: session])
            #expect(stale.status == .ok)
            #expect(String(buffer: stale.body).contains("name=\"password\""))
        }
    }

    @Test func citizensSignInWithTheirPersonalIDAndGetItWithTheScope() async throws {
        try await TestPlatform.withOIDC { oidc in
            let account = try await oidc.citizen()
            #expect(account.username == "066085000123")
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: " 066085000123 ", scope: "openid personal_id")
            let tokens = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
            let (claims, _) = try await oidc.platform.sso.keys.verify(try #require(tokens["id_token"]?.stringValue), as: IDTokenClaims.self)
            #expect(claims.personal_id == "066085000123")
            let userinfo = try await oidc.get("/sso/userinfo", bearer: try #require(tokens["access_token"]?.stringValue))
            #expect(userinfo.json?["personal_id"] == "066085000123")
        }
    }

    @Test func publicClientsMustUsePKCE() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let id = try await oidc.publicClient()
            let without = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, redirectURI: "vn.gov.daklak.app:/callback", verifier: nil))
            #expect(OIDCHarness.redirectParameters(without)["error"] == "invalid_request")
            let plain = try await oidc.get(
                OIDCHarness.authorizeQuery(clientID: id, redirectURI: "vn.gov.daklak.app:/callback", verifier: nil,
                    extra: [("code_challenge", OIDCHarness.pkceVerifier), ("code_challenge_method", "plain")])
            )
            #expect(OIDCHarness.redirectParameters(plain)["error"] == "invalid_request")
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan", scope: "openid offline_access", redirectURI: "vn.gov.daklak.app:/callback")
            let tokens = try await oidc.post("/sso/token", [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "vn.gov.daklak.app:/callback"),
                ("code_verifier", OIDCHarness.pkceVerifier), ("client_id", id),
            ])
            #expect(tokens.status == .ok, "\(String(buffer: tokens.body))")
            #expect(tokens.json?["refresh_token"] != nil)
        }
    }

    @Test func clientCredentialsCarryTheClientsAgencyAndAllowedScopesOnly() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            let response = try await oidc.token([("grant_type", "client_credentials"), ("scope", "gateway.call")], clientID: id, secret: secret)
            #expect(response.status == .ok)
            #expect(response.json?["refresh_token"] == nil && response.json?["id_token"] == nil)
            let principal = try await oidc.platform.sso.tokens.verify(accessToken: try #require(response.json?["access_token"]?.stringValue))
            #expect(principal.kind == .client && principal.subject == id && principal.clientID == id)
            #expect(principal.agencyCode == "000.00.31.H49" && principal.scopes == ["gateway.call"])

            let tooMuch = try await oidc.token([("grant_type", "client_credentials"), ("scope", "catalogs.write")], clientID: id, secret: secret)
            #expect(tooMuch.status == .badRequest && tooMuch.json?["error"] == "invalid_scope")
            let post = try await oidc.post("/sso/token", [("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)])
            #expect(post.status == .unauthorized && post.json?["error"] == "invalid_client", "registered for client_secret_basic only")
            let wrong = try await oidc.token([("grant_type", "client_credentials")], clientID: id, secret: secret + "x")
            #expect(wrong.status == .unauthorized && wrong.json?["error"] == "invalid_client")
            #expect(wrong.headers[.wwwAuthenticate] == #"Basic realm="lgsp""#)
        }
    }

    @Test func logoutEndsTheSessionAndItsTokens() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code, session) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let tokens = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
            let idToken = try #require(tokens["id_token"]?.stringValue)
            let access = try #require(tokens["access_token"]?.stringValue)
            let refresh = try #require(tokens["refresh_token"]?.stringValue)

            let unregistered = try await oidc.get(
                "/sso/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=\(FormFields.encode("https://evil.example/"))", cookies: [oidc.sessionCookie: session]
            )
            #expect(unregistered.status == .badRequest)

            let logout = try await oidc.get(
                "/sso/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=\(FormFields.encode("https://app.example.vn/bye"))&state=s9",
                cookies: [oidc.sessionCookie: session]
            )
            #expect(logout.status == .found)
            #expect(logout.headers[.location] == "https://app.example.vn/bye?state=s9")
            #expect(logout.headers[values: .setCookie].contains { $0.hasPrefix("\(oidc.sessionCookie)=;") })

            #expect(try await oidc.introspect(access, clientID: id, secret: secret)?["active"] == false)
            #expect(try await oidc.introspect(refresh, clientID: id, secret: secret)?["active"] == false)
            let afterwards = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, extra: [("prompt", "none")]), cookies: [oidc.sessionCookie: session])
            #expect(OIDCHarness.redirectParameters(afterwards)["error"] == "login_required")
        }
    }

    @Test func logoutWithoutAHintAsksForConfirmation() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, _) = try await oidc.confidentialClient()
            let (_, session) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let page = try await oidc.get("/sso/logout", cookies: [oidc.sessionCookie: session])
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("Đăng xuất"))
            let csrf = try #require(OIDCHarness.cookie(oidc.csrfCookie, in: page))
            let forged = try await oidc.post("/sso/logout", [("csrf_token", "forged")], headers: [.cookie: "\(oidc.sessionCookie)=\(session); \(oidc.csrfCookie)=\(csrf)"])
            #expect(forged.status == .forbidden)
            let confirmed = try await oidc.post("/sso/logout", [("csrf_token", csrf)], headers: [.cookie: "\(oidc.sessionCookie)=\(session); \(oidc.csrfCookie)=\(csrf)"])
            #expect(confirmed.status == .ok)
            #expect(String(buffer: confirmed.body).contains("Đã đăng xuất"))
        }
    }

    // R-14.5
    @Test func signInsAndTokensAreAuditedWithoutSecrets() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let page = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id))
            _ = try await oidc.submitLogin(try oidc.loginForm(page), username: "cb.lan", password: "Sai-mat-khau-1")
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let tokens = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
            let entries = try await oidc.platform.services.audit.entries()
            let actions = entries.map(\.event.action)
            #expect(actions.contains("sso.login"))
            #expect(entries.contains { $0.event.action == "sso.login" && $0.event.outcome == .failure })
            #expect(actions.contains("sso.token.issued"))
            #expect(actions.contains("sso.client.created") && actions.contains("sso.user.created"))
            let everything = entries.map { "\($0.event)" }.joined()
            for secretValue in [OIDCHarness.password, "Sai-mat-khau-1", secret, code, try #require(tokens["access_token"]?.stringValue), try #require(tokens["refresh_token"]?.stringValue)] {
                #expect(!everything.contains(secretValue))
            }
        }
    }
}
