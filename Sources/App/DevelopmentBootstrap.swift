import Core
import Foundation
import SSO

/// First start in development: an administrator and a demo client, credentials printed once (only when
/// the database has no account yet).
struct DevelopmentBootstrap {
    let platform: Platform

    func run() async throws {
        let existing = try await platform.sso.accounts.list(kind: nil, query: nil, after: nil, limit: 1)
        guard existing.isEmpty else { return }
        let password = Self.generatedPassword()
        let admin = try await platform.sso.accounts.create(
            .init(
                kind: .official, username: "quantri", name: "Quản trị viên (môi trường phát triển)",
                roles: ["sso.admin", "lgsp.metrics", "catalogs.admin", "forms.admin"], password: password
            ),
            by: .commandLine
        )
        let issuer = platform.configuration.issuer
        let demo = try await platform.sso.clients.create(
            .init(
                clientId: "demo", name: "Ứng dụng thử nghiệm", type: .confidential, tokenEndpointAuthMethod: .clientSecretBasic,
                redirectUris: ["http://127.0.0.1:9000/callback", "http://localhost:9000/callback"],
                postLogoutRedirectUris: ["http://127.0.0.1:9000/"],
                grantTypes: [.authorizationCode, .refreshToken, .clientCredentials],
                scopes: [
                    "openid", "profile", "email", "roles", "agency", "offline_access", "sso.admin", "lgsp.metrics", "catalogs.read",
                    "catalogs.admin", "catalogs.subscribe", "forms.admin", "forms.submit", "forms.review",
                ]
            ),
            by: .commandLine
        )
        let lines = [
            "",
            "=== Môi trường phát triển: tài khoản và ứng dụng mẫu (chỉ hiện lần này) ===",
            "Quản trị viên: tên đăng nhập \(admin.username), mật khẩu \(password)",
            "Ứng dụng mẫu: client_id demo, client_secret \(demo.clientSecret ?? "")",
            "Khám phá OpenID Connect: \(issuer)/.well-known/openid-configuration",
            "Token quản trị: curl -u demo:<secret> -d grant_type=client_credentials -d scope=sso.admin \(issuer)/sso/token",
            "",
        ]
        FileHandle.standardOutput.write(Data(lines.joined(separator: "\n").utf8))
    }

    /// 20 characters meeting the password policy.
    static func generatedPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let lower = Array("abcdefghijkmnpqrstuvwxyz"), upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ"), digits = Array("23456789"), special = Array("!@#$%*-_+")
        var characters = [lower.randomElement(using: &generator)!, upper.randomElement(using: &generator)!,
                          digits.randomElement(using: &generator)!, special.randomElement(using: &generator)!]
        let all = lower + upper + digits + special
        while characters.count < 20 { characters.append(all.randomElement(using: &generator)!) }
        characters.shuffle(using: &generator)
        return String(characters)
    }
}
