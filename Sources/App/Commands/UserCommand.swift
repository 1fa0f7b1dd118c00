import ArgumentParser
import Core
import Foundation
import SSO

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Tài khoản đăng nhập một lần: công dân, doanh nghiệp và cán bộ.",
        subcommands: [Add.self, List.self, Disable.self, Enable.self, Password.self, TOTP.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tạo tài khoản; in tài khoản dạng JSON.",
            discussion: "Mật khẩu lấy từ --password, hoặc --password-stdin để không lộ trên dòng lệnh."
        )
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "citizen (công dân, doanh nghiệp) hoặc official (cán bộ)") var kind: String
        @Option(help: "Tên đăng nhập của cán bộ") var username: String?
        @Option(help: "Số định danh cá nhân (công dân)") var personalId: String?
        @Option(help: "Mã số thuế (doanh nghiệp)") var taxCode: String?
        @Option(help: "Họ tên hoặc tên tổ chức") var name: String
        @Option(help: "Thư điện tử") var email: String?
        @Option(help: "Mã định danh điện tử của cơ quan (cán bộ)") var agencyCode: String?
        @Option(name: .customLong("role"), help: "Vai trò (lặp lại được)") var roles: [String] = []
        @Option(help: "Mật khẩu") var password: String?
        @Flag(help: "Đọc mật khẩu từ dòng đầu của đầu vào chuẩn") var passwordStdin = false
        @Flag(help: "Bắt buộc xác thực hai lớp (TOTP)") var totpRequired = false

        func run() async throws {
            guard let accountKind = Account.Kind(rawValue: kind) else {
                throw ValidationError("--kind phải là citizen hoặc official")
            }
            let secret = try readPassword(password, fromStandardInput: passwordStdin)
            try await withAdminPlatform(options) { platform in
                let account = try await platform.sso.accounts.create(
                    .init(
                        kind: accountKind, username: username, personalId: personalId, taxCode: taxCode, name: name, email: email,
                        agencyCode: agencyCode, roles: roles, password: secret, totpRequired: totpRequired
                    ),
                    by: .commandLine
                )
                try printJSON(account)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liệt kê tài khoản (JSON).")
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "citizen hoặc official") var kind: String?
        @Option(help: "Tìm theo tên đăng nhập hoặc họ tên") var query: String?
        @Option(help: "Số tài khoản tối đa") var limit: Int = 100

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try printJSON(try await platform.sso.accounts.list(kind: kind.flatMap(Account.Kind.init(rawValue:)), query: query, after: nil, limit: limit))
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vô hiệu hóa tài khoản và kết thúc mọi phiên đăng nhập của nó.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Mã tài khoản") var id: String

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try printJSON(try await platform.sso.accounts.update(id, .init(disabled: true), by: .commandLine))
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Kích hoạt lại tài khoản.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Mã tài khoản") var id: String

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try printJSON(try await platform.sso.accounts.update(id, .init(disabled: false), by: .commandLine))
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Đặt lại mật khẩu (kết thúc mọi phiên đăng nhập của tài khoản).")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Mã tài khoản") var id: String
        @Option(help: "Mật khẩu mới") var password: String?
        @Flag(help: "Đọc mật khẩu từ dòng đầu của đầu vào chuẩn") var passwordStdin = false

        func run() async throws {
            let secret = try readPassword(password, fromStandardInput: passwordStdin)
            try await withAdminPlatform(options) { platform in
                try await platform.sso.accounts.setPassword(id, password: secret, currentPassword: nil, by: .commandLine)
                print("Đã đặt lại mật khẩu.")
            }
        }
    }

    struct TOTP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "totp",
            abstract: "Đăng ký xác thực hai lớp (TOTP) mới; in bí mật và địa chỉ otpauth:// cho ứng dụng xác thực."
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Mã tài khoản") var id: String

        struct Answer: Encodable {
            let secret: String
            let otpauthUri: String
        }

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                let (secret, uri) = try await platform.sso.accounts.enrollTOTP(id, by: .commandLine)
                try printJSON(Answer(secret: secret, otpauthUri: uri))
            }
        }
    }
}

/// The password from its flag or the first line of standard input.
func readPassword(_ flag: String?, fromStandardInput: Bool) throws -> String {
    if fromStandardInput {
        guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("Không đọc được mật khẩu từ đầu vào chuẩn.")
        }
        return line
    }
    guard let flag else { throw ValidationError("Cần --password hoặc --password-stdin.") }
    return flag
}
