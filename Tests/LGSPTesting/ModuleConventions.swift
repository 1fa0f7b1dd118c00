import Core

/// Checks every module must pass: its migrations apply on a fresh database (on the engine under test),
/// apply twice without change, and every table they create starts with the module's prefix.
public enum ModuleConventions {
    /// Returns the tables the module's migrations created.
    public static func check(_ module: any PlatformModule) async throws -> Set<String> {
        try await TestDatabase.with { database in
            let runner = MigrationRunner(database: database, logger: TestDatabase.logger)
            let before = try await TestDatabase.tables(in: database)
            try await runner.run([module.migrationSet])
            let created = try await TestDatabase.tables(in: database).subtracting(before).subtracting(["core_migrations"])
            let second = try await runner.run([module.migrationSet])
            guard second.isEmpty else { throw ConventionViolation("migrations applied again on a second run: \(second)") }
            if let stray = created.first(where: { !$0.hasPrefix(module.tablePrefix) }) {
                throw ConventionViolation("table \(stray) of module \(module.name) does not start with \(module.tablePrefix)")
            }
            return created
        }
    }

    /// Services over a fresh database for constructing a module in a test.
    public static func withServices<T: Sendable>(_ body: (PlatformServices) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        return try await TestDatabase.with { database in
            let blobs = try await FileBlobStore(root: directory.path + "/blobs")
            var configuration = Configuration()
            configuration.dataDirectory = directory.path
            let masterKey = MasterKey.generate()
            return try await body(PlatformServices(
                configuration: configuration, database: database, blobs: blobs,
                audit: AuditLog(database: database, masterKey: masterKey), masterKey: masterKey
            ))
        }
    }
}

public struct ConventionViolation: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
