import LGSPTesting
import SQLKit
import Testing

@testable import Core

@Suite struct MigrationRunnerTests {
    static let sample = MigrationSet(module: "sample", migrations: [
        Migration("0001_create_things") { types in
            ["CREATE TABLE sample_things (id \(types.identityPrimaryKey), name TEXT NOT NULL, attributes \(types.json))"]
        },
        Migration("0002_index_things") { _ in
            ["CREATE INDEX sample_things_name ON sample_things (name)"]
        },
    ])

    @Test func migrationsAreIdempotent() async throws {
        try await TestDatabase.with { database in
            let runner = MigrationRunner(database: database, logger: TestDatabase.logger)
            let first = try await runner.run([Self.sample])
            #expect(first.map(\.name) == ["0001_create_things", "0002_index_things"])
            let tablesAfterFirst = try await TestDatabase.tables(in: database)
            #expect(tablesAfterFirst.contains("sample_things"))

            let second = try await runner.run([Self.sample])
            #expect(second.isEmpty)
            #expect(try await TestDatabase.tables(in: database) == tablesAfterFirst)
            #expect(try await runner.appliedMigrations().count == 2)

            // The table works the same on both engines: generated ids, JSON column.
            try await database.sql.raw("INSERT INTO sample_things (name, attributes) VALUES ('a', '{\"x\":1}')").run()
            try await database.sql.raw("INSERT INTO sample_things (name, attributes) VALUES ('b', NULL)").run()
            let ids = try await database.sql.raw("SELECT id FROM sample_things ORDER BY id").all().map { try $0.decode(column: "id", as: Int.self) }
            #expect(ids == [1, 2])
        }
    }

    @Test func aNewMigrationIsAppliedAlone() async throws {
        try await TestDatabase.with { database in
            let runner = MigrationRunner(database: database, logger: TestDatabase.logger)
            try await runner.run([MigrationSet(module: "sample", migrations: [Self.sample.migrations[0]])])
            let second = try await runner.run([Self.sample])
            #expect(second == [.init(module: "sample", name: "0002_index_things")])
        }
    }

    @Test func aFailingMigrationLeavesTheSchemaAsBefore() async throws {
        try await TestDatabase.with { database in
            let runner = MigrationRunner(database: database, logger: TestDatabase.logger)
            try await runner.run([Self.sample])
            let before = try await TestDatabase.tables(in: database)
            let broken = MigrationSet(module: "sample", migrations: Self.sample.migrations + [
                Migration("0003_half_done") { types in
                    [
                        "CREATE TABLE sample_half (id \(types.identityPrimaryKey))",
                        "ALTER TABLE sample_things ADD COLUMN extra TEXT",
                        "THIS IS NOT SQL",
                    ]
                }
            ])
            await #expect {
                try await runner.run([broken])
            } throws: { error in
                guard let error = error as? MigrationError else { return false }
                return error.module == "sample" && error.migration == "0003_half_done"
                    && error.description.contains("sample/0003_half_done")
            }
            #expect(try await TestDatabase.tables(in: database) == before)
            #expect(!(try await runner.appliedMigrations()).contains(.init(module: "sample", name: "0003_half_done")))
            // The column added before the failure was rolled back too.
            await #expect(throws: (any Error).self) {
                try await database.sql.raw("SELECT extra FROM sample_things").run()
            }
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() async throws {
        try await TestDatabase.with { database in
            let runner = MigrationRunner(database: database, logger: TestDatabase.logger)
            try await runner.run([Self.sample])
            let older = MigrationSet(module: "sample", migrations: [Self.sample.migrations[0]])
            await #expect(throws: MigrationError.self) {
                try await runner.run([older])
            }
        }
    }

    @Test func migrationsOutOfOrderAreRefused() async throws {
        try await TestDatabase.with { database in
            let runner = MigrationRunner(database: database, logger: TestDatabase.logger)
            try await runner.run([Self.sample])
            let inserted = MigrationSet(module: "sample", migrations: [
                Self.sample.migrations[0],
                Migration("0001b_inserted_later") { _ in ["CREATE TABLE sample_late (id INTEGER)"] },
                Self.sample.migrations[1],
            ])
            await #expect(throws: MigrationError.self) {
                try await runner.run([inserted])
            }
        }
    }

    @Test func duplicateNamesAreRefusedBeforeAnythingRuns() async throws {
        try await TestDatabase.with { database in
            let runner = MigrationRunner(database: database, logger: TestDatabase.logger)
            let duplicated = MigrationSet(module: "sample", migrations: [Self.sample.migrations[0], Self.sample.migrations[0]])
            await #expect(throws: MigrationError.self) { try await runner.run([duplicated]) }
            let tables = try await TestDatabase.tables(in: database)
            #expect(!tables.contains("sample_things"))
        }
    }

    @Test func concurrentRunnersApplyEachMigrationOnce() async throws {
        try await TestDatabase.with { database in
            let results = try await withThrowingTaskGroup(of: [MigrationRunner.Entry].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await MigrationRunner(database: database, logger: TestDatabase.logger).run([Self.sample]) }
                }
                return try await group.reduce(into: []) { $0.append(contentsOf: $1) }
            }
            #expect(results.count == 2)
        }
    }
}
