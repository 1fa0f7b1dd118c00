import ArgumentParser
import Core
import SSO

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Khóa ký token của SSO.",
        subcommands: [Rotate.self, List.self]
    )

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tạo khóa ký mới; khóa cũ vẫn được công bố (JWKS) đến khi mọi token nó đã ký hết hạn.",
            discussion: "Các tiến trình lgsp đang chạy dùng khóa mới trong vòng 30 giây."
        )
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try await platform.sso.keys.load()
                let key = try await platform.sso.keys.rotate()
                try await platform.services.audit.record(AuditEvent(action: "sso.key.rotated", outcome: .success, subject: "cli", objectType: "signing_key", objectID: key.kid))
                try printJSON(key)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liệt kê các khóa ký (không có phần bí mật).")
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try printJSON(try await platform.sso.keys.list())
            }
        }
    }
}
