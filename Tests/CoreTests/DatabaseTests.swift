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

@Suite struct DatabaseFailureTests {
    /// On PostgreSQL a failed statement aborts the transaction even when the code catches it; COMMIT would
    /// then roll back silently. The transaction must fail instead.
    @Test func aSwallowedStatementErrorFailsTheTransactionOnPostgres() async throws {
        try await TestDatabase.with { database in
            try await DatabaseTests.prepare(database)
            let outcome: Result<Void, any Error>
            do {
                try await database.transaction { tx in
                    try await tx.raw("UPDATE core_test_accounts SET balance = 55 WHERE name = 'a'").run()
                    try? await tx.raw("INSERT INTO core_test_accounts (name, balance) VALUES ('a', 1)").run()
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            switch database.engine {
            case .postgres:
                guard case .failure(let error) = outcome else {
                    Issue.record("the transaction reported success after PostgreSQL rolled it back")
                    return
                }
                #expect(error is TransactionAbortedError)
                #expect(try await DatabaseTests.balance(database, "a") == 100)
            case .sqlite:
                // SQLite keeps the transaction alive after a failed statement: the update commits.
                #expect((try? outcome.get()) != nil)
                #expect(try await DatabaseTests.balance(database, "a") == 55)
            }
        }
    }

    @Test func anUnreachablePostgresServerIsUnavailableNotAnInternalError() async throws {
        // Port 1 on loopback: nothing listens there.
        let location = try #require(DatabaseLocation(url: "postgres://nobody:x@127.0.0.1:1/none?sslmode=disable"))
        let database = try Database.open(location, acquireTimeout: .milliseconds(800), logger: TestDatabase.logger)
        let started = ContinuousClock.now
        await #expect(throws: DatabaseUnavailableError.self) { try await database.ping() }
        // Without the acquire timeout the pool would keep retrying the connection forever; the margin
        // above 0.8 s is for a machine busy with the rest of the suite.
        #expect(ContinuousClock.now - started < .seconds(10))
        await database.close()
    }

    @Test func anSQLiteLeaseWaitsAtMostTheAcquireTimeout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(
            .sqlite(path: directory.path + "/one.sqlite"), maxConnections: 1, acquireTimeout: .milliseconds(300), logger: TestDatabase.logger
        )
        let (leased, leasedSignal) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
        let holding = Task {
            try await database.withConnection { connection in
                leasedSignal.yield()
                // Held until the test has seen the other lease give up, however busy the machine is.
                for await _ in release { break }
                try await connection.raw("SELECT 1").run()
            }
        }
        // Wait until the only connection is really leased.
        for await _ in leased { break }
        await #expect(throws: DatabaseUnavailableError.self) { try await database.ping() }
        releaseSignal.yield()
        try await holding.value
        try await database.ping()
        await database.close()
    }

    @Test func closingWaitsForLeasedConnections() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(.sqlite(path: directory.path + "/close.sqlite"), logger: TestDatabase.logger)
        try await database.sql.raw("CREATE TABLE core_close_test (n INTEGER)").run()
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let working = Task {
            try await database.transaction { tx in
                startedSignal.yield()
                try await Task.sleep(for: .milliseconds(400))
                try await tx.raw("INSERT INTO core_close_test (n) VALUES (1)").run()
            }
        }
        for await _ in started { break }
        await database.close()
        try await working.value
        await #expect(throws: (any Error).self) { try await database.ping() }
        let reopened = try Database.open(.sqlite(path: directory.path + "/close.sqlite"), logger: TestDatabase.logger)
        let count = try await reopened.sql.raw("SELECT COUNT(*) AS n FROM core_close_test").first()!.decode(column: "n", as: Int.self)
        #expect(count == 1)
        await reopened.close()
    }

    @Test func aFailedRollbackKeepsTheBodysError() async throws {
        struct BodyFailed: Error {}
        try await TestDatabase.with { database in
            try await DatabaseTests.prepare(database)
            await #expect(throws: BodyFailed.self) {
                try await database.transaction { tx in
                    // End the transaction behind the wrapper's back: its ROLLBACK then fails.
                    try await tx.raw("COMMIT").run()
                    throw BodyFailed()
                }
            }
            try await database.ping()
        }
    }
}
