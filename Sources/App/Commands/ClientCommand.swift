import ArgumentParser
import Core
import Foundation
import SSO

struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Ứng dụng (client) dùng đăng nhập một lần hoặc gọi API.",
        subcommands: [Add.self, List.self, Disable.self, Secret.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Đăng ký client; in client dạng JSON, kèm client_secret (chỉ hiện lần này)."
        )
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "Mã client (a-z, 0-9, . _ -); để trống thì sinh ngẫu nhiên") var id: String?
        @Option(help: "Tên ứng dụng") var name: String
        @Option(help: "public hoặc confidential") var type: String
        @Option(help: "none | client_secret_basic | client_secret_post | private_key_jwt") var authMethod: String?
        @Option(name: .customLong("redirect-uri"), help: "Redirect URI (lặp lại được)") var redirectURIs: [String] = []
        @Option(name: .customLong("post-logout-redirect-uri"), help: "Địa chỉ quay về sau khi đăng xuất (lặp lại được)") var postLogoutRedirectURIs: [String] = []
        @Option(name: .customLong("grant"), help: "authorization_code | refresh_token | client_credentials (lặp lại được)") var grants: [String] = []
        @Option(name: .customLong("scope"), help: "Phạm vi được phép (lặp lại được)") var scopes: [String] = []
        @Option(help: "Mã định danh điện tử của cơ quan sở hữu") var agencyCode: String?
        @Option(help: "Tệp JWKS chứa khóa công khai (private_key_jwt)") var jwksFile: String?

        func run() async throws {
            guard let kind = Client.Kind(rawValue: type) else { throw ValidationError("--type phải là public hoặc confidential") }
            let method = try authMethod.map { text -> Client.AuthMethod in
                guard let method = Client.AuthMethod(rawValue: text) else { throw ValidationError("--auth-method không hợp lệ: \(text)") }
                return method
            }
            let grantTypes = try grants.map { text -> Client.GrantType in
                guard let grant = Client.GrantType(rawValue: text) else { throw ValidationError("--grant không hợp lệ: \(text)") }
                return grant
            }
            let jwks = try jwksFile.map { path -> JSONValue in
                try JSONDecoder().decode(JSONValue.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
            }
            try await withAdminPlatform(options) { platform in
                let created = try await platform.sso.clients.create(
                    .init(
                        clientId: id, name: name, type: kind, tokenEndpointAuthMethod: method,
                        redirectUris: redirectURIs.isEmpty ? nil : redirectURIs,
                        postLogoutRedirectUris: postLogoutRedirectURIs.isEmpty ? nil : postLogoutRedirectURIs,
                        grantTypes: grantTypes.isEmpty ? nil : grantTypes, scopes: scopes.isEmpty ? nil : scopes,
                        agencyCode: agencyCode, jwks: jwks
                    ),
                    by: .commandLine
                )
                try printJSON(created)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liệt kê client (JSON, không có secret).")
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "Số client tối đa") var limit: Int = 100

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try printJSON(try await platform.sso.clients.list(after: nil, limit: limit))
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vô hiệu hóa client.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Mã client") var id: String

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                var changes = ClientService.ClientChanges()
                changes.disabled = true
                try printJSON(try await platform.sso.clients.update(id, changes, by: .commandLine))
            }
        }
    }

    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cấp client_secret mới (secret cũ hết hiệu lực ngay); in secret một lần.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Mã client") var id: String

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try printJSON(try await platform.sso.clients.rotateSecret(id, by: .commandLine))
            }
        }
    }
}
