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
}
