import Foundation
import Hummingbird

/// The fields of an `application/x-www-form-urlencoded` body or query string, in order, each possibly
/// repeated. Decoding is WHATWG's: `+` is a space, `%XX` a byte, the bytes UTF-8.
public struct FormFields: Sendable, Equatable {
    public let pairs: [(String, String)]

    public init(pairs: [(String, String)]) {
        self.pairs = pairs
    }

    public static func == (lhs: FormFields, rhs: FormFields) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0 == $1 }
    }

    public init(encoded text: String) {
        pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pieces[0])
            let value = pieces.count > 1 ? Self.decode(pieces[1]) : ""
            return (name, value)
        }
    }

    /// The value of `name`; nil when absent or empty.
    public subscript(name: String) -> String? {
        guard let value = pairs.first(where: { $0.0 == name })?.1, !value.isEmpty else { return nil }
        return value
    }

    /// Names given more than once (OAuth refuses those: RFC 6749 §3.1).
    public var repeatedNames: [String] {
        var seen = Set<String>()
        var repeated = Set<String>()
        for (name, _) in pairs where !seen.insert(name).inserted {
            repeated.insert(name)
        }
        return repeated.sorted()
    }

    public static func decode(_ part: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = part.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if let high = iterator.next(), let low = iterator.next(), let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-encodes a value for a query string or form body.
    public static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension Request {
    /// The fields of a form body (`application/x-www-form-urlencoded`) of at most the route's limit.
    public func decodeForm(context: AppRequestContext) async throws -> FormFields {
        let mediaType = headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw Problem(.unsupportedMediaType, detail: "Nội dung phải là application/x-www-form-urlencoded.")
        }
        let buffer = try await body.collect(upTo: context.maxBodySize)
        return FormFields(encoded: String(buffer: buffer))
    }

    /// The query string's fields.
    public var queryFields: FormFields {
        FormFields(encoded: uri.query ?? "")
    }
}
