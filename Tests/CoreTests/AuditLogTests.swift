import LGSPTesting
import SQLKit
import Testing

@testable import Core

/// R-14.5: every integration, sharing and exploitation activity is logged, in a chain that shows tampering.
@Suite struct AuditLogTests {
    static func withLog(entries count: Int, _ body: (AuditLog, Database) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try await MigrationRunner(database: database, logger: TestDatabase.logger).run([AuditLog.migrations])
            let log = AuditLog(database: database)
            for index in 1...max(count, 1) where count > 0 {
                try await log.record(AuditEvent(
                    action: "gateway.call", outcome: index % 3 == 0 ? .denied : .success,
                    subject: "user-\(index)", client: "client-a", agency: "000.00.31.H49",
                    objectType: "service", objectID: "svc-\(index)", requestID: "req-\(index)",
                    digests: ["request": "sha256:" + String(repeating: "ab", count: 32)],
                    details: ["status": "200", "note": "Đắk Lắk \"quoted\" \\ \n line"]
                ))
            }
            try await body(log, database)
        }
    }

    /// Someone with the database owner's rights removes the append-only triggers first.
    static func dropTriggers(_ database: Database) async throws {
        switch database.engine {
        case .sqlite:
            try await database.sql.raw("DROP TRIGGER audit_entries_no_update").run()
            try await database.sql.raw("DROP TRIGGER audit_entries_no_delete").run()
        case .postgres:
            try await database.sql.raw("DROP TRIGGER audit_entries_append_only ON audit_entries").run()
        }
    }

    static func verify(_ log: AuditLog) async throws -> AuditVerifier.Report {
        // A small page size so the walk crosses pages.
        try await AuditVerifier(log: log, pageSize: 3).verify()
    }

    @Test func entriesChainFromGenesis() async throws {
        try await Self.withLog(entries: 5) { log, _ in
            let entries = try await log.entries()
            #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(entries[0].previousHash == AuditEntry.genesisHash)
            for (previous, entry) in zip(entries, entries.dropFirst()) {
                #expect(entry.previousHash == previous.hash)
            }
            #expect(entries.allSatisfy { $0.isIntact })
            #expect(entries[2].event.outcome == .denied)
            #expect(entries[0].event.details["note"] == "Đắk Lắk \"quoted\" \\ \n line")
            let report = try await Self.verify(log)
            #expect(report == .init(entriesChecked: 5, problem: nil))
        }
    }

    @Test func anEmptyLogVerifies() async throws {
        try await Self.withLog(entries: 0) { log, _ in
            let report = try await Self.verify(log)
            #expect(report == .init(entriesChecked: 0, problem: nil))
        }
    }

    @Test func theDatabaseRefusesUpdatesAndDeletes() async throws {
        try await Self.withLog(entries: 2) { log, database in
            await #expect(throws: (any Error).self) {
                try await database.sql.raw("UPDATE audit_entries SET outcome = 'success' WHERE seq = 1").run()
            }
            await #expect(throws: (any Error).self) {
                try await database.sql.raw("DELETE FROM audit_entries WHERE seq = 2").run()
            }
            let report = try await Self.verify(log)
            #expect(report.isIntact)
        }
    }

    @Test func anEditedEntryIsNamed() async throws {
        try await Self.withLog(entries: 7) { log, database in
            try await Self.dropTriggers(database)
            try await database.sql.raw("UPDATE audit_entries SET outcome = 'success' WHERE seq = 6").run()
            let report = try await Self.verify(log)
            #expect(report.problem == .altered(seq: 6))
            #expect(report.entriesChecked == 5)
        }
    }

    @Test func anEditedDetailIsNamed() async throws {
        try await Self.withLog(entries: 4) { log, database in
            try await Self.dropTriggers(database)
            try await database.sql.raw("UPDATE audit_entries SET details = '{\"status\":\"500\"}' WHERE seq = 2").run()
            #expect(try await Self.verify(log).problem == .altered(seq: 2))
        }
    }

    @Test func anEditRecomputingTheHashStillBreaksTheChain() async throws {
        try await Self.withLog(entries: 5) { log, database in
            try await Self.dropTriggers(database)
            var forged = try await log.entries()[2]
            var event = forged.event
            event.subject = "someone-else"
            forged = AuditEntry(seq: forged.seq, at: forged.at, event: event, previousHash: forged.previousHash)
            try await database.sql.raw(
                "UPDATE audit_entries SET subject = 'someone-else', hash = \(bind: forged.hash) WHERE seq = 3"
            ).run()
            #expect(try await Self.verify(log).problem == .linkBroken(seq: 4))
        }
    }

    @Test func aDeletedEntryIsNamed() async throws {
        try await Self.withLog(entries: 7) { log, database in
            try await Self.dropTriggers(database)
            try await database.sql.raw("DELETE FROM audit_entries WHERE seq = 4").run()
            #expect(try await Self.verify(log).problem == .missing(seq: 4, nextPresent: 5))
        }
    }

    @Test func deletedEntriesAtTheEndAreNamed() async throws {
        try await Self.withLog(entries: 6) { log, database in
            try await Self.dropTriggers(database)
            try await database.sql.raw("DELETE FROM audit_entries WHERE seq >= 5").run()
            #expect(try await Self.verify(log).problem == .missing(seq: 5, nextPresent: nil))
        }
    }

    @Test func aDeletionRenumberedToHideTheGapIsNamed() async throws {
        try await Self.withLog(entries: 6) { log, database in
            try await Self.dropTriggers(database)
            try await database.sql.raw("DELETE FROM audit_entries WHERE seq = 3").run()
            try await database.sql.raw("UPDATE audit_entries SET seq = seq - 1 WHERE seq > 3").run()
            try await database.sql.raw("UPDATE audit_head SET seq = 5").run()
            #expect(try await Self.verify(log).problem == .altered(seq: 3))
        }
    }

    @Test func reorderedEntriesAreNamed() async throws {
        try await Self.withLog(entries: 6) { log, database in
            try await Self.dropTriggers(database)
            // Swap entries 3 and 4.
            try await database.sql.raw("UPDATE audit_entries SET seq = -3 WHERE seq = 3").run()
            try await database.sql.raw("UPDATE audit_entries SET seq = 3 WHERE seq = 4").run()
            try await database.sql.raw("UPDATE audit_entries SET seq = 4 WHERE seq = -3").run()
            let problem = try await Self.verify(log).problem
            #expect(problem == .altered(seq: 3))
        }
    }

    @Test func reorderedTimesAreNamed() async throws {
        try await Self.withLog(entries: 4) { log, database in
            try await Self.dropTriggers(database)
            let entries = try await log.entries()
            try await database.sql.raw("UPDATE audit_entries SET at = \(bind: entries[2].at) WHERE seq = 2").run()
            try await database.sql.raw("UPDATE audit_entries SET at = \(bind: entries[1].at) WHERE seq = 3").run()
            #expect(try await Self.verify(log).problem == .altered(seq: 2))
        }
    }

    @Test func concurrentAppendsFormOneChain() async throws {
        try await Self.withLog(entries: 0) { log, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await log.record(AuditEvent(action: "test.concurrent", outcome: .success, objectID: String(index)))
                    }
                }
                try await group.waitForAll()
            }
            let report = try await AuditVerifier(log: log).verify()
            #expect(report == .init(entriesChecked: 40, problem: nil))
            #expect(Set(try await log.entries().compactMap(\.event.objectID)).count == 40)
        }
    }

    @Test func canonicalEncodingIsFixed() {
        // Version 1 of the encoding must never change: old chains must keep verifying after upgrades.
        let event = AuditEvent(
            action: "sso.login", outcome: .success, subject: "u1", details: ["b": "2", "a": "Lắk"]
        )
        let encoded = AuditEntry.canonicalEncoding(seq: 1, at: "2026-11-29T01:00:00.000000Z", event: event, previousHash: AuditEntry.genesisHash)
        #expect(encoded == #"{"action":"sso.login","agency":null,"at":"2026-11-29T01:00:00.000000Z","client":null,"details":{"a":"Lắk","b":"2"},"digests":{},"object_id":null,"object_type":null,"outcome":"success","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","request_id":null,"seq":1,"subject":"u1","v":1}"#)
        let entry = AuditEntry(seq: 1, at: "2026-11-29T01:00:00.000000Z", event: event, previousHash: AuditEntry.genesisHash)
        #expect(entry.hash.count == 64)
        #expect(CanonicalJSON.quote("a\u{01}b") == #""a\u0001b""#)
    }
}
