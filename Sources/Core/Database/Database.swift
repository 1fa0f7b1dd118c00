import Logging
import SQLKit

/// The platform's one database handle: SQLite (embedded default) or PostgreSQL (scale-out), through SQLKit.
///
/// `sql` runs each statement on a pooled connection; `transaction` runs a closure on one connection
/// between `BEGIN` and `COMMIT`, rolling back when it throws. The same code and the same migrations run
/// on both engines.
public final class Database: Sendable {
    public let engine: DatabaseEngine
    /// Statements on the pool. Use `transaction` when statements must see each other or commit together.
    public let sql: any SQLDatabase
    private let driver: any DatabaseDriver
    public let location: DatabaseLocation
    /// SQLite: write transactions of this process in order (see `WriteGate`).
    private let writeGate: WriteGate?
    /// How long a write transaction waits for its turn before the caller gets 503.
    static let writeTurnTimeout: Duration = .seconds(60)

    private init(driver: any DatabaseDriver, location: DatabaseLocation, logger: Logger) {
        self.driver = driver
        self.writeGate = driver.engine == .sqlite ? WriteGate() : nil
        self.engine = driver.engine
        self.location = location
        self.sql = PooledSQLDatabase(driver: driver, logger: logger)
    }

    /// Opens a pool on `location`. Nothing is migrated here: see `MigrationRunner`.
    public static func open(
        _ location: DatabaseLocation,
        maxConnections: Int = 8,
        acquireTimeout: Duration = .seconds(5),
        logger: Logger
    ) throws -> Database {
        switch location {
        case .sqlite(let path):
            return Database(
                driver: try SQLiteDriver(path: path, maxConnections: maxConnections, acquireTimeout: acquireTimeout, logger: logger),
                location: location, logger: logger
            )
        case .postgres(let postgres):
            return Database(
                driver: PostgresDriver(
                    location: postgres, maxConnections: maxConnections, acquireTimeout: acquireTimeout, logger: logger
                ),
                location: location, logger: logger
            )
        }
    }

    /// Runs `body` in a transaction on one connection. Commits when it returns, rolls back when it throws.
    ///
    /// On SQLite the transaction starts with `BEGIN IMMEDIATE`: it takes the write lock at once, so two
    /// read-then-write transactions never deadlock on the upgrade. On PostgreSQL a statement that failed
    /// inside `body` aborts the transaction even if `body` caught the error; the commit then throws
    /// `TransactionAbortedError` instead of silently rolling back.
    ///
    /// SQLite write transactions of one process take turns in arrival order (`WriteGate`) before they
    /// take a connection. A transaction body must not start another transaction (it would wait for
    /// itself): pass it the `SQLDatabase` it was given instead.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard let writeGate else { return try await run(begin: "BEGIN", body) }
        guard await writeGate.enter(timeout: Self.writeTurnTimeout) else {
            throw DatabaseUnavailableError(engine: engine, reason: "chờ lượt ghi quá \(Self.writeTurnTimeout.components.seconds) giây")
        }
        do {
            let result = try await run(begin: "BEGIN IMMEDIATE", body)
            await writeGate.leave()
            return result
        } catch {
            await writeGate.leave()
            throw error
        }
    }

    /// Runs `body` in a read-only transaction that sees one consistent snapshot of the database (SQLite:
    /// a deferred transaction, which takes no write lock; PostgreSQL: REPEATABLE READ READ ONLY).
    public func snapshot<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await run(begin: engine == .sqlite ? "BEGIN DEFERRED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func run<T: Sendable>(begin: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let engine = self.engine
        return try await driver.withConnection { connection in
            try await connection.raw(SQLQueryString(begin)).run()
            let result: T
            do {
                result = try await body(connection)
            } catch let bodyError {
                do {
                    try await connection.raw("ROLLBACK").run()
                } catch {
                    // The connection's state is unknown: it is closed, and the body's error is what the
                    // caller needs to see.
                    throw PoisonedConnectionError(underlying: bodyError)
                }
                throw bodyError
            }
            if engine == .postgres {
                do {
                    // Fails with 25P02 when a statement inside the body failed and was swallowed.
                    try await connection.raw("SELECT 1 AS alive").run()
                } catch {
                    try? await connection.raw("ROLLBACK").run()
                    throw TransactionAbortedError(reason: SafeErrorDescription.describe(error))
                }
            }
            do {
                try await connection.raw("COMMIT").run()
            } catch {
                // A failed COMMIT leaves the transaction in an unknown state on this connection.
                try? await connection.raw("ROLLBACK").run()
                throw PoisonedConnectionError(underlying: error)
            }
            return result
        }
    }

    /// Runs `body` on one connection without a transaction (session settings, advisory locks).
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await driver.withConnection(body)
    }

    /// A real round trip to the database.
    public func ping() async throws {
        try await sql.raw("SELECT 1 AS ok").run()
    }

    /// Closes every connection. In-flight leases finish first.
    public func close() async {
        await driver.close()
    }
}
