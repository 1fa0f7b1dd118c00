import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Testing

@testable import App
@testable import SSO

/// Findings of the security review, each pinned by a test.
@Suite struct SSOHardeningTests {
    /// A known password must not reset the lockout of guesses at the second factor.
    @Test func guessingTheCodeLocksOutEvenWithTheRightPassword() async throws {
        try await TestPlatform.withOIDC(configure: { $0.sso.loginMaxFailures = 3 }) { oidc in
            let account = try await oidc.official()
            _ = try await oidc.platform.sso.accounts.enrollTOTP(account.id, by: .commandLine)
            let (id, _) = try await oidc.confidentialClient()
            var lastPage = ""
            for round in 0..<2 {
                let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
                let otpPage = try await oidc.submitLogin(form, username: "cb.lan", password: OIDCHarness.password)
                if String(buffer: otpPage.body).contains("tạm thời bị khóa") {
                    lastPage = String(buffer: otpPage.body)
                    break
                }
                for guess in 0..<2 {
                    let response = try await oidc.post(
                        "/sso/login/otp", [("request_id", form.requestID), ("csrf_token", form.csrf), ("otp", String(format: "%06d", round * 10 + guess))],
                        headers: [.cookie: "\(oidc.csrfCookie)=\(form.csrfCookie)"]
                    )
                    lastPage = String(buffer: response.body)
                }
            }
            #expect(lastPage.contains("tạm thời bị khóa"), "four wrong codes across two password successes must lock")
        }
    }

    /// A citizen's personal id and tax code name one account: one failure counter.
    @Test func identifierVariantsShareOneCounter() async throws {
        try await TestPlatform.withOIDC(configure: { $0.sso.loginMaxFailures = 2 }) { oidc in
            _ = try await oidc.platform.sso.accounts.create(
                .init(kind: .citizen, personalId: "066085000123", taxCode: "0100109106", name: "Hộ kinh doanh An", password: OIDCHarness.password),
                by: .commandLine
            )
            let (id, _) = try await oidc.confidentialClient()
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            _ = try await oidc.submitLogin(form, username: "066085000123", password: "Sai@Mat-khau1")
            let second = try await oidc.submitLogin(form, username: "0100109106", password: "Sai@Mat-khau2")
            #expect(String(buffer: second.body).contains("tạm thời bị khóa"))
        }
    }

    @Test func refreshDoesNotOutliveARoleRemoval() async throws {
        try await TestPlatform.withOIDC { oidc in
            let account = try await oidc.official(roles: ["sso.admin"])
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan", scope: "openid sso.admin")
            let tokens = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
            #expect(tokens["scope"] == "openid sso.admin")
            let refresh = try #require(tokens["refresh_token"]?.stringValue)
            _ = try await oidc.platform.sso.accounts.update(account.id, .init(roles: []), by: .commandLine)
            let refreshed = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], clientID: id, secret: secret)
            #expect(refreshed.json?["error"] == "invalid_grant", "the role change revoked the family")
            #expect(try await oidc.introspect(try #require(tokens["access_token"]?.stringValue), clientID: id, secret: secret)?["active"] == false)
        }
    }

    @Test func refreshGrantsOnlyWhatTheClientStillMay() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.lan", scope: "openid profile email")
            let refresh = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json?["refresh_token"]?.stringValue)
            // Narrowing the client's scopes revokes (tested elsewhere); re-deriving covers a widening-free edit too.
            try await oidc.platform.database.sql.raw(
                "UPDATE sso_clients SET scopes = '[\"openid\",\"profile\"]' WHERE id = \(bind: id)"
            ).run()
            oidc.platform.sso.provider.clients.forget(id)
            let refreshed = try await oidc.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], clientID: id, secret: secret)
            #expect(refreshed.json?["scope"] == "openid profile")
        }
    }

    @Test func nativeClientsConfirmBeforeSilentSignIn() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (webID, _) = try await oidc.confidentialClient()
            let nativeID = try await oidc.publicClient()
            let (_, session) = try await oidc.signIn(clientID: webID, username: "cb.lan")
            let query = OIDCHarness.authorizeQuery(clientID: nativeID, redirectURI: "vn.gov.daklak.app:/callback")
            let silent = try await oidc.get(query + "&prompt=none", cookies: [oidc.sessionCookie: session])
            #expect(OIDCHarness.redirectParameters(silent)["error"] == "interaction_required")
            let page = try await oidc.get(query, cookies: [oidc.sessionCookie: session])
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("Tiếp tục"))
            let form = try oidc.loginForm(page)
            let noSession = try await oidc.post("/sso/authorize/continue", [("request_id", form.requestID), ("csrf_token", form.csrf)],
                                                headers: [.cookie: "\(oidc.csrfCookie)=\(form.csrfCookie)"])
            #expect(noSession.status == .badRequest, "the confirmation needs the session that asked")
            let page2 = try await oidc.get(query, cookies: [oidc.sessionCookie: session])
            let form2 = try oidc.loginForm(page2)
            let confirmed = try await oidc.post("/sso/authorize/continue", [("request_id", form2.requestID), ("csrf_token", form2.csrf)],
                                                headers: [.cookie: "\(oidc.csrfCookie)=\(form2.csrfCookie); \(oidc.sessionCookie)=\(session)"])
            #expect(confirmed.status == .seeOther)
            #expect(OIDCHarness.redirectParameters(confirmed)["code"] != nil)
        }
    }

    /// Someone else's (or an old) ID token does not log this browser out without a question, and the
    /// session it names is not ended from here.
    @Test func logoutWithAForeignHintAsks() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            try await oidc.official("cb.khac")
            let (id, secret) = try await oidc.confidentialClient()
            let (code, _) = try await oidc.signIn(clientID: id, username: "cb.khac")
            let attackerIDToken = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json?["id_token"]?.stringValue)
            let (_, victimSession) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let response = try await oidc.get("/sso/logout?id_token_hint=\(attackerIDToken)", cookies: [oidc.sessionCookie: victimSession])
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("Bạn có muốn đăng xuất"))
            let still = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, extra: [("prompt", "none")]), cookies: [oidc.sessionCookie: victimSession])
            #expect(OIDCHarness.redirectParameters(still)["code"] != nil, "the victim is still signed in")
        }
    }

    @Test func aCookieSentTwiceCountsAsNone() async throws {
        try await TestPlatform.withOIDC { oidc in
            try await oidc.official()
            let (id, _) = try await oidc.confidentialClient()
            let (_, session) = try await oidc.signIn(clientID: id, username: "cb.lan")
            var headers = HTTPFields()
            headers[.cookie] = "\(oidc.sessionCookie)=planted; \(oidc.sessionCookie)=\(session)"
            let response = try await oidc.client.execute(
                uri: OIDCHarness.authorizeQuery(clientID: id, extra: [("prompt", "none")]), method: .get, headers: headers
            )
            #expect(OIDCHarness.redirectParameters(response)["error"] == "login_required")
            // Outside development the names carry __Host-, which browsers accept only from this host over HTTPS.
            #expect(oidc.sessionCookie == "__Host-lgsp_sso")
            let page = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id))
            let setCookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("__Host-lgsp_csrf=") })
            #expect(setCookie.contains("Secure") && setCookie.contains("Path=/;") && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
        }
    }

    @Test func changingOnesOwnPasswordCountsWrongGuessesAndEndsOtherSessions() async throws {
        try await TestPlatform.withOIDC(configure: { $0.sso.loginMaxFailures = 2 }) { oidc in
            try await oidc.official()
            let (id, secret) = try await oidc.confidentialClient()
            let (code1, otherSession) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let thiefRefresh = try #require(try await oidc.exchange(code1, clientID: id, secret: secret).json?["refresh_token"]?.stringValue)
            let (code2, _) = try await oidc.signIn(clientID: id, username: "cb.lan")
            let access = try #require(try await oidc.exchange(code2, clientID: id, secret: secret).json?["access_token"]?.stringValue)
            func change(_ current: String, _ new: String) async throws -> TestResponse {
                try await oidc.client.execute(
                    uri: "/api/v1/sso/me/password", method: .put, headers: [.authorization: "Bearer \(access)", .contentType: "application/json"],
                    body: ByteBuffer(bytes: try JSONValue.object(["currentPassword": .string(current), "newPassword": .string(new)]).encoded())
                )
            }
            #expect(try await change("Doan-sai-1!", "Moi@Daklak2026x").status == .unprocessableContent)
            let locked = try await change("Doan-sai-2!", "Moi@Daklak2026x")
            #expect(locked.status == .tooManyRequests)
            #expect(try await change(OIDCHarness.password, "Moi@Daklak2026x").status == .tooManyRequests, "locked: not even checked")
            // Unlock and change: the other session and its refresh tokens end; the current one stays.
            try await oidc.platform.database.sql.raw("DELETE FROM sso_login_failures").run()
            #expect(try await change(OIDCHarness.password, "Moi@Daklak2026x").status == .noContent)
            #expect(try await oidc.introspect(thiefRefresh, clientID: id, secret: secret)?["active"] == false)
            let other = try await oidc.get(OIDCHarness.authorizeQuery(clientID: id, extra: [("prompt", "none")]), cookies: [oidc.sessionCookie: otherSession])
            #expect(OIDCHarness.redirectParameters(other)["error"] == "login_required")
            #expect(try await oidc.get("/sso/userinfo", bearer: access).status == .ok)
        }
    }
}
