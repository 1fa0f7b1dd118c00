import Foundation

/// Vietnamese text helpers: NFC for storage and display, accent folding for search.
public enum VietnameseText {
    /// Unicode NFC: what the platform stores and shows (`Hoà` typed with a combining grave becomes one
    /// precomposed `à`).
    public static func nfc(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    /// Folds for search: lower case, no tone or vowel marks, `đ` → `d`, runs of white space → one space,
    /// trimmed. `Đắk Lắk` → `dak lak`, `Buôn Ma Thuột` → `buon ma thuot`, `Hoà` and `Hòa` → `hoa`.
    public static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let properties = scalar.properties
            if properties.generalCategory == .nonspacingMark || properties.generalCategory == .enclosingMark {
                continue
            }
            if properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            switch scalar {
            case "đ", "Đ", "ð", "Ð": out.append("d")
            default:
                for lowered in properties.lowercaseMapping.unicodeScalars { out.append(lowered) }
            }
        }
        return String(out)
    }

    /// Folded words, split at anything that is not a letter or digit: the terms a search index keeps.
    /// `Bà Rịa - Vũng Tàu` → `["ba", "ria", "vung", "tau"]`.
    public static func searchTerms(_ text: String) -> [String] {
        fold(text).split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// Folded words joined by one space: a key two spellings of the same name share.
    public static func searchKey(_ text: String) -> String {
        searchTerms(text).joined(separator: " ")
    }
}
