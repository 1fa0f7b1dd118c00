import Core

/// JSON Schema's idea of equal instances (`enum`, `const`, `uniqueItems`): numbers by value (1 equals
/// 1.0), objects regardless of key order, booleans never equal to numbers.
enum JSONEquality {
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        // By code points: Swift's == would call "é" and "e\u{301}" equal (canonical equivalence).
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.integer(let x), .integer(let y)): return x == y
        case (.integer(let x), .number(let y)), (.number(let y), .integer(let x)): return Double(x) == y && Int64(exactly: y) == x
        case (.number(let x), .number(let y)): return x == y
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        default: return false
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let x): return Double(x)
        case .number(let x): return x
        default: return nil
        }
    }

    static func isInteger(_ value: JSONValue) -> Bool {
        switch value {
        case .integer: return true
        case .number(let x): return x.isFinite && x.rounded(.towardZero) == x
        default: return false
        }
    }
}

/// The seven JSON Schema types.
enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer

    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.string, .string): return true
        case (.number, .integer), (.number, .number): return true
        case (.integer, _): return JSONEquality.isInteger(value)
        default: return false
        }
    }

    /// Vietnamese name for messages.
    var vietnamese: String {
        switch self {
        case .null: return "rỗng (null)"
        case .boolean: return "đúng/sai"
        case .object: return "đối tượng"
        case .array: return "danh sách"
        case .number: return "số"
        case .string: return "chuỗi"
        case .integer: return "số nguyên"
        }
    }
}
