import Core
/// RFC 4180 CSV: comma-separated, fields with commas, quotes or line breaks in double quotes, quotes
/// doubled. Reads CRLF or LF, an optional UTF-8 byte order mark (Excel writes one) and remembers the line
/// each record starts on, for error messages.
struct CSVTable: Sendable {
    struct Record: Sendable {
        /// 1-based line in the file where the record starts.
        let line: Int
        let fields: [String]
    }

    let records: [Record]

    struct ParseError: Error, Sendable {
        let line: Int
        let message: String
    }

    init(parsing text: String) throws(ParseError) {
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quotedField = false
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var index = 0
        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            quotedField = false
        }
        func endRecord() {
            endField()
            // A blank line is not a record.
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if inQuotes {
                if scalar == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
            } else {
                switch scalar {
                case ",":
                    endField()
                case "\r":
                    if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                    endRecord()
                    line += 1
                    recordLine = line
                case "\n":
                    endRecord()
                    line += 1
                    recordLine = line
                case "\"":
                    guard field.isEmpty, !quotedField else {
                        throw ParseError(line: line, message: "dấu ngoặc kép (\") nằm giữa ô; ô có dấu ngoặc kép phải được bao trong ngoặc kép và nhân đôi dấu bên trong")
                    }
                    inQuotes = true
                    quotedField = true
                default:
                    if quotedField {
                        throw ParseError(line: line, message: "có ký tự sau dấu ngoặc kép đóng của ô")
                    }
                    field.append(scalar)
                }
            }
            index += 1
        }
        if inQuotes {
            throw ParseError(line: recordLine, message: "ô mở ngoặc kép nhưng không đóng đến hết tệp")
        }
        if !field.isEmpty || !fields.isEmpty || quotedField {
            endRecord()
        }
        self.records = records
    }

    /// One record as a CSV line (with CRLF, as RFC 4180 says).
    static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    static func escape(_ field: String) -> String {
        CSVText.field(field)
    }
}
