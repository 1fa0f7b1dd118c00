import Testing

@testable import Core

@Suite struct PersonalIDTests {
    @Test func validNumbersDecodeProvinceSexAndYear() throws {
        let man = try PersonalID.validate("066085000123", currentYear: 2026).get()
        #expect(man.provinceCode == "066")
        #expect(man.provinceName == "Tỉnh Đắk Lắk")
        #expect(man.sex == .male)
        #expect(man.birthYear == 1985)

        let woman = try PersonalID.validate(" 054301001234 ", currentYear: 2026).get()
        #expect(woman.provinceName == "Tỉnh Phú Yên")
        #expect(woman.sex == .female)
        #expect(woman.birthYear == 2001)
        #expect(woman.value == "054301001234")

        #expect(try PersonalID.validate("001226000001", currentYear: 2026).get().birthYear == 2026)
    }

    @Test(arguments: [
        ("06608500012", "personal-id.length"),
        ("0660850001234", "personal-id.length"),
        ("06608500012A", "personal-id.digits"),
        ("066 85000123", "personal-id.digits"),
        ("٠٦٦٠٨٥٠٠٠١٢٣", "personal-id.digits"),  // Arabic-Indic digits
        ("003085000123", "personal-id.province"),  // 003 is no province
        ("097085000123", "personal-id.province"),
        ("066227000001", "personal-id.birth-year"),  // 2027 is in the future
        ("066400000001", "personal-id.birth-year"),  // 2100s
        ("066985000123", "personal-id.birth-year"),
    ])
    func invalidNumbersSayWhy(text: String, code: String) {
        switch PersonalID.validate(text, currentYear: 2026) {
        case .success: Issue.record("\(text) should be invalid")
        case .failure(let error):
            #expect(error.code == code)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func everyPre2025ProvinceIsKnown() {
        #expect(ProvincesBefore2025.names.count == 63)
        #expect(ProvincesBefore2025.names["001"] == "Thành phố Hà Nội")
        #expect(ProvincesBefore2025.names["096"] == "Tỉnh Cà Mau")
        #expect(ProvincesBefore2025.names["003"] == nil)
    }
}

@Suite struct TaxCodeTests {
    @Test func checkDigitFollowsCircular105() {
        // 0 1 0 0 1 0 9 1 0: 0·31+1·29+0·23+0·19+1·17+0·13+9·7+1·5+0·3 = 114; 114 mod 11 = 4; 10 − 4 = 6.
        #expect(TaxCode.checkDigit([0, 1, 0, 0, 1, 0, 9, 1, 0]) == 6)
        // A sum divisible by 11 admits no check digit: 000000000 → 10 − 0 = 10.
        #expect(TaxCode.checkDigit([0, 0, 0, 0, 0, 0, 0, 0, 0]) == nil)
    }

    @Test func validCodesAndBranches() throws {
        let enterprise = try TaxCode.validate("0100109106").get()
        #expect(enterprise.enterprise == "0100109106")
        #expect(enterprise.branch == nil)
        let branch = try TaxCode.validate("0100109106-001").get()
        #expect(branch.enterprise == "0100109106")
        #expect(branch.branch == "001")
    }

    @Test(arguments: [
        ("0100109107", "tax-code.check-digit"),
        ("0000000000", "tax-code.check-digit"),
        ("010010910", "tax-code.format"),
        ("01001091066", "tax-code.format"),
        ("0100109106-01", "tax-code.format"),
        ("0100109106-", "tax-code.format"),
        ("0100109106-0001", "tax-code.format"),
        ("0100109106-000", "tax-code.branch"),
        ("01001O9106", "tax-code.format"),
        ("0100109106_001", "tax-code.format"),
    ])
    func invalidCodesSayWhy(text: String, code: String) {
        switch TaxCode.validate(text) {
        case .success: Issue.record("\(text) should be invalid")
        case .failure(let error): #expect(error.code == code)
        }
    }
}

@Suite struct AgencyCodeTests {
    @Test func qcvn102LevelsReadRightToLeft() throws {
        let committee = try AgencyCode.validate("000.00.00.H49").get()
        #expect(committee.format == .qcvn102)
        #expect(committee.level == 1)
        #expect(committee.levelOne == "H49")
        #expect(committee.parent == nil)

        let department = try AgencyCode.validate("000.00.31.H49").get()
        #expect(department.level == 2)
        #expect(department.parent?.value == "000.00.00.H49")

        let office = try AgencyCode.validate("000.05.31.H49").get()
        #expect(office.level == 3)
        #expect(office.parent?.value == "000.00.31.H49")

        let unit = try AgencyCode.validate("012.05.31.H49").get()
        #expect(unit.level == 4)
        #expect(unit.parent?.value == "000.05.31.H49")
        #expect(committee.contains(unit))
        #expect(department.contains(office))
        #expect(!office.contains(department))
        #expect(!(try AgencyCode.validate("000.00.31.H50").get()).contains(unit))
    }

    @Test func decision20LevelsReadLeftToRight() throws {
        let province = try AgencyCode.validate("H27").get()
        #expect(province.format == .decision20)
        #expect(province.level == 1)
        let unit = try AgencyCode.validate("H27.01").get()
        #expect(unit.level == 2)
        #expect(unit.parent?.value == "H27")
        let deep = try AgencyCode.validate("H27.01.A2.003").get()
        #expect(deep.level == 4)
        #expect(province.contains(deep))
    }

    @Test(arguments: [
        ("000.05.00.H49", "agency-code.qcvn102.hierarchy"),  // level 3 without level 2
        ("001.00.31.H49", "agency-code.qcvn102.hierarchy"),  // level 4 without level 3
        ("00.00.00.H49", "agency-code.qcvn102.format"),
        ("000.00.00.h49", "agency-code.qcvn102.format"),
        ("000.00.00.H4", "agency-code.qcvn102.format"),
        ("000.0A.00.H49", "agency-code.qcvn102.format"),
        ("h27.01", "agency-code.decision20.format"),
        ("H27..01", "agency-code.decision20.format"),
        ("H27.01.", "agency-code.decision20.format"),
        ("H27.0-1", "agency-code.decision20.format"),
        ("27.01", "agency-code.decision20.format"),
        ("", "agency-code.decision20.format"),
    ])
    func invalidCodesSayWhy(text: String, code: String) {
        switch AgencyCode.validate(text) {
        case .success: Issue.record("\(text) should be invalid")
        case .failure(let error): #expect(error.code == code)
        }
    }

    @Test func decision20CodesAreAtMost35Characters() {
        let longest = "H27." + Array(repeating: "01", count: 10).joined(separator: ".") + ".0"
        #expect(longest.count == 35)
        #expect((try? AgencyCode.validate(longest).get()) != nil)
        #expect((try? AgencyCode.validate(longest + "1").get()) == nil)
    }
}

@Suite struct DossierCodeTests {
    @Test func validCode() throws {
        let code = try DossierCode.validate("000.00.31.H49-250701-0001").get()
        #expect(code.agency.value == "000.00.31.H49")
        #expect((code.year, code.month, code.day, code.sequence) == (2025, 7, 1, 1))
    }

    @Test(arguments: [
        ("000.00.31.H49-250230-0001", "dossier-code.date"),
        ("000.00.31.H49-251301-0001", "dossier-code.date"),
        ("000.00.31.H49-250701-0000", "dossier-code.sequence"),
        ("000.00.31.H49-250701-001", "dossier-code.format"),
        ("H49.31-250701-0001", "agency-code.qcvn102.format"),
        ("000.00.31.H49/250701/0001", "dossier-code.format"),
    ])
    func invalidCodesSayWhy(text: String, code: String) {
        switch DossierCode.validate(text) {
        case .success: Issue.record("\(text) should be invalid")
        case .failure(let error): #expect(error.code == code)
        }
    }
}
