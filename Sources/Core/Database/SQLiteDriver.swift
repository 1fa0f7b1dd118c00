import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLite through a small pool of connections, each with the platform's pragmas: WAL journal, foreign
/// keys on, a busy timeout (instead of SQLiteNIO's spinning busy handler), and a full fsync on commit.
final class SQLiteDriver: DatabaseDriver {
    let engine = DatabaseEngine.sqlite
    var dialect: any SQLDialect { SQLiteDialect() }
    private let pool: SQLiteConnectionPool
    private let threadPool: NIOThreadPool

    init(path: String, maxConnections: Int, logger: Logger) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let threadPool = NIOThreadPool(numberOfThreads: max(2, maxConnections))
        threadPool.start()
        self.threadPool = threadPool
        self.pool = SQLiteConnectionPool(path: path, maxConnections: max(1, maxConnections), threadPool: threadPool, logger: logger)
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection: SQLiteConnection
        do {
            connection = try await pool.lease()
        } catch let error as CancellationError {
            throw error
        } catch {
            throw DatabaseUnavailableError(engine: .sqlite, reason: "\(error)")
        }
        do {
            let result = try await body(connection.sql(queryLogLevel: nil))
            await pool.release(connection)
            return result
        } catch let error as PoisonedConnectionError {
            try? await connection.close()
            await pool.release(connection)
            throw error.underlying
        } catch {
            await pool.release(connection)
            throw error
        }
    }

    func close() async {
        await pool.close()
        try? await threadPool.shutdownGracefully()
    }
}

/// Up to `maxConnections` SQLite connections; leases wait (cancellably) when all are in use.
actor SQLiteConnectionPool {
    let path: String
    let maxConnections: Int
    let threadPool: NIOThreadPool
    let logger: Logger
    private var idle: [SQLiteConnection] = []
    private var open = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var isClosed = false

    init(path: String, maxConnections: Int, threadPool: NIOThreadPool, logger: Logger) {
        self.path = path
        self.maxConnections = maxConnections
        self.threadPool = threadPool
        self.logger = logger
    }

    func lease() async throws -> SQLiteConnection {
        while true {
            guard !isClosed else { throw SQLitePoolClosed() }
            if let connection = idle.popLast() {
                if connection.isClosed {
                    open -= 1
                    continue
                }
                return connection
            }
            if open < maxConnections {
                open += 1
                do {
                    return try await openConnection()
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            try await waitForRelease()
        }
    }

    func release(_ connection: SQLiteConnection) {
        if connection.isClosed || isClosed {
            open -= 1
            if isClosed, !connection.isClosed {
                Task { try? await connection.close() }
            }
        } else {
            idle.append(connection)
        }
        wakeOne()
    }

    func close() async {
        isClosed = true
        let connections = idle
        idle.removeAll()
        open -= connections.count
        for connection in connections {
            try? await connection.close()
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: SQLitePoolClosed())
        }
        waiters.removeAll()
    }

    private func wakeOne() {
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume()
        }
    }

    private func waitForRelease() async throws {
        nextWaiterID += 1
        let id = nextWaiterID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            waiters.remove(at: index).continuation.resume(throwing: CancellationError())
        }
    }

    private func openConnection() async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
        do {
            for pragma in [
                "PRAGMA busy_timeout = 15000",
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
            ] {
                _ = try await connection.query(pragma)
            }
        } catch {
            try? await connection.close()
            throw error
        }
        return connection
    }
}

struct SQLitePoolClosed: Error, CustomStringConvertible {
    var description: String { "SQLite connection pool is closed" }
}
