import Crypto
import LGSPTesting
import SQLKit
import Testing

@testable import Core

/// R-14.5: every integration, sharing and exploitation activity is logged, in a chain that shows tampering.
@Suite struct AuditLogTests {
    static let masterKey = MasterKey.generate()
    static func withLog(entries count: Int, _ body: (AuditLog, Database) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try await MigrationRunner(database: database, logger: TestDatabase.logger).run([AuditLog.migrations])
            let log = AuditLog(database: database, masterKey: Self.masterKey)
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
            for trigger in ["audit_entries_no_update", "audit_entries_no_delete", "audit_head_no_delete", "audit_head_forward_only"] {
                try await database.sql.raw(SQLQueryString("DROP TRIGGER \(unsafeRaw: trigger)")).run()
            }
        case .postgres:
            for (trigger, table) in [
                ("audit_entries_append_only", "audit_entries"), ("audit_entries_no_truncate", "audit_entries"),
                ("audit_head_no_delete", "audit_head"), ("audit_head_no_truncate", "audit_head"), ("audit_head_forward", "audit_head"),
            ] {
                try await database.sql.raw(SQLQueryString("DROP TRIGGER \(unsafeRaw: trigger) ON \(unsafeRaw: table)")).run()
            }
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
            #expect(entries.allSatisfy { $0.isIntact(key: AuditEntry.chainKey(Self.masterKey)) })
            #expect(entries[2].event.outcome == .denied)
            #expect(entries[0].event.details["note"] == "Đắk Lắk \"quoted\" \\ \n line")
            let report = try await Self.verify(log)
            #expect(report.problem == nil)
            #expect(report.entriesChecked == 5)
            #expect(report.headSeq == 5)
            #expect(report.headHash == entries[4].hash)
        }
    }

    @Test func anEmptyLogVerifies() async throws {
        try await Self.withLog(entries: 0) { log, _ in
            let report = try await Self.verify(log)
            #expect(report.problem == nil && report.entriesChecked == 0 && report.headSeq == 0)
        }
    }

    static func expectRefused(_ database: Database, _ statement: SQLQueryString) async {
        do {
            try await database.sql.raw(statement).run()
            Issue.record("the database accepted: \(statement)")
        } catch {
            // The trigger's own message, not some other failure.
            let text = String(reflecting: error)
            #expect(text.contains("append-only") || text.contains("only moves forward") || text.contains("cannot be removed"), "\(text)")
        }
    }

    @Test func theDatabaseRefusesUpdatesDeletesAndHeadRewinds() async throws {
        try await Self.withLog(entries: 2) { log, database in
            await Self.expectRefused(database, "UPDATE audit_entries SET outcome = 'success' WHERE seq = 1")
            await Self.expectRefused(database, "DELETE FROM audit_entries WHERE seq = 2")
            await Self.expectRefused(database, "UPDATE audit_head SET seq = 0")
            await Self.expectRefused(database, "DELETE FROM audit_head")
            if database.engine == .postgres {
                await Self.expectRefused(database, "TRUNCATE audit_entries")
                await Self.expectRefused(database, "TRUNCATE audit_head")
            }
            let report = try await Self.verify(log)
            #expect(report.isIntact)
            #expect(report.entriesChecked == 2)
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

    /// Without the key, a rewritten chain does not verify: here the forger rewrites entry 3 and every
    /// entry after it, and the head, consistently — with a key of their own.
    @Test func aChainRewrittenWithoutTheKeyIsNamed() async throws {
        try await Self.withLog(entries: 5) { log, database in
            try await Self.dropTriggers(database)
            let forgerKey = SymmetricKey(size: .bits256)
            let entries = try await log.entries()
            var previous = entries[1].hash
            for original in entries[2...] {
                var event = original.event
                if original.seq == 3 { event.subject = "someone-else" }
                let forged = AuditEntry(seq: original.seq, at: original.at, event: event, previousHash: previous, key: forgerKey)
                try await database.sql.raw(
                    "UPDATE audit_entries SET subject = \(bind: event.subject), prev_hash = \(bind: previous), hash = \(bind: forged.hash) WHERE seq = \(bind: original.seq)"
                ).run()
                previous = forged.hash
            }
            try await database.sql.raw("UPDATE audit_head SET hash = \(bind: previous)").run()
            #expect(try await Self.verify(log).problem == .altered(seq: 3))
        }
    }

    @Test func entriesSlippedInOutsideTheChainAreNamed() async throws {
        for seq in [0, -4, 99] {
            try await Self.withLog(entries: 3) { log, database in
                let copy = try await log.entries()[0]
                try await database.sql.raw(
                    """
                    INSERT INTO audit_entries (seq, at, action, outcome, digests, details, prev_hash, hash)
                    VALUES (\(bind: seq), \(bind: copy.at), 'sso.login', 'success', '{}', '{}', \(bind: copy.previousHash), \(bind: copy.hash))
                    """
                ).run()
                #expect(try await Self.verify(log).problem == .unexpected(seq: Int64(seq)))
            }
        }
    }

    @Test func appendsDuringVerificationAreNotMistakenForTampering() async throws {
        try await Self.withLog(entries: 20) { log, _ in
            let writer = Task {
                for index in 0..<60 {
                    try await log.record(AuditEvent(action: "test.live", outcome: .success, objectID: String(index)))
                }
            }
            for _ in 0..<10 {
                let report = try await AuditVerifier(log: log, pageSize: 4).verify()
                #expect(report.isIntact, "\(String(describing: report.problem))")
            }
            try await writer.value
            #expect(try await AuditVerifier(log: log).verify().entriesChecked == 80)
        }
    }

    @Test func aWrongKeyFindsEveryEntryAltered() async throws {
        try await Self.withLog(entries: 2) { log, database in
            let other = AuditLog(database: database, masterKey: MasterKey.generate())
            let withOtherKey = try await AuditVerifier(log: other).verify()
            let withRightKey = try await AuditVerifier(log: log).verify()
            #expect(withOtherKey.problem == .altered(seq: 1))
            #expect(withRightKey.isIntact)
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
            #expect(report.isIntact && report.entriesChecked == 40)
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
        let key = SymmetricKey(data: Array(repeating: UInt8(7), count: 32))
        let entry = AuditEntry(seq: 1, at: "2026-11-29T01:00:00.000000Z", event: event, previousHash: AuditEntry.genesisHash, key: key)
        #expect(entry.hash == Array(HMAC<SHA256>.authenticationCode(for: Array(encoded.utf8), using: key)).hexString)
        #expect(entry.isIntact(key: key))
        #expect(CanonicalJSON.quote("a\u{01}b") == #""a\u0001b""#)
    }
}
