/// CSV as RFC 4180 writes it.
public enum CSVText {
    /// One field: quoted when it holds a comma, a quote or a line break, or starts or ends with white
    /// space (which spreadsheet programs would trim); quotes inside doubled.
    public static func field(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
