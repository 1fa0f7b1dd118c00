import Core
import Foundation
import LGSPTesting
import Testing

@testable import SSO

@Suite struct LoginFailureStoreTests {
    /// Each lockout without a success in between lasts twice as long, up to the maximum.
    @Test func lockoutsGrowAndAreCapped() async throws {
        try await TestDatabase.with { database in
            try await MigrationRunner(database: database, logger: TestDatabase.logger).run([MigrationSet(module: "sso", migrations: SSOMigrations.all)])
            let store = LoginFailureStore(database: database)
            var lengths: [TimeInterval] = []
            for _ in 0..<5 {
                var until: Date?
                for _ in 0..<3 {
                    until = try await store.recordFailure("k", maxFailures: 3, base: .seconds(60), maximum: .seconds(300))
                }
                lengths.append((try #require(until)).timeIntervalSinceNow)
            }
            #expect(lengths.map { Int(($0 / 60).rounded()) } == [1, 2, 4, 5, 5])
            try await store.reset("k")
            #expect(try await store.state("k") == nil)
        }
    }

    @Test func concurrentFailuresAreAllCounted() async throws {
        try await TestDatabase.with { database in
            try await MigrationRunner(database: database, logger: TestDatabase.logger).run([MigrationSet(module: "sso", migrations: SSOMigrations.all)])
            let store = LoginFailureStore(database: database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { _ = try await store.recordFailure("c", maxFailures: 100, base: .seconds(1), maximum: .seconds(1)) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.state("c")?.failures == 8)
        }
    }
}
