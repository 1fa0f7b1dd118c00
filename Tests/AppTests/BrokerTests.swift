import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LGSPTesting
import NationalSim
import NIOCore
import Testing

@testable import App
@testable import SSO

/// R-11.4, R-7.1a-auth: sign-in through the national identity platform (VDXP/VNeID), here its stand-in
/// on a real socket; our SSO driven through its router.
@Suite struct BrokerTests {
    /// A browser does not follow the stand-in's redirect to our callback: the test does, through the router.
    static let browserClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    static let citizens = [
        SimulatedCitizen(personalId: "066085000123", fullName: "Trần Văn An", birthDate: "1985-03-02", sex: "male"),
        SimulatedCitizen(personalId: "054301001234", fullName: "H’ Linh Niê", birthDate: "2001-07-09", sex: "female"),
    ]

    /// A running stand-in and a platform brokering it.
    struct World: Sendable {
        let oidc: OIDCHarness
        let vdxp: VDXPSimulator
        let simURL: String
    }

    /// The default outbound timeout is generous: tests that are about timeouts set a short one themselves,
    /// the others must not fail because the machine is busy.
    static func withWorld(timeoutSeconds: Int = 10, _ body: @escaping @Sendable (World) async throws -> Void) async throws {
        let vdxp = VDXPSimulator(
            baseURL: "", citizens: citizens,
            clients: [
                .init(id: "lgsp", secret: "s3cret", redirectURIs: ["http://lgsp.test/sso/broker/vneid/callback"], profile: .oidc),
                .init(id: "lgsp-ui", secret: "s3cret", redirectURIs: ["http://lgsp.test/sso/broker/vneid-ui/callback"], profile: .userinfo),
            ],
            logger: TestDatabase.logger
        )
        let sim = try await NationalSimServer.start(vdxp, logger: TestDatabase.logger)
        let issuer = sim.url + VDXPSimulator.basePath
        let providers = """
            [{"id":"vneid","name":"VNeID","issuer":"\(issuer)","clientId":"lgsp","clientSecret":"s3cret","scopes":["openid","profile"],"profile":"oidc","timeoutSeconds":\(timeoutSeconds)},
             {"id":"vneid-ui","name":"VNeID (userinfo)","issuer":"\(issuer)","clientId":"lgsp-ui","clientSecret":"s3cret","scopes":["openid"],"profile":"userinfo","timeoutSeconds":\(timeoutSeconds)}]
            """
        do {
            try await TestPlatform.withOIDC(configure: { $0.identityProviders = providers }) { oidc in
                try await body(World(oidc: oidc, vdxp: vdxp, simURL: sim.url))
            }
            await sim.stop()
        } catch {
            await sim.stop()
            throw error
        }
    }

    /// What a browser does from our login page through the stand-in and back; returns our callback's answer.
    static func federatedSignIn(_ world: World, clientID: String, provider: String = "vneid", citizen: String = "066085000123",
                                tamper: (@Sendable (String) -> String)? = nil) async throws -> (callback: TestResponse, callbackURL: String, browser: String) {
        let oidc = world.oidc
        let page = try await oidc.get(OIDCHarness.authorizeQuery(clientID: clientID, scope: "openid profile personal_id"))
        #expect(String(buffer: page.body).contains("Đăng nhập bằng VNeID"))
        let form = try oidc.loginForm(page)
        let start = try await oidc.post("/sso/broker/\(provider)/start", [("request_id", form.requestID), ("csrf_token", form.csrf)],
                                        headers: [.cookie: "\(oidc.csrfCookie)=\(form.csrfCookie)"])
        #expect(start.status == .seeOther, "\(String(buffer: start.body).prefix(300))")
        let providerURL = try #require(start.headers[.location])
        #expect(providerURL.hasPrefix(world.simURL))
        let browserCookieName = oidc.platform.sso.provider.cookies.name(BrokerController.browserCookie)
        let browser = try #require(OIDCHarness.cookie(browserCookieName, in: start))

        // At the stand-in: its login page, pick the citizen.
        let simPage = try await Self.browserClient.execute(HTTPClientRequest(url: providerURL), timeout: .seconds(5))
        let html = String(buffer: try await simPage.body.collect(upTo: 1 << 20))
        let txn = try #require(html.range(of: "name=\"txn\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
        var login = HTTPClientRequest(url: world.simURL + VDXPSimulator.basePath + "/login")
        login.method = .POST
        login.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        login.body = .bytes(ByteBuffer(string: "txn=\(txn)&personal_id=\(citizen)"))
        let back = try await Self.browserClient.execute(login, timeout: .seconds(5))
        #expect(back.status == .found)
        var callbackURL = try #require(back.headers.first(name: "Location"))
        if let tamper { callbackURL = tamper(callbackURL) }
        let components = try #require(URLComponents(string: callbackURL))
        let path = components.percentEncodedPath + "?" + (components.percentEncodedQuery ?? "")
        let callback = try await oidc.client.execute(uri: path, method: .get, headers: [.cookie: "\(browserCookieName)=\(browser)"])
        return (callback, path, browser)
    }

    static func counts(_ world: World, personalID: String = "066085000123") async throws -> (accounts: Int, sessions: Int) {
        let database = world.oidc.platform.database
        let accounts = try await database.sql.raw("SELECT COUNT(*) AS n FROM sso_users WHERE personal_id = \(bind: personalID)").first()!.decode(column: "n", as: Int.self)
        let sessions = try await database.sql.raw("SELECT COUNT(*) AS n FROM sso_sessions").first()!.decode(column: "n", as: Int.self)
        return (accounts, sessions)
    }

    @Test func aCitizenSignsInThroughVNeIDAndKeepsTheSameSubject() async throws {
        try await Self.withWorld { world in
            let oidc = world.oidc
            let (id, secret) = try await oidc.confidentialClient()
            var subjects: [String] = []
            for _ in 0..<2 {
                let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
                #expect(callback.status == .seeOther, "\(String(buffer: callback.body).prefix(400))")
                let code = try #require(OIDCHarness.redirectParameters(callback)["code"])
                let tokens = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
                let (claims, _) = try await oidc.platform.sso.keys.verify(try #require(tokens["id_token"]?.stringValue), as: IDTokenClaims.self)
                #expect(claims.personal_id == "066085000123")
                #expect(claims.name == "Trần Văn An")
                #expect(claims.idp == "vneid")
                #expect(claims.amr == ["fed"])
                subjects.append(claims.sub)
            }
            #expect(subjects[0] == subjects[1])
            #expect(try await Self.counts(world).accounts == 1)
            let entries = try await oidc.platform.services.audit.entries().map(\.event.action)
            #expect(entries.contains("sso.broker.account_created"))
        }
    }

    @Test func theUserinfoProfileWorksToo() async throws {
        try await Self.withWorld { world in
            let (id, secret) = try await world.oidc.confidentialClient()
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id, provider: "vneid-ui", citizen: "054301001234")
            #expect(callback.status == .seeOther, "\(String(buffer: callback.body).prefix(400))")
            let code = try #require(OIDCHarness.redirectParameters(callback)["code"])
            let tokens = try #require(try await world.oidc.exchange(code, clientID: id, secret: secret).json)
            let (claims, _) = try await world.oidc.platform.sso.keys.verify(try #require(tokens["id_token"]?.stringValue), as: IDTokenClaims.self)
            #expect(claims.personal_id == "054301001234")
            #expect(claims.name == "H’ Linh Niê")
            #expect(claims.idp == "vneid-ui")
        }
    }

    @Test func anExistingLocalAccountIsLinkedNotDuplicated() async throws {
        try await Self.withWorld { world in
            let local = try await world.oidc.citizen("066085000123")
            let (id, secret) = try await world.oidc.confidentialClient()
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
            let code = try #require(OIDCHarness.redirectParameters(callback)["code"])
            let tokens = try #require(try await world.oidc.exchange(code, clientID: id, secret: secret).json)
            let (claims, _) = try await world.oidc.platform.sso.keys.verify(try #require(tokens["id_token"]?.stringValue), as: IDTokenClaims.self)
            #expect(claims.sub == local.id)
            #expect(try await Self.counts(world).accounts == 1)
            #expect(try await world.oidc.platform.services.audit.entries().contains { $0.event.action == "sso.broker.account_linked" })
        }
    }

    @Test func aFederatedAccountHasNoPassword() async throws {
        try await Self.withWorld { world in
            let (id, _) = try await world.oidc.confidentialClient()
            _ = try await Self.federatedSignIn(world, clientID: id)
            let form = try world.oidc.loginForm(try await world.oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let page = try await world.oidc.submitLogin(form, username: "066085000123", password: BrokerStore.noPassword)
            #expect(String(buffer: page.body).contains("Tên đăng nhập hoặc mật khẩu không đúng."))
        }
    }

    // MARK: Failures (point 3): each rejected, audited, nothing created.

    static func expectRejected(_ world: World, _ callback: TestResponse, status: HTTPResponse.Status, before: (accounts: Int, sessions: Int)) async throws {
        #expect(callback.status == status, "\(String(buffer: callback.body).prefix(300))")
        #expect(callback.headers[.contentType]?.hasPrefix("text/html") == true)
        let after = try await counts(world)
        #expect(after.accounts == before.accounts, "no account created")
        #expect(after.sessions == before.sessions, "no session created")
    }

    @Test(arguments: ["wrongSignature", "wrongAudience", "expiredTokens", "wrongNonce", "wrongIssuer"])
    func untrustworthyIDTokensAreRejected(fault: String) async throws {
        try await Self.withWorld { world in
            let (id, _) = try await world.oidc.confidentialClient()
            var faults = SimulatorFaults()
            switch fault {
            case "wrongSignature": faults.wrongSignature = true
            case "wrongAudience": faults.wrongAudience = true
            case "expiredTokens": faults.expiredTokens = true
            case "wrongNonce": faults.wrongNonce = true
            default: faults.wrongIssuer = true
            }
            world.vdxp.faults = faults
            let before = try await Self.counts(world)
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
            try await Self.expectRejected(world, callback, status: .badRequest, before: before)
            #expect(String(buffer: callback.body).contains("Thử lại"))
            #expect(try await world.oidc.platform.services.audit.entries().contains { $0.event.action == "sso.broker.rejected" })
        }
    }

    @Test func aSlowProviderTimesOutWithARetryLink() async throws {
        try await Self.withWorld(timeoutSeconds: 1) { world in
            let (id, _) = try await world.oidc.confidentialClient()
            var faults = SimulatorFaults()
            faults.delayMilliseconds = 8000
            world.vdxp.faults = faults
            let page = try await world.oidc.get(OIDCHarness.authorizeQuery(clientID: id))
            let form = try world.oidc.loginForm(page)
            let before = try await Self.counts(world)
            let started = ContinuousClock.now
            let start = try await world.oidc.post("/sso/broker/vneid/start", [("request_id", form.requestID), ("csrf_token", form.csrf)],
                                                  headers: [.cookie: "\(world.oidc.csrfCookie)=\(form.csrfCookie)"])
            // Cut at the 1 s timeout, well before the provider's 8 s answer (slack for a busy machine).
            #expect(ContinuousClock.now - started < .milliseconds(6500))
            try await Self.expectRejected(world, start, status: .serviceUnavailable, before: before)
            let body = String(buffer: start.body)
            #expect(body.contains("tạm thời không phản hồi") && body.contains("/sso/login?request_id="))
            #expect(try await world.oidc.platform.services.audit.entries().contains { $0.event.action == "sso.broker.unavailable" })
            // The retry link shows the login page again, with a fresh form — to the browser that asked only.
            let retry = try await world.oidc.get("/sso/login?request_id=\(form.requestID)", cookies: [world.oidc.csrfCookie: form.csrfCookie])
            #expect(retry.status == .ok)
            #expect(try world.oidc.loginForm(retry).csrf != form.csrf)
            let elsewhere = try await world.oidc.get("/sso/login?request_id=\(form.requestID)")
            #expect(elsewhere.status == .badRequest)
        }
    }

    @Test func aProviderErrorAtTheTokenEndpointIsUnavailable() async throws {
        try await Self.withWorld { world in
            let (id, _) = try await world.oidc.confidentialClient()
            var faults = SimulatorFaults()
            faults.failToken = true
            world.vdxp.faults = faults
            let before = try await Self.counts(world)
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
            try await Self.expectRejected(world, callback, status: .serviceUnavailable, before: before)
        }
    }

    @Test func aDownProviderIsUnavailable() async throws {
        // Port 1 on loopback: nothing listens there.
        let providers = #"[{"id":"vneid","name":"VNeID","issuer":"http://127.0.0.1:1/vdxp","clientId":"lgsp","clientSecret":"s","scopes":["openid"],"profile":"oidc","timeoutSeconds":1}]"#
        try await TestPlatform.withOIDC(configure: { $0.identityProviders = providers }) { oidc in
            let (id, _) = try await oidc.confidentialClient()
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let users = try await oidc.platform.database.sql.raw("SELECT COUNT(*) AS n FROM sso_users").first()!.decode(column: "n", as: Int.self)
            let start = try await oidc.post("/sso/broker/vneid/start", [("request_id", form.requestID), ("csrf_token", form.csrf)],
                                            headers: [.cookie: "\(oidc.csrfCookie)=\(form.csrfCookie)"])
            #expect(start.status == .serviceUnavailable)
            #expect(String(buffer: start.body).contains("Thử lại"))
            #expect(try await oidc.platform.database.sql.raw("SELECT COUNT(*) AS n FROM sso_users").first()!.decode(column: "n", as: Int.self) == users)
            #expect(try await oidc.platform.database.sql.raw("SELECT COUNT(*) AS n FROM sso_sessions").first()!.decode(column: "n", as: Int.self) == 0)
            #expect(try await oidc.platform.services.audit.entries().contains { $0.event.action == "sso.broker.unavailable" })
        }
    }

    @Test func aReplayedCallbackIsRejected() async throws {
        try await Self.withWorld { world in
            let (id, _) = try await world.oidc.confidentialClient()
            let (first, path, browser) = try await Self.federatedSignIn(world, clientID: id)
            #expect(first.status == .seeOther)
            let before = try await Self.counts(world)
            let cookie = world.oidc.platform.sso.provider.cookies.name(BrokerController.browserCookie)
            let replay = try await world.oidc.client.execute(uri: path, method: .get, headers: [.cookie: "\(cookie)=\(browser)"])
            try await Self.expectRejected(world, replay, status: .badRequest, before: before)
            #expect(try await world.oidc.platform.services.audit.entries().contains { $0.event.details["reason"]?.contains("replay") == true })
        }
    }

    @Test func aForgedOrForeignStateIsRejected() async throws {
        try await Self.withWorld { world in
            let (id, _) = try await world.oidc.confidentialClient()
            let before = try await Self.counts(world)
            let (forged, _, _) = try await Self.federatedSignIn(world, clientID: id) { url in
                url.replacingOccurrences(of: "state=", with: "state=forged")
            }
            try await Self.expectRejected(world, forged, status: .badRequest, before: before)
        }
    }

    @Test func aCallbackInAnotherBrowserIsRejected() async throws {
        try await Self.withWorld { world in
            let (id, _) = try await world.oidc.confidentialClient()
            let oidc = world.oidc
            let form = try oidc.loginForm(try await oidc.get(OIDCHarness.authorizeQuery(clientID: id)))
            let start = try await oidc.post("/sso/broker/vneid/start", [("request_id", form.requestID), ("csrf_token", form.csrf)],
                                            headers: [.cookie: "\(oidc.csrfCookie)=\(form.csrfCookie)"])
            let providerURL = try #require(start.headers[.location])
            let html = String(buffer: try await Self.browserClient.execute(HTTPClientRequest(url: providerURL), timeout: .seconds(5)).body.collect(upTo: 1 << 20))
            let txn = try #require(html.range(of: "name=\"txn\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            var login = HTTPClientRequest(url: world.simURL + VDXPSimulator.basePath + "/login")
            login.method = .POST
            login.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            login.body = .bytes(ByteBuffer(string: "txn=\(txn)&personal_id=066085000123"))
            let back = try await Self.browserClient.execute(login, timeout: .seconds(5))
            let locationText = try #require(back.headers.first(name: "Location"))
            let location = try #require(URLComponents(string: locationText))
            let before = try await Self.counts(world)
            let victim = try await oidc.client.execute(uri: location.percentEncodedPath + "?" + (location.percentEncodedQuery ?? ""), method: .get)
            try await Self.expectRejected(world, victim, status: .badRequest, before: before)
        }
    }

    @Test func aRotatedProviderKeyIsFetchedOnce() async throws {
        try await Self.withWorld { world in
            let (id, _) = try await world.oidc.confidentialClient()
            let (first, _, _) = try await Self.federatedSignIn(world, clientID: id)
            #expect(first.status == .seeOther)
            let fetches = world.vdxp.jwksRequests
            let (again, _, _) = try await Self.federatedSignIn(world, clientID: id)
            #expect(again.status == .seeOther)
            #expect(world.vdxp.jwksRequests == fetches, "keys are cached")
            try await Task.sleep(for: .milliseconds(10_100))
            world.vdxp.rotateKeys()
            let (second, _, _) = try await Self.federatedSignIn(world, clientID: id)
            #expect(second.status == .seeOther, "the new key was fetched on its unknown kid")
            #expect(world.vdxp.jwksRequests == fetches + 1, "fetched once")
        }
    }

    /// Point 4: the citizen logs out (or is disabled) at the national platform: our sessions end and
    /// tokens issued in them fail introspection.
    @Test func backChannelLogoutEndsOurSessions() async throws {
        try await Self.withWorld { world in
            let oidc = world.oidc
            let (id, secret) = try await oidc.confidentialClient()
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
            let code = try #require(OIDCHarness.redirectParameters(callback)["code"])
            let tokens = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json)
            let access = try #require(tokens["access_token"]?.stringValue)
            #expect(try await oidc.introspect(access, clientID: id, secret: secret)?["active"] == true)

            // The stand-in's logout token, delivered as the provider would (here through the router).
            let token = try await world.vdxp.logoutToken(personalID: "066085000123", audience: "lgsp")
            let response = try await oidc.post("/sso/broker/vneid/backchannel-logout", [("logout_token", token)])
            #expect(response.status == .ok)
            #expect(try await oidc.introspect(access, clientID: id, secret: secret)?["active"] == false)
            #expect(try await oidc.introspect(try #require(tokens["refresh_token"]?.stringValue), clientID: id, secret: secret)?["active"] == false)

            let replayed = try await oidc.post("/sso/broker/vneid/backchannel-logout", [("logout_token", token)])
            #expect(replayed.status == .badRequest, "a logout token is used once")
            let forged = try await world.vdxp.logoutToken(personalID: "066085000123", audience: "lgsp", forge: true)
            #expect(try await oidc.post("/sso/broker/vneid/backchannel-logout", [("logout_token", forged)]).status == .badRequest)
            let wrongAudience = try await world.vdxp.logoutToken(personalID: "066085000123", audience: "someone-else")
            #expect(try await oidc.post("/sso/broker/vneid/backchannel-logout", [("logout_token", wrongAudience)]).status == .badRequest)
            let fetches = world.vdxp.jwksRequests
            let strangeKid = try await world.vdxp.logoutToken(personalID: "066085000123", audience: "nobody-here")
            _ = try await oidc.post("/sso/broker/vneid/backchannel-logout", [("logout_token", strangeKid)])
            #expect(world.vdxp.jwksRequests == fetches, "tokens not meant for us make the server fetch nothing")
        }
    }

    /// A provider speaks for its own sign-ins: its logout ends the sessions it started, not a password session.
    @Test func backChannelLogoutEndsOnlyTheProvidersSessions() async throws {
        try await Self.withWorld { world in
            let oidc = world.oidc
            let (id, secret) = try await oidc.confidentialClient()
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
            #expect(callback.status == .seeOther)
            // The same citizen also has a password now and signs in with it.
            let account = try #require(try await oidc.platform.sso.accounts.list(kind: .citizen, query: nil, after: nil, limit: 10).first)
            try await oidc.platform.sso.accounts.setPassword(account.id, password: "Mat-khau-Moi1!", currentPassword: nil, by: .commandLine)
            let (code, _) = try await oidc.signIn(clientID: id, username: "066085000123", password: "Mat-khau-Moi1!")
            let access = try #require(try await oidc.exchange(code, clientID: id, secret: secret).json?["access_token"]?.stringValue)
            let token = try await world.vdxp.logoutToken(personalID: "066085000123", audience: "lgsp")
            #expect(try await oidc.post("/sso/broker/vneid/backchannel-logout", [("logout_token", token)]).status == .ok)
            #expect(try await oidc.introspect(access, clientID: id, secret: secret)?["active"] == true)
        }
    }

    @Test func officialsAndSecondFactorAccountsAreNeverLinkedAutomatically() async throws {
        try await Self.withWorld { world in
            let oidc = world.oidc
            let citizen = try await oidc.citizen("066085000123")
            _ = try await oidc.platform.sso.accounts.enrollTOTP(citizen.id, by: .commandLine)
            let (id, _) = try await oidc.confidentialClient()
            let before = try await Self.counts(world)
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
            try await Self.expectRejected(world, callback, status: .forbidden, before: before)
            let links = try await oidc.platform.database.sql.raw("SELECT COUNT(*) AS n FROM sso_identity_links").first()!.decode(column: "n", as: Int.self)
            #expect(links == 0)
        }
    }

    @Test func aProviderNotTrustedToLinkGetsNoExistingAccount() async throws {
        let vdxp = VDXPSimulator(baseURL: "", citizens: Self.citizens, clients: [
            .init(id: "sandbox", secret: "s", redirectURIs: ["http://lgsp.test/sso/broker/sandbox/callback"], profile: .oidc),
        ], logger: TestDatabase.logger)
        let sim = try await NationalSimServer.start(vdxp, logger: TestDatabase.logger)
        defer { Task { await sim.stop() } }
        let providers = #"[{"id":"sandbox","name":"VNeID","issuer":"\#(sim.url)/vdxp","clientId":"sandbox","clientSecret":"s","scopes":["openid"],"profile":"oidc","linkExistingAccounts":false}]"#
        try await TestPlatform.withOIDC(configure: { $0.identityProviders = providers }) { oidc in
            _ = try await oidc.citizen("066085000123")
            let (id, _) = try await oidc.confidentialClient()
            let world = World(oidc: oidc, vdxp: vdxp, simURL: sim.url)
            let before = try await Self.counts(world)
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id, provider: "sandbox")
            try await Self.expectRejected(world, callback, status: .forbidden, before: before)
        }
        await sim.stop()
    }

    @Test func aSlowBodyCountsAgainstTheDeadline() async throws {
        try await Self.withWorld(timeoutSeconds: 1) { world in
            let (id, _) = try await world.oidc.confidentialClient()
            var faults = SimulatorFaults()
            faults.slowBodyMilliseconds = 9000
            world.vdxp.faults = faults
            let before = try await Self.counts(world)
            let started = ContinuousClock.now
            let (callback, _, _) = try await Self.federatedSignIn(world, clientID: id)
            // The whole sign-in (four round trips) ends at the 1 s token deadline, long before the 9 s body would.
            #expect(ContinuousClock.now - started < .milliseconds(7500))
            try await Self.expectRejected(world, callback, status: .serviceUnavailable, before: before)
        }
    }

    @Test func providersAreConfigurationOnly() throws {
        let providers = try IdentityProviderConfig.load(
            #"[{"id":"vneid","name":"VNeID","issuer":"https://vdxp.example.gov.vn","clientId":"lgsp-daklak","clientSecretEnv":"VNEID_SECRET","scopes":["openid"],"profile":"oidc"}]"#,
            environment: ["VNEID_SECRET": "from-the-environment"]
        )
        #expect(providers[0].discovery == "https://vdxp.example.gov.vn/.well-known/openid-configuration")
        #expect(providers[0].secret(environment: ["VNEID_SECRET": "x"]) == "x")
        #expect(throws: ConfigurationError.self) {
            try IdentityProviderConfig.load(#"[{"id":"vneid","name":"V","issuer":"https://x","clientId":"c","clientSecretEnv":"MISSING","scopes":[],"profile":"oidc"}]"#, environment: [:])
        }
        #expect(throws: ConfigurationError.self) { try IdentityProviderConfig.load("/no/such/file.json") }
        let file = try IdentityProviderConfig.load(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("seed-data/national-sim/identity-providers.dev.json").path
        )
        #expect(file.map(\.id) == ["vneid", "vneid-userinfo"])
    }
}
