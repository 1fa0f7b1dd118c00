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
    /// The URL clients reach the platform at; the OpenID Connect issuer. Empty: `http://<host>:<port>`.
    public var publicURL: String
    /// Single sign-on: password hashing, brute-force protection and token lifetimes.
    public var sso: SSOSettings
    /// External identity providers (VDXP/VNeID) the SSO brokers: a path to a JSON file, or the JSON itself.
    public var identityProviders: String
    /// Where seed data is read from on first start (catalogs, development fixtures).
    public var seedDirectory: String
    /// Shared catalogs: synchronization with the national data dictionary.
    public var catalogs: CatalogSettings
    /// Electronic identifier of the agency operating the platform (the Department of Science and
    /// Technology); it owns the seed forms. Empty: in development a placeholder that is no real agency,
    /// in production the seed forms are not loaded.
    public var operatorAgency: String
    /// Master keys in use before the current one (base64, comma-separated): data still wrapped under them
    /// stays readable until `lgsp docstore rewrap` re-wraps it under the current key.
    public var previousMasterKeys: String
    /// Document store: temporary uploads.
    public var docStore: DocStoreSettings
    /// Gateway: deadlines in working days.
    public var gateway: GatewaySettings
    /// How long each level-2 health check may take before its component is reported down. Not a flag:
    /// tests running hundreds of suites at once lengthen it.
    public var healthCheckTimeout: Duration = .seconds(2)

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        dataDirectory: String = "./data",
        databaseURL: String = "",
        environment: DeploymentEnvironment = .development,
        logLevel: Logger.Level = .info,
        maxBodySize: ByteSize = ByteSize(bytes: 10 << 20),
        masterKey: String = "",
        databaseTimeout: DurationValue = DurationValue(.seconds(5)),
        publicURL: String = "",
        sso: SSOSettings = SSOSettings(),
        identityProviders: String = "",
        seedDirectory: String = "seed-data",
        catalogs: CatalogSettings = CatalogSettings(),
        operatorAgency: String = "",
        previousMasterKeys: String = "",
        docStore: DocStoreSettings = DocStoreSettings(),
        gateway: GatewaySettings = GatewaySettings()
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
        self.publicURL = publicURL
        self.sso = sso
        self.identityProviders = identityProviders
        self.seedDirectory = seedDirectory
        self.catalogs = catalogs
        self.operatorAgency = operatorAgency
        self.previousMasterKeys = previousMasterKeys
        self.docStore = docStore
        self.gateway = gateway
    }

    /// The issuer and base of every absolute URL the platform hands out, without a trailing slash.
    public var issuer: String {
        if !publicURL.isEmpty { return publicURL }
        let visibleHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(visibleHost.contains(":") ? "[\(visibleHost)]" : visibleHost):\(port)"
    }

    /// The settings, with their flag and environment names, defaults and help (shown by `lgsp serve --help`).
    public enum Setting: String, CaseIterable, Sendable {
        case host, port, dataDir = "data-dir", databaseURL = "database-url", databaseTimeout = "database-timeout"
        case env, logLevel = "log-level"
        case maxBodySize = "max-body-size"
        case masterKey = "master-key"
        case publicURL = "public-url"
        case bcryptCost = "bcrypt-cost"
        case loginMaxFailures = "login-max-failures"
        case loginLockout = "login-lockout"
        case loginLockoutMax = "login-lockout-max"
        case loginRateLimit = "login-rate-limit"
        case accessTokenTTL = "access-token-ttl"
        case idTokenTTL = "id-token-ttl"
        case refreshTokenIdle = "refresh-token-idle"
        case refreshTokenMax = "refresh-token-max"
        case ssoSessionIdle = "sso-session-idle"
        case ssoSessionMax = "sso-session-max"
        case identityProviders = "identity-providers"
        case seedDir = "seed-dir"
        case catalogSyncURL = "catalog-sync-url"
        case catalogSyncInterval = "catalog-sync-interval"
        case operatorAgency = "operator-agency"
        case previousMasterKeys = "previous-master-keys"
        case uploadExpiry = "upload-expiry"
        case uploadMaxSize = "upload-max-size"
        case publicHolidays = "public-holidays"

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
            case .publicURL: return ""
            case .bcryptCost: return String(defaults.sso.bcryptCost)
            case .loginMaxFailures: return String(defaults.sso.loginMaxFailures)
            case .loginLockout: return defaults.sso.loginLockout.description
            case .loginLockoutMax: return defaults.sso.loginLockoutMax.description
            case .loginRateLimit: return String(defaults.sso.loginRateLimit)
            case .accessTokenTTL: return defaults.sso.accessTokenTTL.description
            case .idTokenTTL: return defaults.sso.idTokenTTL.description
            case .refreshTokenIdle: return defaults.sso.refreshTokenIdle.description
            case .refreshTokenMax: return defaults.sso.refreshTokenMax.description
            case .ssoSessionIdle: return defaults.sso.sessionIdle.description
            case .ssoSessionMax: return defaults.sso.sessionMax.description
            case .identityProviders: return ""
            case .seedDir: return defaults.seedDirectory
            case .catalogSyncURL: return ""
            case .catalogSyncInterval: return defaults.catalogs.syncInterval.description
            case .operatorAgency: return ""
            case .previousMasterKeys: return ""
            case .uploadExpiry: return defaults.docStore.uploadExpiry.description
            case .uploadMaxSize: return defaults.docStore.uploadMaxSize.description
            case .publicHolidays: return ""
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
            case .publicURL: return "URL công khai của nền tảng, cũng là issuer OpenID Connect; để trống: http://<host>:<port>"
            case .bcryptCost: return "Hệ số bcrypt khi băm mật khẩu (10–16; 4–9 chỉ dùng khi kiểm thử)"
            case .loginMaxFailures: return "Số lần đăng nhập sai liên tiếp trước khi tạm khóa"
            case .loginLockout: return "Thời gian tạm khóa lần đầu; mỗi lần khóa tiếp theo gấp đôi"
            case .loginLockoutMax: return "Thời gian tạm khóa tối đa"
            case .loginRateLimit: return "Số lần thử đăng nhập tối đa mỗi phút từ một địa chỉ IP"
            case .accessTokenTTL: return "Thời hạn access token"
            case .idTokenTTL: return "Thời hạn ID token"
            case .refreshTokenIdle: return "Refresh token hết hạn nếu không dùng trong khoảng này"
            case .refreshTokenMax: return "Thời hạn tối đa của một chuỗi refresh token kể từ lần đăng nhập"
            case .ssoSessionIdle: return "Phiên đăng nhập một lần hết hạn nếu không dùng trong khoảng này"
            case .ssoSessionMax: return "Thời hạn tối đa của phiên đăng nhập một lần"
            case .identityProviders: return "Nhà cung cấp định danh bên ngoài (VDXP/VNeID): đường dẫn tệp JSON hoặc chính nội dung JSON"
            case .seedDir: return "Thư mục dữ liệu khởi tạo (danh mục dùng chung nạp ở lần chạy đầu)"
            case .catalogSyncURL:
                return "URL từ điển dữ liệu quốc gia để đồng bộ các danh mục nguồn quốc gia, ví dụ http://127.0.0.1:8090/dictionary/v1; để trống: không đồng bộ (trừ danh mục có nguồn riêng)"
            case .catalogSyncInterval: return "Chu kỳ đồng bộ danh mục với nguồn, ví dụ 1h"
            case .operatorAgency:
                return "Mã định danh điện tử của cơ quan vận hành nền tảng (Sở Khoa học và Công nghệ), chủ quản các biểu mẫu khởi tạo"
            case .previousMasterKeys:
                return "Các khóa chính dùng trước khóa hiện tại (base64, cách nhau bởi dấu phẩy), để đọc dữ liệu chưa được bọc lại bằng lgsp docstore rewrap"
            case .uploadExpiry: return "Thời hạn của tệp tải lên tạm (tus) chưa được dùng, ví dụ 24h; quá hạn bị xóa cả nội dung"
            case .uploadMaxSize: return "Kích thước tối đa của một tệp tải lên (Tus-Max-Size), ví dụ 4GiB"
            case .publicHolidays:
                return "Ngày nghỉ lễ, Tết và nghỉ bù (YYYY-MM-DD, cách nhau bởi dấu phẩy), không tính vào thời hạn theo ngày làm việc"
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
        configuration.publicURL = value(.publicURL)
        if !configuration.publicURL.isEmpty {
            while configuration.publicURL.hasSuffix("/") { configuration.publicURL.removeLast() }
            guard let url = URLComponents(string: configuration.publicURL), ["http", "https"].contains(url.scheme ?? ""),
                url.host?.isEmpty == false, url.query == nil, url.fragment == nil, url.user == nil
            else {
                throw ConfigurationError(setting: .publicURL, value: value(.publicURL), reason: "phải là URL http(s) không có truy vấn, ví dụ https://lgsp.example.vn")
            }
        }
        func integer(_ setting: Setting, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let number = Int(value(setting)), range.contains(number) else {
                throw ConfigurationError(setting: setting, value: value(setting), reason: "phải là số nguyên từ \(range.lowerBound) đến \(range.upperBound)")
            }
            return number
        }
        func duration(_ setting: Setting) throws(ConfigurationError) -> DurationValue {
            guard let parsed = DurationValue(parsing: value(setting)), parsed.duration > .zero else {
                throw ConfigurationError(setting: setting, value: value(setting), reason: "phải là khoảng thời gian dương, ví dụ 30s, 5m, 8h")
            }
            return parsed
        }
        var sso = SSOSettings()
        sso.bcryptCost = try integer(.bcryptCost, 4...16)
        if configuration.environment == .production && sso.bcryptCost < 10 {
            throw ConfigurationError(setting: .bcryptCost, value: value(.bcryptCost), reason: "ở production phải từ 10 trở lên")
        }
        sso.loginMaxFailures = try integer(.loginMaxFailures, 1...100)
        sso.loginLockout = try duration(.loginLockout)
        sso.loginLockoutMax = try duration(.loginLockoutMax)
        sso.loginRateLimit = try integer(.loginRateLimit, 1...100_000)
        sso.accessTokenTTL = try duration(.accessTokenTTL)
        sso.idTokenTTL = try duration(.idTokenTTL)
        sso.refreshTokenIdle = try duration(.refreshTokenIdle)
        sso.refreshTokenMax = try duration(.refreshTokenMax)
        sso.sessionIdle = try duration(.ssoSessionIdle)
        sso.sessionMax = try duration(.ssoSessionMax)
        configuration.sso = sso
        configuration.identityProviders = value(.identityProviders)
        configuration.seedDirectory = value(.seedDir)
        var catalogs = CatalogSettings()
        catalogs.syncURL = value(.catalogSyncURL)
        while catalogs.syncURL.hasSuffix("/") { catalogs.syncURL.removeLast() }
        if !catalogs.syncURL.isEmpty {
            guard let url = URLComponents(string: catalogs.syncURL), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
                url.user == nil, url.query == nil, url.fragment == nil
            else {
                throw ConfigurationError(setting: .catalogSyncURL, value: value(.catalogSyncURL), reason: "phải là URL http(s) không có truy vấn")
            }
            if configuration.environment == .production && url.scheme != "https" {
                throw ConfigurationError(setting: .catalogSyncURL, value: value(.catalogSyncURL), reason: "ở production phải dùng https")
            }
        }
        catalogs.syncInterval = try duration(.catalogSyncInterval)
        guard catalogs.syncInterval.duration >= .seconds(10) else {
            throw ConfigurationError(setting: .catalogSyncInterval, value: value(.catalogSyncInterval), reason: "tối thiểu 10s")
        }
        configuration.catalogs = catalogs
        configuration.operatorAgency = value(.operatorAgency)
        if !configuration.operatorAgency.isEmpty, case .failure(let problem) = AgencyCode.validate(configuration.operatorAgency) {
            throw ConfigurationError(setting: .operatorAgency, value: configuration.operatorAgency, reason: problem.message)
        }
        configuration.previousMasterKeys = value(.previousMasterKeys)
        for key in configuration.previousMasterKeys.split(separator: ",") where MasterKey(base64: String(key)) == nil {
            throw ConfigurationError(setting: .previousMasterKeys, value: "(ẩn)", reason: "mỗi khóa phải là 32 byte mã hóa base64")
        }
        var docStore = DocStoreSettings()
        docStore.uploadExpiry = try duration(.uploadExpiry)
        guard let uploadMax = ByteSize(parsing: value(.uploadMaxSize)), uploadMax.bytes > 0 else {
            throw ConfigurationError(setting: .uploadMaxSize, value: value(.uploadMaxSize), reason: "phải là số byte dương, ví dụ 4GiB")
        }
        docStore.uploadMaxSize = uploadMax
        configuration.docStore = docStore
        var gateway = GatewaySettings()
        guard let holidays = VietnamTime.isoDays(value(.publicHolidays)) else {
            throw ConfigurationError(setting: .publicHolidays, value: value(.publicHolidays), reason: "mỗi ngày dạng YYYY-MM-DD, cách nhau bởi dấu phẩy")
        }
        gateway.publicHolidays = holidays
        configuration.gateway = gateway
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

    /// Where the document store keeps uploads and content.
    public var docStoreDirectory: String {
        (dataDirectory as NSString).appendingPathComponent("docstore")
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

    public init(setting: Configuration.Setting, value: String, reason: String) {
        self.setting = setting
        self.value = value
        self.reason = reason
    }

    public var description: String {
        "Cấu hình \(setting.flag) / \(setting.environmentVariable) = \"\(value)\" không hợp lệ: \(reason)."
    }
}

/// Single sign-on settings (flags `--bcrypt-cost`, `--login-…`, `--…-ttl`, `--refresh-token-…`,
/// `--sso-session-…`).
public struct SSOSettings: Sendable, Equatable {
    public var bcryptCost = 10
    public var loginMaxFailures = 5
    public var loginLockout = DurationValue(.seconds(60))
    public var loginLockoutMax = DurationValue(.seconds(3600))
    public var loginRateLimit = 30
    public var accessTokenTTL = DurationValue(.seconds(300))
    public var idTokenTTL = DurationValue(.seconds(300))
    public var refreshTokenIdle = DurationValue(.seconds(8 * 3600))
    public var refreshTokenMax = DurationValue(.seconds(24 * 3600))
    public var sessionIdle = DurationValue(.seconds(30 * 60))
    public var sessionMax = DurationValue(.seconds(10 * 3600))

    public init() {}
}

/// Shared catalogs settings (flags `--catalog-…`).
public struct CatalogSettings: Sendable, Equatable {
    /// Base URL of the national data dictionary; empty: catalogs sync only from sources set on them.
    public var syncURL = ""
    public var syncInterval = DurationValue(.seconds(3600))
    /// Delay before each retry of a webhook delivery (the last repeats). Not a flag: tests shorten it.
    public var webhookRetry: [Duration] = [.seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1800), .seconds(3600)]
    /// How often queued deliveries are looked for when nothing wakes the sender.
    public var webhookPoll: Duration = .seconds(2)
    /// Deliveries not acknowledged this long after the event are given up (status failed).
    public var webhookGiveUp: Duration = .seconds(72 * 3600)

    public init() {}
}

/// Gateway settings (flag `--public-holidays`).
public struct GatewaySettings: Sendable, Equatable {
    /// Public holidays and compensatory days off, `YYYY-MM-DD`: not working days.
    public var publicHolidays: Set<String> = []

    public init() {}
}

/// Document store settings (flags `--upload-…`).
public struct DocStoreSettings: Sendable, Equatable {
    /// An upload not finished or not used by a dossier or result this long after its last change is deleted.
    public var uploadExpiry = DurationValue(.seconds(24 * 3600))
    /// Largest upload (`Tus-Max-Size`).
    public var uploadMaxSize = ByteSize(bytes: 4 << 30)
    /// Largest body of the plain `POST /api/v1/files` (small files). Not a flag.
    public var smallFileMaxSize = 32 << 20
    /// How often the sweeper looks for expired uploads. Not a flag: tests shorten it.
    public var sweepInterval: Duration = .seconds(60)

    public init() {}
}
