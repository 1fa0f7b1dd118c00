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
