import ArgumentParser
import Core
import Foundation
import Logging

/// The settings as flags; each falls back to its `LGSP_*` environment variable, then to its default.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("host"), help: help(.host)) var host: String?
    @Option(name: .customLong("port"), help: help(.port)) var port: String?
    @Option(name: .customLong("data-dir"), help: help(.dataDir)) var dataDir: String?
    @Option(name: .customLong("database-url"), help: help(.databaseURL)) var databaseURL: String?
    @Option(name: .customLong("database-timeout"), help: help(.databaseTimeout)) var databaseTimeout: String?
    @Option(name: .customLong("env"), help: help(.env)) var env: String?
    @Option(name: .customLong("log-level"), help: help(.logLevel)) var logLevel: String?
    @Option(name: .customLong("max-body-size"), help: help(.maxBodySize)) var maxBodySize: String?
    @Option(name: .customLong("master-key"), help: help(.masterKey)) var masterKey: String?
    @Option(name: .customLong("public-url"), help: help(.publicURL)) var publicURL: String?
    @Option(name: .customLong("bcrypt-cost"), help: help(.bcryptCost)) var bcryptCost: String?
    @Option(name: .customLong("login-max-failures"), help: help(.loginMaxFailures)) var loginMaxFailures: String?
    @Option(name: .customLong("login-lockout"), help: help(.loginLockout)) var loginLockout: String?
    @Option(name: .customLong("login-lockout-max"), help: help(.loginLockoutMax)) var loginLockoutMax: String?
    @Option(name: .customLong("login-rate-limit"), help: help(.loginRateLimit)) var loginRateLimit: String?
    @Option(name: .customLong("access-token-ttl"), help: help(.accessTokenTTL)) var accessTokenTTL: String?
    @Option(name: .customLong("id-token-ttl"), help: help(.idTokenTTL)) var idTokenTTL: String?
    @Option(name: .customLong("refresh-token-idle"), help: help(.refreshTokenIdle)) var refreshTokenIdle: String?
    @Option(name: .customLong("refresh-token-max"), help: help(.refreshTokenMax)) var refreshTokenMax: String?
    @Option(name: .customLong("sso-session-idle"), help: help(.ssoSessionIdle)) var ssoSessionIdle: String?
    @Option(name: .customLong("sso-session-max"), help: help(.ssoSessionMax)) var ssoSessionMax: String?
    @Option(name: .customLong("identity-providers"), help: help(.identityProviders)) var identityProviders: String?
    @Option(name: .customLong("seed-dir"), help: help(.seedDir)) var seedDir: String?
    @Option(name: .customLong("catalog-sync-url"), help: help(.catalogSyncURL)) var catalogSyncURL: String?
    @Option(name: .customLong("operator-agency"), help: help(.operatorAgency)) var operatorAgency: String?
    @Option(name: .customLong("previous-master-keys"), help: help(.previousMasterKeys)) var previousMasterKeys: String?
    @Option(name: .customLong("upload-expiry"), help: help(.uploadExpiry)) var uploadExpiry: String?
    @Option(name: .customLong("upload-max-size"), help: help(.uploadMaxSize)) var uploadMaxSize: String?
    @Option(name: .customLong("public-holidays"), help: help(.publicHolidays)) var publicHolidays: String?
    @Option(name: .customLong("catalog-sync-interval"), help: help(.catalogSyncInterval)) var catalogSyncInterval: String?

    static func help(_ setting: Configuration.Setting) -> ArgumentHelp {
        let fallback = setting.defaultValue.isEmpty ? "" : ", mặc định \(setting.defaultValue)"
        return ArgumentHelp("\(setting.help) (\(setting.environmentVariable)\(fallback))", valueName: setting.rawValue)
    }

    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        var flags: [Configuration.Setting: String] = [:]
        flags[.host] = host
        flags[.port] = port
        flags[.dataDir] = dataDir
        flags[.databaseURL] = databaseURL
        flags[.databaseTimeout] = databaseTimeout
        flags[.env] = env
        flags[.logLevel] = logLevel
        flags[.maxBodySize] = maxBodySize
        flags[.masterKey] = masterKey
        flags[.publicURL] = publicURL
        flags[.bcryptCost] = bcryptCost
        flags[.loginMaxFailures] = loginMaxFailures
        flags[.loginLockout] = loginLockout
        flags[.loginLockoutMax] = loginLockoutMax
        flags[.loginRateLimit] = loginRateLimit
        flags[.accessTokenTTL] = accessTokenTTL
        flags[.idTokenTTL] = idTokenTTL
        flags[.refreshTokenIdle] = refreshTokenIdle
        flags[.refreshTokenMax] = refreshTokenMax
        flags[.ssoSessionIdle] = ssoSessionIdle
        flags[.ssoSessionMax] = ssoSessionMax
        flags[.identityProviders] = identityProviders
        flags[.seedDir] = seedDir
        flags[.catalogSyncURL] = catalogSyncURL
        flags[.operatorAgency] = operatorAgency
        flags[.previousMasterKeys] = previousMasterKeys
        flags[.uploadExpiry] = uploadExpiry
        flags[.uploadMaxSize] = uploadMaxSize
        flags[.publicHolidays] = publicHolidays
        flags[.catalogSyncInterval] = catalogSyncInterval
        do {
            return try Configuration.resolve(flags: flags, environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Resolves the configuration and sets up logging; for every command.
    func load() throws -> (Configuration, Logger) {
        let configuration = try resolve()
        LogSetup.bootstrap(environment: configuration.environment, level: configuration.logLevel)
        var logger = Logger(label: "lgsp")
        logger.logLevel = configuration.logLevel
        return (configuration, logger)
    }
}

/// Prints to standard error and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode(code)
}
