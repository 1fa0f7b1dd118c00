import Logging
import PostgresKit
import SQLKit
import NIOConcurrencyHelpers

/// PostgreSQL through PostgresNIO's `PostgresClient` pool. Leasing a connection waits at most
/// `acquireTimeout`: while the server is down requests fail fast with `DatabaseUnavailableError`, and the
/// pool reconnects by itself when the server is back.
final class PostgresDriver: DatabaseDriver {
    let engine = DatabaseEngine.postgres
    var dialect: any SQLDialect { PostgresDialect() }
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let acquireTimeout: Duration

    init(location: PostgresLocation, maxConnections: Int, acquireTimeout: Duration, logger: Logger) {
        let tls: PostgresClient.Configuration.TLS
        switch location.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: tls
        )
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(5)
        if let searchPath = location.searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        configuration.options.additionalStartupParameters.append(("application_name", "lgsp"))
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.acquireTimeout = acquireTimeout
        self.runTask = Task { await client.run() }
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let leased = NIOLockedValueBox(false)
        return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask {
                do {
                    return .value(try await self.client.withConnection { connection in
                        leased.withLockedValue { $0 = true }
                        do {
                            return try await body(connection.sql(queryLogLevel: nil))
                        } catch let error as PoisonedConnectionError {
                            try? await connection.close()
                            throw error.underlying
                        }
                    })
                } catch where !leased.withLockedValue({ $0 }) {
                    // No connection was had: the pool gave up connecting, was closed, or the wait was
                    // cancelled by the timer below (PostgresNIO reports that as `requestCancelled`).
                    return .unavailable(SafeErrorDescription.describe(error))
                }
            }
            group.addTask {
                try? await Task.sleep(for: self.acquireTimeout)
                return .timerFired
            }
            var timedOut = false
            while let outcome = try await group.next() {
                switch outcome {
                case .value(let value):
                    group.cancelAll()
                    return value
                case .timerFired:
                    if !leased.withLockedValue({ $0 }) {
                        timedOut = true
                        group.cancelAll()
                    }
                case .unavailable(let reason):
                    group.cancelAll()
                    if Task.isCancelled && !timedOut { throw CancellationError() }
                    throw DatabaseUnavailableError(
                        engine: .postgres,
                        reason: timedOut ? "không lấy được kết nối trong \(self.acquireTimeout)" : reason
                    )
                }
            }
            throw DatabaseUnavailableError(engine: .postgres, reason: "kết nối bị hủy")
        }
    }

    func close() async {
        runTask.cancel()
        await runTask.value
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case value(Value)
        case timerFired
        case unavailable(String)
    }
}
