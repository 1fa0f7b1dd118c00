import Foundation
import Logging
import SQLKit

/// Applies every module's pending migrations, each in its own transaction together with the row that
/// records it. Running twice changes nothing; a failing migration rolls back and stops the run with a
/// `MigrationError` that names it. On PostgreSQL an advisory lock serializes several processes starting
/// at once.
public struct MigrationRunner: Sendable {
    public let database: Database
    public let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// An applied (or to-be-applied) migration.
    public struct Entry: Sendable, Hashable {
        public let module: String
        public let name: String
    }

    /// Applies what is pending and returns what was applied in this run.
    @discardableResult
    public func run(_ sets: [MigrationSet]) async throws -> [Entry] {
        try Self.checkUnique(sets)
        try await createLedger()
        let recorded = try await appliedMigrations()
        try Self.checkConsistent(sets, recorded: recorded)

        var applied: [Entry] = []
        for set in sets {
            for (position, migration) in set.migrations.enumerated() {
                let entry = Entry(module: set.module, name: migration.name)
                if recorded.contains(entry) { continue }
                if try await apply(migration, module: set.module, position: position) {
                    logger.info("Đã áp dụng migration", metadata: ["module": .string(set.module), "migration": .string(migration.name)])
                    applied.append(entry)
                }
            }
        }
        return applied
    }

    /// Migrations recorded in the database.
    public func appliedMigrations() async throws -> Set<Entry> {
        let rows = try await database.sql.raw("SELECT module, name FROM core_migrations").all()
        return Set(try rows.map { Entry(module: try $0.decode(column: "module"), name: try $0.decode(column: "name")) })
    }

    private func createLedger() async throws {
        let engine = database.engine
        try await database.transaction { connection in
            if engine == .postgres {
                // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog; serialize.
                try await connection.raw("SELECT pg_advisory_xact_lock(7315001)").run()
            }
            try await connection.raw(
                """
                CREATE TABLE IF NOT EXISTS core_migrations (
                    module TEXT NOT NULL,
                    name TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    applied_at TEXT NOT NULL,
                    PRIMARY KEY (module, name)
                )
                """
            ).run()
        }
    }

    /// Applies one migration unless another process did meanwhile. Returns whether it ran here.
    private func apply(_ migration: Migration, module: String, position: Int) async throws -> Bool {
        let engine = database.engine
        do {
            return try await database.transaction { connection in
                if engine == .postgres {
                    // Held until this transaction ends; other `lgsp` processes wait here.
                    try await connection.raw("SELECT pg_advisory_xact_lock(7315001)").run()
                }
                let existing = try await connection.raw(
                    "SELECT 1 AS found FROM core_migrations WHERE module = \(bind: module) AND name = \(bind: migration.name)"
                ).first()
                guard existing == nil else { return false }
                try await migration.apply(MigrationContext(sql: connection, engine: engine))
                try await connection.raw(
                    """
                    INSERT INTO core_migrations (module, name, position, applied_at)
                    VALUES (\(bind: module), \(bind: migration.name), \(bind: position), \(bind: Timestamp.now()))
                    """
                ).run()
                return true
            }
        } catch {
            throw MigrationError(module: module, migration: migration.name, reason: SafeErrorDescription.describe(error))
        }
    }

    static func checkUnique(_ sets: [MigrationSet]) throws {
        var modules = Set<String>()
        for set in sets {
            guard modules.insert(set.module).inserted else {
                throw MigrationError(module: set.module, migration: nil, reason: "mô-đun được khai báo hai lần")
            }
            var names = Set<String>()
            for migration in set.migrations where !names.insert(migration.name).inserted {
                throw MigrationError(module: set.module, migration: migration.name, reason: "tên migration bị trùng")
            }
        }
    }

    /// The database must not hold migrations this version does not know (a newer version ran on it),
    /// and within a module the applied ones must be the first ones in order.
    static func checkConsistent(_ sets: [MigrationSet], recorded: Set<Entry>) throws {
        let known = Set(sets.flatMap { set in set.migrations.map { Entry(module: set.module, name: $0.name) } })
        let knownModules = Set(sets.map(\.module))
        if let unknown = recorded.filter({ knownModules.contains($0.module) && !known.contains($0) }).sorted(by: { $0.name < $1.name }).first {
            throw MigrationError(
                module: unknown.module, migration: unknown.name,
                reason: "cơ sở dữ liệu đã có migration mà phiên bản này không biết (có thể do một phiên bản mới hơn đã chạy)"
            )
        }
        for set in sets {
            var sawPending = false
            for migration in set.migrations {
                let isApplied = recorded.contains(Entry(module: set.module, name: migration.name))
                if isApplied && sawPending {
                    throw MigrationError(
                        module: set.module, migration: migration.name,
                        reason: "đã áp dụng trong khi một migration đứng trước nó chưa được áp dụng (sai thứ tự)"
                    )
                }
                if !isApplied { sawPending = true }
            }
        }
    }
}

/// A migration could not be applied. The database is as it was before that migration.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public let module: String
    public let migration: String?
    public let reason: String

    public var description: String {
        let name = migration.map { "\(module)/\($0)" } ?? module
        return "Migration \(name) thất bại: \(reason). Lược đồ giữ nguyên như trước migration này; khởi động bị dừng."
    }
}
