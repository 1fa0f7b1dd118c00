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

    init(path: String, maxConnections: Int, acquireTimeout: Duration, logger: Logger) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let threadPool = NIOThreadPool(numberOfThreads: max(2, maxConnections))
        threadPool.start()
        self.threadPool = threadPool
        self.pool = SQLiteConnectionPool(
            path: path, maxConnections: max(1, maxConnections), acquireTimeout: acquireTimeout, threadPool: threadPool, logger: logger
        )
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection: SQLiteConnection
        do {
            connection = try await pool.lease()
        } catch let error as CancellationError {
            throw error
        } catch let error as DatabaseUnavailableError {
            throw error
        } catch {
            throw DatabaseUnavailableError(engine: .sqlite, reason: SafeErrorDescription.describe(error))
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

/// Up to `maxConnections` SQLite connections. Waiters are served first come, first served: a released
/// connection goes straight to the longest waiter. A lease that waits longer than `acquireTimeout` fails.
/// `close()` waits for leased connections to come back before closing them.
actor SQLiteConnectionPool {
    let path: String
    let maxConnections: Int
    let acquireTimeout: Duration
    let threadPool: NIOThreadPool
    let logger: Logger
    private var idle: [SQLiteConnection] = []
    /// Connections open or being opened, leased or idle.
    private var open = 0
    private var leased = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Grant, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var isClosed = false
    private var drained: [CheckedContinuation<Void, Never>] = []

    /// What a waiter is handed: a connection, or the right to open one.
    enum Grant: Sendable {
        case connection(SQLiteConnection)
        case openNew
    }

    init(path: String, maxConnections: Int, acquireTimeout: Duration, threadPool: NIOThreadPool, logger: Logger) {
        self.path = path
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.threadPool = threadPool
        self.logger = logger
    }

    func lease() async throws -> SQLiteConnection {
        guard !isClosed else { throw SQLitePoolClosed() }
        var grant: Grant
        if let connection = idle.popLast() {
            grant = .connection(connection)
        } else if open < maxConnections {
            open += 1
            grant = .openNew
        } else {
            grant = try await waitForGrant()
        }
        while true {
            switch grant {
            case .connection(let connection) where !connection.isClosed:
                leased += 1
                return connection
            case .connection:
                // Closed while idle (after an error): open a replacement in its place.
                grant = .openNew
            case .openNew:
                do {
                    let connection = try await openConnection()
                    leased += 1
                    return connection
                } catch {
                    open -= 1
                    handOver()
                    throw error
                }
            }
        }
    }

    func release(_ connection: SQLiteConnection) async {
        leased -= 1
        if isClosed || connection.isClosed {
            open -= 1
            if !connection.isClosed { try? await connection.close() }
            handOver()
        } else if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .connection(connection))
        } else {
            idle.append(connection)
        }
        if isClosed && leased == 0 {
            for waiter in drained { waiter.resume() }
            drained.removeAll()
        }
    }

    /// Stops new leases, waits for leased connections to come back, closes every connection.
    func close() async {
        isClosed = true
        for waiter in waiters {
            waiter.continuation.resume(throwing: SQLitePoolClosed())
        }
        waiters.removeAll()
        if leased > 0 {
            await withCheckedContinuation { drained.append($0) }
        }
        let connections = idle
        idle.removeAll()
        open -= connections.count
        for connection in connections {
            try? await connection.close()
        }
    }

    /// A slot freed up (a connection closed or failed to open): let the longest waiter open one.
    private func handOver() {
        guard !isClosed, !waiters.isEmpty, open < maxConnections else { return }
        open += 1
        waiters.removeFirst().continuation.resume(returning: .openNew)
    }

    private func waitForGrant() async throws -> Grant {
        nextWaiterID += 1
        let id = nextWaiterID
        let timeout = acquireTimeout
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.failWaiter(id, with: DatabaseUnavailableError(engine: .sqlite, reason: "không có kết nối rảnh trong \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.failWaiter(id, with: CancellationError()) }
        }
    }

    private func failWaiter(_ id: UInt64, with error: any Error) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            waiters.remove(at: index).continuation.resume(throwing: error)
        }
    }

    /// Opens and configures a connection in a task of its own: a waiter's cancellation (an acquire
    /// timeout, a cancelled request) must not interrupt the open halfway — that left connections
    /// unclosed, and closing one while a cancelled statement still ran on the thread pool would be worse.
    /// Awaiting the task's value is not interrupted by cancellation either.
    private func openConnection() async throws -> SQLiteConnection {
        let (path, threadPool, logger) = (self.path, self.threadPool, self.logger)
        return try await Task.detached { try await Self.open(path: path, threadPool: threadPool, logger: logger) }.value
    }

    private static func open(path: String, threadPool: NIOThreadPool, logger: Logger) async throws -> SQLiteConnection {
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
