import Testing

@testable import Core

@Suite struct VietnameseTextTests {
    @Test(arguments: [
        ("Đắk Lắk", "dak lak"),
        ("Buôn Ma Thuột", "buon ma thuot"),
        ("Hoà", "hoa"),
        ("Hòa", "hoa"),
        ("PHƯỜNG TÂN LẬP", "phuong tan lap"),
        ("  Ea   H'leo\t", "ea h'leo"),
        ("Krông Pắc", "krong pac"),
        ("Ơ Đu", "o du"),
        ("Rơ-măm", "ro-mam"),
        ("Thuỷ", "thuy"),
        ("Thủy", "thuy"),
    ])
    func folding(text: String, folded: String) {
        #expect(VietnameseText.fold(text) == folded)
    }

    @Test func decomposedInputFoldsLikePrecomposed() {
        let decomposed = "Ho\u{0061}\u{0300}"  // "Hoà" with a combining grave
        // Swift compares strings by canonical equivalence; the scalars differ.
        #expect(Array(decomposed.unicodeScalars) != Array("Hoà".unicodeScalars))
        #expect(VietnameseText.fold(decomposed) == "hoa")
        #expect(VietnameseText.nfc(decomposed) == "Hoà")
        #expect(VietnameseText.nfc(decomposed).unicodeScalars.count == 3)
    }

    @Test func oldAndNewTonePlacementShareASearchKey() {
        // "Hoà"/"Hòa", "Thuỷ"/"Thủy" are spelled both ways in official data.
        #expect(VietnameseText.searchKey("Xã Hoà Phú") == VietnameseText.searchKey("xã hòa phú"))
        #expect(VietnameseText.searchKey("Thuỷ") == VietnameseText.searchKey("Thủy"))
    }

    @Test func searchTermsSplitAtPunctuation() {
        #expect(VietnameseText.searchTerms("Tỉnh Bà Rịa - Vũng Tàu") == ["tinh", "ba", "ria", "vung", "tau"])
        #expect(VietnameseText.searchTerms("") == [])
    }
}
