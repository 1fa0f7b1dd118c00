import Core
import Foundation
import LGSPTesting
import Logging
import Testing

@testable import Gateway

/// The transaction log's writer (R-14.5, R-8.3, R-PL01-4): batched, in order, nothing dropped; a full
/// queue holds callers back instead of losing entries; shutdown gives up within its limit.
@Suite struct TransactionRecorderTests {
    static func entry(_ number: Int, error: String? = nil) -> Transaction {
        Transaction(
            at: Timestamp.string(from: Date(timeIntervalSince1970: 1_790_000_000 + Double(number))), day: "2026-09-21", requestId: "req-\(number)",
            consumerSystemId: number.isMultiple(of: 2) ? "sys-a" : nil, consumer: number.isMultiple(of: 2) ? "000.00.32.H49/he-thong" : nil,
            serviceCode: "dich-vu", version: "v1", method: "GET", pathTemplate: "/items/{id}", status: error == nil ? 200 : 403, errorType: error,
            latencyMs: 1.5, upstreamMs: error == nil ? 1.25 : nil, bytesIn: 0, bytesOut: Int64(number),
            requestSha256: error == nil ? String(repeating: "a", count: 64) : nil, responseSha256: nil
        )
    }

    /// A database with (or, `migrated: false`, still without) the gateway's tables.
    static func withStore<T: Sendable>(migrated: Bool = true, _ body: (TransactionStore, @Sendable () async throws -> Void) async throws -> T) async throws -> T {
        try await ModuleConventions.withServices { services in
            let module = GatewayModule(services: services)
            let migrate: @Sendable () async throws -> Void = {
                _ = try await MigrationRunner(database: services.database, logger: TestDatabase.logger).run([module.migrationSet])
            }
            if migrated { try await migrate() }
            return try await body(TransactionStore(database: services.database), migrate)
        }
    }

    @Test func entriesAreWrittenInBatchesInOrderWithAbsentValuesKeptAbsent() async throws {
        try await Self.withStore { store, _ in
            let recorder = TransactionRecorder(store: store, logger: TestDatabase.logger, batchSize: 7, delay: .milliseconds(5))
            let entries = (0..<50).map { Self.entry($0, error: $0 % 5 == 0 ? "no-grant" : nil) }
            for entry in entries { await recorder.record(entry) }
            await recorder.flush()
            #expect(recorder.waiting == 0)
            let written = try await store.query(.init(limit: 100))
            #expect(written.map(\.requestId) == entries.map(\.requestId))
            #expect(written.map { var copy = $0; copy.id = nil; return copy } == entries)
        }
    }

    @Test func aLargeBatchIsOneTransactionOfStatementsOfAtMost50Rows() async throws {
        try await Self.withStore { store, _ in
            let entries = (0..<(TransactionStore.rowsPerStatement * 2 + 21)).map { Self.entry($0, error: $0 % 3 == 0 ? "rate-limited" : nil) }
            try await store.insert(entries)
            let written = try await store.query(.init(limit: 500))
            #expect(written.map { var copy = $0; copy.id = nil; return copy } == entries)
            // A batch that fails part-way leaves nothing behind (it is retried whole). The bad row breaks a
            // NOT NULL on SQLite (NaN is stored as NULL) and the INTEGER range on PostgreSQL.
            var broken = (0..<(TransactionStore.rowsPerStatement + 5)).map { Self.entry(1_000 + $0) }
            broken[TransactionStore.rowsPerStatement + 2] = Transaction(
                at: Timestamp.now(), day: "2026-09-21", requestId: "req-bad", serviceCode: "dich-vu", version: "v1", method: "GET",
                pathTemplate: "/", status: Int(Int32.max) + 1, latencyMs: .nan, bytesIn: 0, bytesOut: 0
            )
            await #expect(throws: (any Error).self) { try await store.insert(broken) }
            #expect(try await store.query(.init(limit: 500)).count == entries.count)
        }
    }

    @Test func aFullQueueHoldsCallersBackUntilTheDatabaseTakesTheEntries() async throws {
        try await Self.withStore(migrated: false) { store, migrate in
            // No table yet: every write fails and is retried.
            let recorder = TransactionRecorder(store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), capacity: 3, delay: .milliseconds(1))
            for number in 0..<3 { await recorder.record(Self.entry(number)) }
            #expect(!recorder.hasRoom)
            let fourth = Task { await recorder.record(Self.entry(3)) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(recorder.waiting == 3)
            try await migrate()
            await fourth.value
            await recorder.flush()
            #expect(recorder.waiting == 0)
            #expect(try await store.query(.init(limit: 10)).map(\.requestId) == ["req-0", "req-1", "req-2", "req-3"])
        }
    }

    @Test func shutdownGivesUpWithinItsLimitAndReleasesWaitingCallers() async throws {
        try await Self.withStore(migrated: false) { store, _ in
            let recorder = TransactionRecorder(store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), capacity: 2, delay: .milliseconds(1))
            for number in 0..<2 { await recorder.record(Self.entry(number)) }
            let waiting = Task { await recorder.record(Self.entry(2)) }
            let started = ContinuousClock.now
            await recorder.flush(within: .milliseconds(400))
            await waiting.value
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(recorder.waiting == 3)
        }
    }
}
