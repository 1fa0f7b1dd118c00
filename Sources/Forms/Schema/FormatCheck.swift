#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `format` values checked as assertions (a form that says `"format": "date"` gets dates only):
/// `date` and `date-time` (RFC 3339, with leap years and leap seconds), `email` (RFC 5321 mailbox:
/// dot-atom or quoted local part; host name or address literal) and `uri` (RFC 3986 absolute URI).
/// Other formats are annotations: the compiler reports them, and publishing a form refuses them.
enum FormatCheck {
    static let asserted: Set<String> = ["date", "date-time", "email", "uri"]

    /// nil: not a format we check.
    static func check(_ format: String, _ text: String) -> Bool? {
        switch format {
        case "date": return isDate(text)
        case "date-time": return isDateTime(Array(text.utf8))
        case "email": return isEmail(text)
        case "uri": return isURI(Array(text.utf8))
        default: return nil
        }
    }

    // MARK: RFC 3339

    static func digits<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func isDate(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isDate($0) }
    }

    static func isDate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let year = digits(b[0..<4]), let month = digits(b[5..<7]), let day = digits(b[8..<10])
        else { return false }
        return (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
    }

    static func isDateTime(_ b: [UInt8]) -> Bool {
        guard b.count >= 20, b[0..<10].withUnsafeBufferPointer({ isDate($0) }), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") else { return false }
        let t = Array(b[11...])
        guard t.count >= 9, t[2] == UInt8(ascii: ":"), t[5] == UInt8(ascii: ":"),
            let hour = digits(t[0..<2]), let minute = digits(t[3..<5]), let second = digits(t[6..<8]),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = 8
        if t[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < t.count, t[index] >= 0x30, t[index] <= 0x39 { index += 1 }
            guard index > start else { return false }
        }
        guard index < t.count else { return false }
        var offsetMinutes = 0
        switch t[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index == t.count - 1 else { return false }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let o = t[(index + 1)...]
            guard o.count == 5, o[o.startIndex + 2] == UInt8(ascii: ":"),
                let oh = digits(o[o.startIndex..<(o.startIndex + 2)]), let om = digits(o[(o.startIndex + 3)...]),
                oh <= 23, om <= 59
            else { return false }
            offsetMinutes = (oh * 60 + om) * (t[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return false
        }
        if second == 60 {
            // A leap second is 23:59:60 in UTC.
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            guard utc == 23 * 60 + 59 else { return false }
        }
        return true
    }

    // MARK: Addresses

    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard let value = digits(ArraySlice(part.utf8)), part.count <= 3 else { return false }
            return value <= 255 && (part.count == 1 || part.first != "0")
        }
    }

    static func isIPv6(_ text: Substring) -> Bool {
        guard text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return false }
        // An embedded IPv4 address follows the strict dotted-quad rules.
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(text[text.index(after: lastColon)...]) else { return false }
        }
        var address = in6_addr()
        return String(text).withCString { inet_pton(AF_INET6, $0, &address) } == 1
    }

    static func isHostname(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    // MARK: RFC 5321 mailbox

    static let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")

    static func isEmail(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, local.utf8.count <= 64 else { return false }
        if local.first == "\"" {
            guard local.count >= 2, local.last == "\"" else { return false }
            var escaped = false
            for character in local.dropFirst().dropLast() {
                guard character.isASCII else { return false }
                if escaped { escaped = false; continue }
                if character == "\\" { escaped = true; continue }
                if character == "\"" { return false }
                guard let value = character.asciiValue, value >= 32, value != 127 else { return false }
            }
            if escaped { return false }
        } else {
            let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
            guard atoms.allSatisfy({ !$0.isEmpty && $0.allSatisfy { atext.contains($0) } }) else { return false }
        }
        if domain.first == "[" {
            guard domain.last == "]" else { return false }
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return isIPv6(literal.dropFirst(5)) }
            return isIPv4(literal)
        }
        return isHostname(domain)
    }

    // MARK: RFC 3986 absolute URI

    static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    static func isSubDelim(_ b: UInt8) -> Bool {
        "!$&'()*+,;=".utf8.contains(b)
    }

    static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    /// Every byte is allowed by `extra` or is unreserved, a sub-delimiter or a valid percent-escape.
    static func allowed(_ b: ArraySlice<UInt8>, extra: String) -> Bool {
        var index = b.startIndex
        while index < b.endIndex {
            let byte = b[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < b.endIndex, isHex(b[index + 1]), isHex(b[index + 2]) else { return false }
                index += 3
                continue
            }
            guard isUnreserved(byte) || isSubDelim(byte) || extra.utf8.contains(byte) else { return false }
            index += 1
        }
        return true
    }

    static func isURI(_ b: [UInt8]) -> Bool {
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return false }
        let scheme = b[..<colon]
        guard let first = scheme.first, (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A),
            scheme.allSatisfy({ isUnreserved($0) && $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: "~") || $0 == UInt8(ascii: "+") })
        else { return false }
        var rest = b[(colon + 1)...]
        var fragment: ArraySlice<UInt8>?
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            fragment = rest[(hash + 1)...]
            rest = rest[..<hash]
        }
        var query: ArraySlice<UInt8>?
        if let mark = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[(mark + 1)...]
            rest = rest[..<mark]
        }
        if let fragment, !allowed(fragment, extra: ":@/?") { return false }
        if let query, !allowed(query, extra: ":@/?") { return false }
        var path = rest
        if rest.starts(with: "//".utf8) {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(of: UInt8(ascii: "/")) ?? afterSlashes.endIndex
            guard isAuthority(afterSlashes[..<end]) else { return false }
            path = afterSlashes[end...]
        }
        return allowed(path, extra: ":@/")
    }

    static func isAuthority(_ a: ArraySlice<UInt8>) -> Bool {
        var hostPort = a
        if let at = a.lastIndex(of: UInt8(ascii: "@")) {
            guard allowed(a[..<at], extra: ":") else { return false }
            hostPort = a[(at + 1)...]
        }
        var host = hostPort
        var port: ArraySlice<UInt8>?
        if hostPort.first == UInt8(ascii: "[") {
            guard let close = hostPort.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = String(decoding: hostPort[(hostPort.startIndex + 1)..<close], as: UTF8.self)
            guard isIPv6(Substring(literal)) || (literal.first == "v" || literal.first == "V") else { return false }
            let after = hostPort[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { return false }
                port = after.dropFirst()
            }
            host = []
        } else if let colon = hostPort.lastIndex(of: UInt8(ascii: ":")) {
            host = hostPort[..<colon]
            port = hostPort[(colon + 1)...]
        }
        if let port, !port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return false }
        return allowed(host, extra: "")
    }
}
