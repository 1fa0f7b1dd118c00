import Logging
import SQLKit

/// What a database engine provides to `Database`: leases of one connection, and shutdown.
protocol DatabaseDriver: Sendable {
    var engine: DatabaseEngine { get }
    var dialect: any SQLDialect { get }
    /// Runs `body` on one connection leased from the pool. When `body` throws `PoisonedConnectionError`
    /// the connection is closed instead of returned to the pool.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func close() async
}
