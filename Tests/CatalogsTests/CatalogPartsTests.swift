import Core
import Foundation
import Testing

@testable import Catalogs

/// The pieces reads and imports stand on: days, search, CSV, validation, digests, diffs, signatures.
@Suite struct CatalogPartsTests {
    @Test func daysAreRealCalendarDays() {
        #expect(Day("2025-07-01") != nil)
        #expect(Day("2024-02-29") != nil)
        #expect(Day("2025-02-29") == nil)
        #expect(Day("2025-13-01") == nil)
        #expect(Day("2025-7-1") == nil)
        #expect(Day("01/07/2025") == nil)
        let window = Validity(from: Day("2025-07-01"), to: Day("2026-01-01"))
        #expect(window.contains(Day("2025-07-01")!))
        #expect(!window.contains(Day("2026-01-01")!))
        #expect(!window.contains(Day("2025-06-30")!))
        // Vietnam's day, not UTC's: 17:30 UTC on 30 June is already 1 July in Đắk Lắk.
        #expect(Day(Timestamp.date(from: "2025-06-30T17:30:00Z")!) == Day("2025-07-01"))
    }

    static let wards = [
        Concept(code: "66", display: "Tỉnh Đắk Lắk", level: "province"),
        Concept(code: "24133", display: "Phường Buôn Ma Thuột", displayEn: "Buon Ma Thuot Ward", parent: "66"),
        Concept(code: "24121", display: "Phường Tân Lập", parent: "66"),
        Concept(code: "24235", display: "Xã Buôn Đôn", parent: "66"),
        Concept(code: "24184", display: "Xã Ea H'Leo", parent: "66"),
        Concept(code: "22015", display: "Phường Tuy Hoà", parent: "66"),
    ]

    @Test func searchIgnoresAccentsAndCaseAndMatchesWordPrefixes() {
        let index = SearchIndex(concepts: Self.wards)
        func names(_ query: String) -> [String] { index.search(query).map { Self.wards[$0].display } }
        #expect(names("buon ma thuot") == ["Phường Buôn Ma Thuột"])
        #expect(names("BUÔN MA") == ["Phường Buôn Ma Thuột"])
        #expect(names("dak lak") == ["Tỉnh Đắk Lắk"])
        #expect(names("buon") == ["Xã Buôn Đôn", "Phường Buôn Ma Thuột"].sorted { $0.count < $1.count })
        // Hoà and Hòa are the same word to a searcher.
        #expect(names("tuy hòa") == ["Phường Tuy Hoà"])
        #expect(names("ea h") == ["Xã Ea H'Leo"])
        // Inside a word does not match: "uon" is not the start of any word.
        #expect(names("uon").isEmpty)
        #expect(names("24133") == ["Phường Buôn Ma Thuột"])
        #expect(names("ward") == ["Phường Buôn Ma Thuột"])
        #expect(names("   ").isEmpty)
    }

    @Test func searchRanksExactNamesFirst() {
        let concepts = [
            Concept(code: "1", display: "Xã Hòa Phú Đông"),
            Concept(code: "2", display: "Hòa Phú"),
            Concept(code: "3", display: "Xã Hòa Phú"),
        ]
        let index = SearchIndex(concepts: concepts)
        #expect(index.search("hoa phu").map { concepts[$0].code } == ["2", "3", "1"])
    }

    @Test func csvReadsQuotesLineBreaksAndByteOrderMarks() throws {
        let text = "\u{FEFF}code,display\r\n01,\"Kinh, Việt\"\r\n02,\"Tày \"\"cổ\"\"\"\n03,\"hai\ndòng\"\n\n04,cuối"
        let table = try CSVTable(parsing: text)
        #expect(table.records.map(\.fields) == [["code", "display"], ["01", "Kinh, Việt"], ["02", "Tày \"cổ\""], ["03", "hai\ndòng"], ["04", "cuối"]])
        #expect(table.records.map(\.line) == [1, 2, 3, 4, 7])
        let written = table.records.map { CSVTable.line($0.fields) }.joined()
        #expect(try CSVTable(parsing: written).records.map(\.fields) == table.records.map(\.fields))
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "a,b\n1,\"không đóng") }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "a,b\n1,x\"y\"") }
    }

    @Test func validatorFindsEveryProblemWithItsLine() {
        let concepts: [(Concept, ConceptValidator.Origin)] = [
            (Concept(code: "A", display: "Gốc"), .line(2)),
            (Concept(code: "B", display: "Con", parent: "A"), .line(3)),
            (Concept(code: "B", display: "Trùng"), .line(4)),
            (Concept(code: "C", display: "Mồ côi", parent: "Z"), .line(5)),
            (Concept(code: "D", display: "Vòng", parent: "E"), .line(6)),
            (Concept(code: "E", display: "Vòng", parent: "D"), .line(7)),
            (Concept(code: "F", display: "Ngày", validFrom: Day("2025-07-01"), validTo: Day("2025-01-01")), .line(8)),
            (Concept(code: "x y", display: ""), .line(9)),
            (Concept(code: "G", display: "Tự làm cha", parent: "G"), .line(10)),
        ]
        let errors = ConceptValidator.check(concepts)
        func lines(containing text: String) -> [Int] { errors.filter { $0.message.contains(text) }.compactMap(\.line).sorted() }
        #expect(lines(containing: "trùng") == [4])
        #expect(lines(containing: "Mã cha “Z”") == [5])
        #expect(lines(containing: "vòng lặp") == [6])
        #expect(errors.contains { $0.message.contains("D → E → D") })
        #expect(lines(containing: "Ngày hết hiệu lực") == [8])
        #expect(lines(containing: "không hợp lệ") == [9])
        #expect(lines(containing: "Thiếu tên") == [9])
        #expect(lines(containing: "chính nó") == [10])
        #expect(errors.allSatisfy { $0.pointer.hasPrefix("#row=") })
        #expect(ConceptValidator.check(Self.wards.map { ($0, .code($0.code)) }).isEmpty)
    }

    @Test func csvImportReportsLinesAndBadCells() throws {
        let csv = "code,display,validFrom,status,property.note\n01,Kinh,2025-07-01,active,\n02,Tày,2025-13-01,active,x\n03,Thái,,sometimes,\n"
        do {
            _ = try ConceptImport.parse(Data(csv.utf8), format: .csv)
            Issue.record("an invalid upload was accepted")
        } catch let problem as Problem {
            #expect(problem.type == .validation)
            #expect(problem.errors.map(\.line) == [3, 4])
        }
        let unknownColumn = "code,display,colour\n01,Kinh,đỏ\n"
        #expect(throws: Problem.self) { try ConceptImport.parse(Data(unknownColumn.utf8), format: .csv) }
        let good = try ConceptImport.parse(Data("code,display,property.note\n01,Kinh,có ghi chú\n02,Tày,\n".utf8), format: .csv)
        #expect(good.concepts.map(\.0) == [Concept(code: "01", display: "Kinh", properties: ["note": "có ghi chú"]), Concept(code: "02", display: "Tày")])
    }

    @Test func jsonImportPointsAtTheBadItem() throws {
        let body = #"{"concepts":[{"code":"01","display":"Kinh"},{"code":"02"},{"code":"03","display":"Thái","validTo":"2025-02-30"}]}"#
        do {
            _ = try ConceptImport.parse(Data(body.utf8), format: .json)
            Issue.record("an invalid upload was accepted")
        } catch let problem as Problem {
            #expect(problem.errors.map(\.pointer) == ["/concepts/1/display", "/concepts/2/validTo"])
        }
    }

    @Test func contentDigestIgnoresOrderButNotContent() {
        let a = ContentHash.of(concepts: Self.wards, mappings: [])
        #expect(a == ContentHash.of(concepts: Self.wards.reversed(), mappings: []))
        var changed = Self.wards
        changed[1].display = "Phường Buôn Ma Thuột (mới)"
        #expect(a != ContentHash.of(concepts: changed, mappings: []))
        let map = ConceptMap(target: "x", targetVersion: 1, elements: [.init(source: "A", target: "B", kind: .mergedWhole), .init(source: "C", target: "B", kind: .mergedWhole)])
        var reordered = map
        reordered.elements.reverse()
        #expect(ContentHash.of(concepts: Self.wards, mappings: [map]) == ContentHash.of(concepts: Self.wards, mappings: [reordered]))
        #expect(ContentHash.of(concepts: Self.wards, mappings: [map]) != a)
    }

    @Test func diffNamesTheFieldsThatChanged() {
        var new = Self.wards.filter { $0.code != "24121" }
        new[1].display = "Phường Buôn Ma Thuột mới"
        new[1].properties["note"] = "x"
        new.append(Concept(code: "99999", display: "Xã Mới", parent: "66"))
        let diff = VersionDiff(from: Self.wards, to: new)
        #expect(diff.summary == .init(added: 1, removed: 1, changed: 1, unchanged: 4))
        #expect(diff.added.map(\.code) == ["99999"])
        #expect(diff.removed.map(\.code) == ["24121"])
        #expect(diff.changed.first?.fields.map(\.field) == ["display", "properties.note"])
        #expect(diff.changed.first?.fields.first == .init(field: "display", from: "Phường Buôn Ma Thuột", to: "Phường Buôn Ma Thuột mới"))
    }

    @Test func webhookSignaturesVerifyAndExpire() {
        let body = Data(#"{"catalog":"dan-toc"}"#.utf8)
        let secret = Data("whsec_test".utf8)
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_800_000_000)
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_800_000_100))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: Data("other".utf8), now: 1_800_000_100))
        #expect(!WebhookSignature.verify(header: header, body: Data("{}".utf8), secret: secret, now: 1_800_000_100))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_800_001_000))
    }

    @Test func mappingKindsCarryTheirFHIRRelationship() {
        #expect(MappingKind.mergedWhole.fhirRelationship == "source-is-narrower-than-target")
        #expect(MappingKind.mergedPart.fhirRelationship == "source-is-broader-than-target")
        #expect(MappingKind.unchanged.fhirRelationship == "equivalent")
    }

    @Test func exportsEscapeWhatTheirFormatNeeds() {
        let concept = Concept(code: "01", display: "A \"quoted\", <tag> & more", properties: ["note": "line\nbreak"])
        let csv = String(buffer: CatalogExport.csv([concept], byteOrderMark: true))
        #expect(csv.hasPrefix("\u{FEFF}code,display,"))
        #expect(csv.contains("\"A \"\"quoted\"\", <tag> & more\""))
        let parsed = try? ConceptImport.parse(Data(csv.utf8), format: .csv)
        #expect(parsed?.concepts.first?.0 == concept)
        #expect(CatalogExport.escape("<a & \"b\">\u{1}") == "&lt;a &amp; &quot;b&quot;&gt;")
    }
}
