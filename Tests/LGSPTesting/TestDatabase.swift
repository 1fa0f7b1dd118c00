import Core
import Foundation
import Logging
import SQLKit

/// Fresh, empty databases for tests. With `LGSP_TEST_DATABASE_URL=postgres://…` each one is a new schema
/// in that PostgreSQL database (dropped afterwards); otherwise an SQLite file in a new temporary folder.
/// CI runs the whole suite both ways.
public enum TestDatabase {
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["LGSP_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var engine: DatabaseEngine { postgresURL == nil ? .sqlite : .postgres }

    public static let logger: Logger = {
        var logger = Logger(label: "lgsp.test")
        logger.logLevel = .error
        return logger
    }()

    /// A fresh location: an SQLite path in a new temporary folder, or a new PostgreSQL schema.
    public static func makeLocation() async throws -> (DatabaseLocation, cleanup: @Sendable () async -> Void) {
        if let url = postgresURL {
            guard case .postgres(var location) = DatabaseLocation(url: url) else {
                fatalError("LGSP_TEST_DATABASE_URL is not a postgres:// URL")
            }
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            let admin = try Database.open(.postgres(location), maxConnections: 1, logger: logger)
            try await admin.sql.raw(SQLQueryString("CREATE SCHEMA \(unsafeRaw: schema)")).run()
            await admin.close()
            location.searchPath = String(schema)
            let base = location
            return (.postgres(location), {
                guard let admin = try? Database.open(.postgres(base), maxConnections: 1, logger: logger) else { return }
                try? await admin.sql.raw(SQLQueryString("DROP SCHEMA \(unsafeRaw: schema) CASCADE")).run()
                await admin.close()
            })
        }
        let directory = try TemporaryDirectory()
        return (.sqlite(path: directory.path + "/lgsp.sqlite"), { directory.remove() })
    }

    /// Runs `body` with a fresh database, closed and removed afterwards.
    public static func with<T: Sendable>(_ body: (Database) async throws -> T) async throws -> T {
        let (location, cleanup) = try await makeLocation()
        let database = try Database.open(location, logger: logger)
        do {
            let result = try await body(database)
            await database.close()
            await cleanup()
            return result
        } catch {
            await database.close()
            await cleanup()
            throw error
        }
    }

    /// The tables in the database's current schema (excluding engine internals).
    public static func tables(in database: Database) async throws -> Set<String> {
        let query: SQLQueryString = database.engine == .postgres
            ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        let rows = try await database.sql.raw(query).all()
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }
}

/// A new directory under the system's temporary directory.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "lgsp-test-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
