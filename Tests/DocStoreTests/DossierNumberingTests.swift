import Core
import Foundation
import LGSPTesting
import Testing

@testable import DocStore

/// Dossier codes (Circular 01/2018/TT-VPCP Art. 19; R-7.1c-dossier): distinct under concurrency, per
/// agency and day in Vietnam, and a rolled-back dossier gives its number back.
@Suite struct DossierNumberingTests {
    static let agency = "000.00.31.H49"

    /// A fresh database whose connections may be waited for long: 200 writers queue behind each other,
    /// and the machine runs the rest of the suite at the same time.
    static func migrated(_ body: (Database) async throws -> Void) async throws {
        let (location, cleanup) = try await TestDatabase.makeLocation()
        let database = try Database.open(location, acquireTimeout: .seconds(120), logger: TestDatabase.logger)
        do {
            try await MigrationRunner(database: database, logger: TestDatabase.logger).run([MigrationSet(module: "docstore", migrations: DocStoreMigrations.all)])
            try await body(database)
        } catch {
            await database.close()
            await cleanup()
            throw error
        }
        await database.close()
        await cleanup()
    }

    @Test func twoHundredDossiersAtOnceGetTwoHundredDistinctCodes() async throws {
        try await Self.migrated { database in
            // 10:00 in Vietnam on 2026-07-01.
            let day = Date(timeIntervalSince1970: 1_782_874_800)
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await database.transaction { sql in
                            try await DossierNumbering.next(agency: Self.agency, on: day, in: sql).value
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(codes).count == 200)
            #expect(Set(codes) == Set((1...200).map { String(format: "\(Self.agency)-260701-%04d", $0) }))
            #expect(codes.allSatisfy { if case .success = DossierCode.validate($0) { true } else { false } })
        }
    }

    static func issue(_ database: Database, _ agency: String, _ date: Date) async throws -> String {
        try await database.transaction { sql in try await DossierNumbering.next(agency: agency, on: date, in: sql).value }
    }

    @Test func eachAgencyAndDayCountsFromOneAndRollbacksGiveTheNumberBack() async throws {
        struct Abandoned: Error {}
        try await Self.migrated { database in
            let evening = Date(timeIntervalSince1970: 1_782_910_800)  // 2026-07-01 20:00 in Vietnam = 13:00 UTC
            let midnight = Date(timeIntervalSince1970: 1_782_925_200)  // 2026-07-02 00:00 in Vietnam (17:00 UTC the day before)
            let first = try await Self.issue(database, Self.agency, evening)
            #expect(first == "\(Self.agency)-260701-0001")
            await #expect(throws: Abandoned.self) {
                try await database.transaction { sql in
                    _ = try await DossierNumbering.next(agency: Self.agency, on: evening, in: sql)
                    throw Abandoned()
                }
            }
            let second = try await Self.issue(database, Self.agency, evening)
            let nextDay = try await Self.issue(database, Self.agency, midnight)
            let otherAgency = try await Self.issue(database, "000.00.32.H49", evening)
            #expect(second == "\(Self.agency)-260701-0002")
            #expect(nextDay == "\(Self.agency)-260702-0001", "the day is Vietnam's")
            #expect(otherAgency == "000.00.32.H49-260701-0001")
            await #expect(throws: DossierNumbering.Failure.invalidAgency("H49.01")) {
                _ = try await Self.issue(database, "H49.01", evening)
            }
        }
    }
}
