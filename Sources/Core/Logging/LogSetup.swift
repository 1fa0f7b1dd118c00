import Logging
import NIOConcurrencyHelpers

/// Logging for an `lgsp` process: JSON lines in production, readable text otherwise, on standard error
/// (standard output is for command results).
public enum LogSetup {
    private static let bootstrapped = NIOLockedValueBox(false)

    /// Bootstraps swift-log once per process.
    public static func bootstrap(environment: DeploymentEnvironment, level: Logger.Level) {
        guard bootstrapped.withLockedValue({ done in defer { done = true }; return !done }) else { return }
        LoggingSystem.bootstrap { label in
            switch environment {
            case .production:
                return JSONLogHandler(label: label, level: level)
            case .development, .test:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
