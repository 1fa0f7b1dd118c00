import Foundation
import Logging

/// Every setting of an `lgsp` process.
///
/// Each setting is a flag of `lgsp serve` and an `LGSP_*` environment variable; a flag wins over the
/// environment, the environment over the default. Operators script against these names: keep them stable.
public struct Configuration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    /// Empty: SQLite at `<data-dir>/lgsp.sqlite`. Otherwise a `postgres://` URL.
    public var databaseURL: String
    public var environment: DeploymentEnvironment
    public var logLevel: Logger.Level
    /// Largest request body accepted by routes that do not declare their own limit.
    public var maxBodySize: ByteSize
    /// Base64 of 32 bytes; empty outside production means "keep one in the data folder".
    public var masterKey: String
    /// How long a request waits for a database connection before it is answered 503.
    public var databaseTimeout: DurationValue

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        dataDirectory: String = "./data",
        databaseURL: String = "",
        environment: DeploymentEnvironment = .development,
        logLevel: Logger.Level = .info,
        maxBodySize: ByteSize = ByteSize(bytes: 10 << 20),
        masterKey: String = "",
        databaseTimeout: DurationValue = DurationValue(.seconds(5))
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.environment = environment
        self.logLevel = logLevel
        self.maxBodySize = maxBodySize
        self.masterKey = masterKey
        self.databaseTimeout = databaseTimeout
    }

    /// The settings, with their flag and environment names, defaults and help (shown by `lgsp serve --help`).
    public enum Setting: String, CaseIterable, Sendable {
        case host, port, dataDir = "data-dir", databaseURL = "database-url", databaseTimeout = "database-timeout"
        case env, logLevel = "log-level"
        case maxBodySize = "max-body-size"
        case masterKey = "master-key"

        public var flag: String { "--\(rawValue)" }
        public var environmentVariable: String {
            "LGSP_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
        }

        public var defaultValue: String {
            let defaults = Configuration()
            switch self {
            case .host: return defaults.host
            case .port: return String(defaults.port)
            case .dataDir: return defaults.dataDirectory
            case .databaseURL: return ""
            case .databaseTimeout: return defaults.databaseTimeout.description
            case .env: return defaults.environment.rawValue
            case .logLevel: return defaults.logLevel.rawValue
            case .maxBodySize: return defaults.maxBodySize.description
            case .masterKey: return ""
            }
        }

        public var help: String {
            switch self {
            case .host: return "Địa chỉ lắng nghe (IP hoặc tên máy)"
            case .port: return "Cổng HTTP"
            case .dataDir: return "Thư mục dữ liệu (SQLite, tệp blob)"
            case .databaseURL: return "URL cơ sở dữ liệu postgres://…; để trống dùng SQLite trong thư mục dữ liệu"
            case .databaseTimeout: return "Thời gian tối đa chờ kết nối cơ sở dữ liệu trước khi trả 503, ví dụ 5s"
            case .env: return "Môi trường: development | test | production"
            case .logLevel: return "Mức ghi nhật ký: trace | debug | info | notice | warning | error | critical"
            case .maxBodySize: return "Kích thước tối đa của nội dung yêu cầu, ví dụ 10MiB"
            case .masterKey:
                return "Khóa chính 32 byte dạng base64 (bắt buộc ở production); để trống khi phát triển: lưu trong <data-dir>/master.key"
            }
        }
    }

    /// Resolves the configuration from flags given on the command line and the process environment.
    /// - Parameters:
    ///   - flags: values given as flags (absent keys were not given)
    ///   - environment: the process environment
    public static func resolve(
        flags: [Setting: String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> Configuration {
        func value(_ setting: Setting) -> String {
            flags[setting] ?? environment[setting.environmentVariable] ?? setting.defaultValue
        }
        var configuration = Configuration()
        configuration.host = value(.host)
        guard !configuration.host.isEmpty else {
            throw ConfigurationError(setting: .host, value: "", reason: "không được để trống")
        }
        guard let port = Int(value(.port)), (0...65535).contains(port) else {
            throw ConfigurationError(setting: .port, value: value(.port), reason: "phải là số từ 0 đến 65535")
        }
        configuration.port = port
        configuration.dataDirectory = value(.dataDir)
        guard !configuration.dataDirectory.isEmpty else {
            throw ConfigurationError(setting: .dataDir, value: "", reason: "không được để trống")
        }
        configuration.databaseURL = value(.databaseURL)
        if !configuration.databaseURL.isEmpty {
            guard DatabaseLocation(url: configuration.databaseURL) != nil else {
                throw ConfigurationError(
                    setting: .databaseURL, value: "(ẩn)",
                    reason: "phải là URL dạng postgres://người-dùng:mật-khẩu@máy:cổng/tên-csdl"
                )
            }
        }
        guard let timeout = DurationValue(parsing: value(.databaseTimeout)), timeout.duration > .zero else {
            throw ConfigurationError(setting: .databaseTimeout, value: value(.databaseTimeout), reason: "phải là khoảng thời gian dương, ví dụ 5s hoặc 500ms")
        }
        configuration.databaseTimeout = timeout
        guard let environmentValue = DeploymentEnvironment(rawValue: value(.env).lowercased()) else {
            throw ConfigurationError(setting: .env, value: value(.env), reason: "phải là development, test hoặc production")
        }
        configuration.environment = environmentValue
        guard let level = Logger.Level(rawValue: value(.logLevel).lowercased()) else {
            throw ConfigurationError(setting: .logLevel, value: value(.logLevel), reason: "mức ghi nhật ký không hợp lệ")
        }
        configuration.logLevel = level
        guard let size = ByteSize(parsing: value(.maxBodySize)), size.bytes > 0 else {
            throw ConfigurationError(
                setting: .maxBodySize, value: value(.maxBodySize), reason: "phải là số byte dương, ví dụ 10MiB"
            )
        }
        configuration.maxBodySize = size
        configuration.masterKey = value(.masterKey)
        if !configuration.masterKey.isEmpty, MasterKey(base64: configuration.masterKey) == nil {
            throw ConfigurationError(setting: .masterKey, value: "(ẩn)", reason: "phải là 32 byte mã hóa base64 (openssl rand -base64 32)")
        }
        return configuration
    }

    /// Where the database lives, derived from `databaseURL` and `dataDirectory`.
    public var databaseLocation: DatabaseLocation {
        if databaseURL.isEmpty {
            return .sqlite(path: (dataDirectory as NSString).appendingPathComponent("lgsp.sqlite"))
        }
        // Validated in `resolve`.
        return DatabaseLocation(url: databaseURL) ?? .sqlite(path: databaseURL)
    }

    /// Where blobs live.
    public var blobDirectory: String {
        (dataDirectory as NSString).appendingPathComponent("blobs")
    }
}

/// A setting with a value that cannot be used; the message names the setting in both spellings.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let setting: Configuration.Setting
    public let value: String
    public let reason: String

    public var description: String {
        "Cấu hình \(setting.flag) / \(setting.environmentVariable) = \"\(value)\" không hợp lệ: \(reason)."
    }
}
