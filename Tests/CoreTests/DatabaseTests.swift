import LGSPTesting
import SQLKit
import Testing

@testable import Core

@Suite struct DatabaseTests {
    static func prepare(_ database: Database) async throws {
        try await database.sql.raw("CREATE TABLE core_test_accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL)").run()
        try await database.sql.raw("INSERT INTO core_test_accounts (name, balance) VALUES ('a', 100), ('b', 0)").run()
    }

    static func balance(_ database: Database, _ name: String) async throws -> Int {
        try await database.sql.raw("SELECT balance FROM core_test_accounts WHERE name = \(bind: name)").first()!
            .decode(column: "balance", as: Int.self)
    }

    @Test func transactionCommitsTogether() async throws {
        try await TestDatabase.with { database in
            try await Self.prepare(database)
            try await database.transaction { tx in
                try await tx.raw("UPDATE core_test_accounts SET balance = balance - 30 WHERE name = 'a'").run()
                try await tx.raw("UPDATE core_test_accounts SET balance = balance + 30 WHERE name = 'b'").run()
            }
            #expect(try await Self.balance(database, "a") == 70)
            #expect(try await Self.balance(database, "b") == 30)
        }
    }

    @Test func transactionRollsBackWhenTheBodyThrows() async throws {
        struct Abort: Error {}
        try await TestDatabase.with { database in
            try await Self.prepare(database)
            await #expect(throws: Abort.self) {
                try await database.transaction { tx in
                    try await tx.raw("UPDATE core_test_accounts SET balance = balance - 30 WHERE name = 'a'").run()
                    throw Abort()
                }
            }
            #expect(try await Self.balance(database, "a") == 100)
            // The connection went back to the pool clean: later statements are not inside a transaction.
            try await database.sql.raw("UPDATE core_test_accounts SET balance = 1 WHERE name = 'b'").run()
            #expect(try await Self.balance(database, "b") == 1)
        }
    }

    @Test func concurrentReadModifyWriteTransactionsDoNotLoseUpdates() async throws {
        try await TestDatabase.with { database in
            try await Self.prepare(database)
            let lock = database.engine == .postgres ? " FOR UPDATE" : ""
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await database.transaction { tx in
                            let row = try await tx.raw(SQLQueryString("SELECT balance FROM core_test_accounts WHERE name = 'b'\(unsafeRaw: lock)")).first()!
                            let balance = try row.decode(column: "balance", as: Int.self)
                            try await tx.raw("UPDATE core_test_accounts SET balance = \(bind: balance + 1) WHERE name = 'b'").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.balance(database, "b") == 20)
        }
    }

    @Test func pingMakesARealRoundTrip() async throws {
        try await TestDatabase.with { database in
            try await database.ping()
        }
    }

    @Test func aClosedDatabaseRefusesWork() async throws {
        let (location, cleanup) = try await TestDatabase.makeLocation()
        let database = try Database.open(location, logger: TestDatabase.logger)
        try await database.ping()
        await database.close()
        await #expect(throws: (any Error).self) { try await database.ping() }
        await cleanup()
    }
}
