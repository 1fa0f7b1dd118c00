import Foundation
import Testing

@testable import Core

@Suite struct SeedDataTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The compiled province table is generated from seed-data (scripts/gen-province-codes.py); the two
    /// must not drift apart.
    @Test func provinceTableMatchesSeedData() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("seed-data/provinces-before-2025.csv"), encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst()
        var fromSeed: [String: String] = [:]
        for row in rows {
            let fields = row.split(separator: ",", maxSplits: 1).map(String.init)
            fromSeed[fields[0]] = fields[1]
        }
        #expect(fromSeed.count == 63)
        #expect(fromSeed == ProvincesBefore2025.names)
    }

    /// The national stand-in's test citizens have valid-format personal ids consistent with their birth
    /// date and sex (scripts/gen-sim-citizens.py).
    @Test func simulatedCitizensHaveConsistentPersonalIDs() throws {
        struct File: Decodable {
            struct Citizen: Decodable { let personalId: String; let fullName: String; let birthDate: String; let sex: String }
            let citizens: [Citizen]
        }
        let data = try Data(contentsOf: Self.root.appendingPathComponent("seed-data/national-sim/citizens.json"))
        let citizens = try JSONDecoder().decode(File.self, from: data).citizens
        #expect(citizens.count >= 200)
        #expect(Set(citizens.map(\.personalId)).count == citizens.count)
        for citizen in citizens {
            let id = try PersonalID.validate(citizen.personalId, currentYear: 2026).get()
            #expect(String(id.birthYear) == String(citizen.birthDate.prefix(4)), "\(citizen.personalId)")
            #expect(id.sex.rawValue == citizen.sex, "\(citizen.personalId)")
            #expect(VietnameseText.nfc(citizen.fullName) == citizen.fullName)
        }
    }
}
