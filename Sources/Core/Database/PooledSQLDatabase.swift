import Logging
import NIOCore
import NIOPosix
import SQLKit

/// An `SQLDatabase` over a whole pool: each statement runs on a connection leased for that statement.
/// `withSession` keeps one connection for the whole closure.
struct PooledSQLDatabase: SQLDatabase {
    let driver: any DatabaseDriver
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { driver.dialect }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask {
            try await self.execute(sql: query, onRow)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let query = UncheckedSQLExpression(query)
        try await driver.withConnection { connection in
            try await connection.execute(sql: query.expression, onRow)
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let result = try await driver.withConnection { connection in
            UncheckedResult(value: try await closure(connection))
        }
        return result.value
    }
}

/// SQLKit expressions are values built for one statement and never shared; this carries one into the
/// connection's task.
private struct UncheckedSQLExpression: @unchecked Sendable {
    let expression: any SQLExpression
    init(_ expression: any SQLExpression) { self.expression = expression }
}

/// `withSession` in SQLKit has no `Sendable` bound on its result; the value is handed from one task to
/// its awaiting caller and never used concurrently.
private struct UncheckedResult<R>: @unchecked Sendable {
    let value: R
}
