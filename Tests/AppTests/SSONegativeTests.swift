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

/// The attacks and mistakes the SSO must refuse.
@Suite struct SSONegativeTests {
    @Test func aWrongOrMissingPKCEVerifierIsRefused() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            for verifier in [nil, "wrong-verifier-wrong-verifier-wrong-verifier-x", String(OIDCHarness.pkceVerifier.dropLast()) + "Y", "short"] as [String?] {
                let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
                let response = try await oidc.exchange(code, clientID: id, secret: secret, verifier: verifier)
                #expect(response.status == .badRequest)
                #expect(response.json?["error"] == "invalid_grant", "verifier \(verifier ?? "missing")")
            }
            // A verifier sent for a code that had no challenge is refused too (no downgrade).
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan", verifier: nil)
            let downgraded = try await oidc.exchange(code, clientID: id, secret: secret, verifier: OIDCHarness.pkceVerifier)
            #expect(downgraded.json?["error"] == "invalid_grant")
        }
    }

    @Test func aRedirectURIDifferingByOneCharacterGetsAnErrorPageNotARedirect() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            for uri in [
                "https://app.example.vn/callbacK", "https://app.example.vn/callback/", "https://app.example.vn/callback?x=1",
                "https://app.example.vn.evil.example/callback", "http://app.example.vn/callback", "https://app.example.vn/callbac",
            ] {
                let response = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, redirectURI: uri))
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.headers[.location] == nil)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            // And at the token endpoint: the code is bound to its redirect URI.
            try await oidc.official()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let response = try await oidc.exchange(code, clientID: id, secret: secret, redirectURI: "https://app.example.vn/callback/")
            #expect(response.json?["error"] == "invalid_grant")
        }
    }

    @Test func anUnknownClientGetsAnErrorPage() async throws {
        try await TestPlatform.withOIDC { oidc in
            let response = try await oidc.get(OIDCHarness.authorizeQuery(clientID: "nobody"))
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
        }
    }

    @Test func aReusedCodeIsRefusedAndRevokesWhatItIssued() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let first = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
            let access = try #require(first["access_token"]?.stringValue)
            let refresh = try #require(first["refresh_token"]?.stringValue)
            #expect(try await oidc.introspect(access, clientID: id, secret: secret)?["active"] == true)

            let replay = try await oidc.exchange(code, clientID: id, secret: secret)
            #expect(replay.status == .badRequest && replay.json?["error"] == "invalid_grant")
            #expect(try await oidc.introspect(access, clientID: id, secret: secret)?["active"] == false)
            #expect(try await oidc.introspect(refresh, clientID: id, secret: secret)?["active"] == false)
            let refreshed = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], clientID: id, secret: secret)
            #expect(refreshed.json?["error"] == "invalid_grant")
            #expect(try await oidc.platform.services.audit.entries().contains { $0.event.action == "sso.code.replayed" })
        }
    }

    @Test func aCodeIsBoundToItsClient() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, _) = try await oidc.confidentialClient("portal")
            let other = try await oidc.confidentialClient("other")
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let stolen = try await oidc.exchange(code, clientID: other.id, secret: other.secret)
            #expect(stolen.json?["error"] == "invalid_grant")
        }
    }

    @Test func anExpiredCodeIsRefused() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            try await oidc.platform.database.sql.raw(
                "UPDATE sso_codes SET expires_at = \(bind: Timestamp.string(from: Date().addingTimeInterval(-1))) WHERE code_hash = \(bind: Secrets.storedHash(code))"
            ).run()
            #expect(try await oidc.exchange(code, clientID: id, secret: secret).json?["error"] == "invalid_grant")
        }
    }

    @Test func aReplayedRefreshTokenRevokesItsWholeFamily() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let first = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
            let refresh1 = try #require(first["refresh_token"]?.stringValue)
            let second = try #require(try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh1)], clientID: id, secret: secret).json)
            let refresh2 = try #require(second["refresh_token"]?.stringValue)
            let access2 = try #require(second["access_token"]?.stringValue)

            // The thief replays the spent token.
            let replay = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh1)], clientID: id, secret: secret)
            #expect(replay.json?["error"] == "invalid_grant")
            // The whole family is gone: the newest refresh token and the access tokens issued in it.
            let legitimate = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh2)], clientID: id, secret: secret)
            #expect(legitimate.json?["error"] == "invalid_grant")
            #expect(try await oidc.introspect(access2, clientID: id, secret: secret)?["active"] == false)
            #expect(try await oidc.get("/sso/userinfo", bearer: access2).status == .unauthorized)
            #expect(try await oidc.platform.services.audit.entries().contains { $0.event.action == "sso.refresh.reuse_detected" })
        }
    }

    @Test func aRefreshTokenIsBoundToItsClientAndCannotWidenScope() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient("portal")
            let other = try await oidc.confidentialClient("other")
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan", scope: "openid profile")
            let refresh = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json?["refresh_token"]?.stringValue)
            let stolen = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], clientID: other.id, secret: other.secret)
            #expect(stolen.json?["error"] == "invalid_grant")
            let wider = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "openid profile email")], clientID: id, secret: secret)
            #expect(wider.json?["error"] == "invalid_scope")
            let narrower = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "openid")], clientID: id, secret: secret)
            #expect(narrower.status == .ok && narrower.json?["scope"] == "openid")
        }
    }

    /// Tokens the verifier must refuse: expired, signed by a key we never published, `alg: none`,
    /// an ID token passed as an access token, a wrong issuer or audience.
    @Test func forgedAndExpiredTokensAreRefused() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            let good = try await oidc.clientCredentials(id, secret, scope: "lgsp.metrics")
            #expect(try await oidc.get("/metrics", bearer: good).status == .ok)
            let keys = oidc.platform.sso.keys
            let kid = try SigningKeys.header(of: good).kid!
            let now = Int64(Date().timeIntervalSince1970)
            func claims(exp: Int64 = now + 300, iss: String = "http://lgsp.test", aud: [String] = ["lgsp"]) -> AccessTokenClaims {
                AccessTokenClaims(
                    iss: iss, sub: id, aud: Audience(aud), exp: exp, iat: now - 10, nbf: now - 10, jti: "j-\(exp)-\(iss.count)-\(aud.count)",
                    client_id: id, scope: "lgsp.metrics", sub_type: "client"
                )
            }
            func expectRefused(_ token: String, _ why: String) async throws {
                let response = try await oidc.get("/metrics", bearer: token)
                #expect(response.status == .unauthorized, "\(why)")
                #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true, "\(why)")
                #expect(try await oidc.introspect(token, clientID: id, secret: secret)?["active"] == false, "\(why)")
            }
            try await expectRefused(try await keys.sign(claims(exp: now - 120), type: "at+jwt"), "expired")
            try await expectRefused(try await keys.sign(claims(iss: "https://other.example"), type: "at+jwt"), "issuer")
            try await expectRefused(try await keys.sign(claims(aud: ["someone-else"]), type: "at+jwt"), "audience")
            try await expectRefused(try await keys.sign(claims(), type: "JWT"), "not typed as an access token")

            // A key we never published, even with our kid.
            let stranger = JWTKeyCollection()
            await stranger.add(ecdsa: ES256PrivateKey(), kid: JWKIdentifier(string: kid))
            var header = JWTHeader()
            header.typ = "at+jwt"
            try await expectRefused(try await stranger.sign(claims(), kid: JWKIdentifier(string: kid), header: header), "foreign key, our kid")
            let otherKid = JWTKeyCollection()
            await otherKid.add(ecdsa: ES256PrivateKey(), kid: "unknown-key")
            try await expectRefused(try await otherKid.sign(claims(), kid: "unknown-key", header: header), "unknown kid")

            // alg: none, with and without a signature part, and an HMAC made with the public key.
            let payload = good.split(separator: ".")[1]
            for alg in ["none", "None", "HS256"] {
                let unsigned = Data(#"{"alg":"\#(alg)","typ":"at+jwt","kid":"\#(kid)"}"#.utf8).base64URLEncodedString()
                try await expectRefused("\(unsigned).\(payload).", "alg \(alg), empty signature")
                try await expectRefused("\(unsigned).\(payload).c2lnbmF0dXJl", "alg \(alg), some signature")
            }
            // Tampered payload.
            let parts = good.split(separator: ".").map(String.init)
            let tampered = try JSONValue.object(["sub": "admin", "client_id": .string(id), "scope": "lgsp.metrics sso.admin"]).encoded()
            try await expectRefused("\(parts[0]).\(tampered.base64URLEncodedString()).\(parts[2])", "tampered")
            try await expectRefused("not-a-jwt", "garbage")
        }
    }

    @Test func lockoutAfterRepeatedFailuresAndItsExpiry() async throws {
        try await TestPlatform.withOIDC(configure: {
            $0.sso.loginMaxFailures = 3
            $0.sso.loginLockout = DurationValue(.seconds(4))
        }) { oidc in
            try await oidc.official()
            let (id, _) = try await oidc.confidentialClient()
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            for attempt in 1...2 {
                let page = String(buffer: try await oidc.submitLogin(form, username: "cb.lan", password: "Sai-\(attempt)-Mat-khau!").body)
                #expect(page.contains("Tên đăng nhập hoặc mật khẩu không đúng."))
            }
            let third = String(buffer: try await oidc.submitLogin(form, username: "cb.lan", password: "Sai-3-Mat-khau!").body)
            #expect(third.contains("tạm thời bị khóa"))
            // Locked: even the right password is refused, without being checked.
            let locked = try await oidc.submitLogin(form, username: "CB.LAN", password: OIDCHarness.password)
            #expect(locked.status == .ok)
            #expect(String(buffer: locked.body).contains("tạm thời bị khóa"))
            #expect(try await oidc.platform.services.audit.entries().contains { $0.event.action == "sso.login.locked" })

            // Wait out the lock, however long the attempts took on a busy machine.
            let lockKey = oidc.platform.sso.provider.login.lockKey(identifier: "cb.lan", accountID: (try await oidc.platform.sso.accounts.list(kind: nil, query: "cb.lan", after: nil, limit: 1)).first?.id)
            let firstLock = try #require(try await oidc.platform.sso.provider.login.failures.state(lockKey)?.lockedUntil)
            try await Task.sleep(for: .milliseconds(max(0, Int(firstLock.timeIntervalSinceNow * 1000)) + 100))
            let after = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password)
            #expect(after.status == .seeOther)

            // The next lockout lasts twice as long.
            let form2 = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            for attempt in 1...2 { _ = try await oidc.submitLogin(form2, username: "cb.lan", password: "Sai-\(attempt)-Lan-nua!") }
            let beforeThird = Date()
            _ = try await oidc.submitLogin(form2, username: "cb.lan", password: "Sai-3-Lan-nua!")
            let afterThird = Date()
            let state = try await oidc.platform.sso.provider.login.failures.state(lockKey)
            let until = try #require(state?.lockedUntil)
            // The lock starts during the third attempt and lasts the base 4 s (a doubled one would end 8 s after it).
            #expect(until >= beforeThird.addingTimeInterval(3.95) && until <= afterThird.addingTimeInterval(4.05), "first lockout after a success: base again")
        }
    }

    @Test func unknownUsersLockOutTooAndGetTheSameAnswer() async throws {
        try await TestPlatform.withOIDC(configure: {
            $0.sso.loginMaxFailures = 2
            $0.sso.bcryptCost = 10
        }) { oidc in
            try await oidc.official()
            let (id, _) = try await oidc.confidentialClient()
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            func normalized(_ response: TestResponse) -> String {
                // Everything but the echoed username.
                String(buffer: response.body).replacingOccurrences(of: "cb.lan", with: "X").replacingOccurrences(of: "cb.nobody", with: "X")
            }
            var known: [Duration] = []
            var unknown: [Duration] = []
            var knownPage = ""
            var unknownPage = ""
            for index in 0..<2 {
                let (t1, wrongPassword) = try await Self.timed { try await oidc.submitLogin(form, username: index == 0 ? "cb.lan" : "cb.lan", password: "Khong-dung-\(index)!") }
                let (t2, unknownUser) = try await Self.timed { try await oidc.submitLogin(form, username: "cb.nobody", password: "Khong-dung-\(index)!") }
                known.append(t1)
                unknown.append(t2)
                #expect(wrongPassword.status == unknownUser.status)
                if index == 0 {
                    knownPage = normalized(wrongPassword)
                    unknownPage = normalized(unknownUser)
                }
            }
            #expect(knownPage == unknownPage)
            #expect(knownPage.contains("Tên đăng nhập hoặc mật khẩu không đúng."))
            // Unknown names cost a bcrypt verification too (decoy hash): comparable time, not ~0.
            let knownFastest = known.min()!
            let unknownFastest = unknown.min()!
            #expect(unknownFastest > knownFastest / 3, "known \(known), unknown \(unknown)")
            // And they lock out after the same number of failures.
            let third = try await oidc.submitLogin(form, username: "cb.nobody", password: "Lan-thu-ba!1")
            #expect(String(buffer: third.body).contains("tạm thời bị khóa"))
        }
    }

    static func timed<T>(_ body: () async throws -> T) async throws -> (Duration, T) {
        let start = ContinuousClock.now
        let value = try await body()
        return (ContinuousClock.now - start, value)
    }

    @Test func csrfFailuresAreRefused() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, _) = try await oidc.confidentialClient()
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let wrongToken = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password, csrf: "forged")
            #expect(wrongToken.status == .forbidden)
            let wrongCookie = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password, csrfCookie: "other")
            #expect(wrongCookie.status == .forbidden)
            // A token from another login page does not fit this request.
            let otherForm = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let swapped = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password, csrf: otherForm.csrf, csrfCookie: otherForm.csrfCookie)
            #expect(swapped.status == .forbidden)
            let noCookie = try await oidc.post("/sso/login", [("request_id", form.requestID), ("csrf_token", form.csrf), ("username", "cb.lan"), ("password", OIDCHarness.password)])
            #expect(noCookie.status == .forbidden)
            #expect(String(buffer: noCookie.body).contains("CSRF"))
            // The genuine form still works afterwards.
            #expect(try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password).status == .seeOther)
            // And only once.
            #expect(try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password).status == .badRequest)
        }
    }

    @Test func thePerAddressLimiterRefusesFloods() async throws {
        try await TestPlatform.withOIDC(configure: { $0.sso.loginRateLimit = 3 }) { oidc in
            let (id, _) = try await oidc.confidentialClient()
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<5 {
                statuses.append(try await oidc.submitLogin(form, username: "user\(index)", password: "x").status)
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == .ok })
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
        }
    }

    @Test func disabledAccountsCannotSignInAndLoseTheirTokens() async throws {
        try await TestPlatform.withOIDC { oidc in
            let account = try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let access = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json?["access_token"]?.stringValue)
            _ = try await oidc.platform.sso.accounts.update(account.id, .init(disabled: true), by: .commandLine)
            #expect(try await oidc.introspect(access, clientID: id, secret: secret)?["active"] == false)
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let page = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password)
            #expect(String(buffer: page.body).contains("Tên đăng nhập hoặc mật khẩu không đúng."))
        }
    }

    @Test func introspectionIsForAuthenticatedConfidentialClientsOnly() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            let token = try await oidc.clientCredentials(id, secret, scope: "gateway.call")
            let anonymous = try await oidc.post("/sso/introspect", [("token", token)])
            #expect(anonymous.status == .unauthorized && anonymous.json?["error"] == "invalid_client")
            let publicID = try await oidc.publicClient()
            let fromPublic = try await oidc.post("/sso/introspect", [("token", token), ("client_id", publicID)])
            #expect(fromPublic.status == .unauthorized)
        }
    }

    @Test func repeatedParametersAreRefused() async throws {
        try await TestPlatform.withOIDC { oidc in
            let (id, secret) = try await oidc.confidentialClient()
            let response = try await oidc.token([("grant_type", "client_credentials"), ("scope", "gateway.call"), ("scope", "sso.admin")], clientID: id, secret: secret)
            #expect(response.json?["error"] == "invalid_request")
            let unsupported = try await oidc.token([("grant_type", "password"), ("username", "a"), ("password", "b")], clientID: id, secret: secret)
            #expect(unsupported.json?["error"] == "unsupported_grant_type")
        }
    }
}
