import Crypto
import Foundation

/// An entry of the hash chain: the event, its place (`seq`), its time, the previous entry's hash and its
/// own hash = SHA-256 over `canonicalEncoding`.
public struct AuditEntry: Sendable, Equatable, Codable {
    public let seq: Int64
    public let at: String
    public let event: AuditEvent
    public let previousHash: String
    public let hash: String

    /// The hash of "before the first entry".
    public static let genesisHash = String(repeating: "0", count: 64)

    init(seq: Int64, at: String, event: AuditEvent, previousHash: String) {
        self.seq = seq
        self.at = at
        self.event = event
        self.previousHash = previousHash
        self.hash = Self.computeHash(seq: seq, at: at, event: event, previousHash: previousHash)
    }

    init(seq: Int64, at: String, event: AuditEvent, previousHash: String, storedHash: String) {
        self.seq = seq
        self.at = at
        self.event = event
        self.previousHash = previousHash
        self.hash = storedHash
    }

    /// Whether the stored hash matches the entry's content.
    public var isIntact: Bool {
        hash == Self.computeHash(seq: seq, at: at, event: event, previousHash: previousHash)
    }

    static func computeHash(seq: Int64, at: String, event: AuditEvent, previousHash: String) -> String {
        let bytes = Array(canonicalEncoding(seq: seq, at: at, event: event, previousHash: previousHash).utf8)
        return SHA256.hash(data: bytes).hexString
    }

    /// Canonical encoding, version 1: a JSON object with the keys below in this (sorted) order, no
    /// whitespace, absent values as `null`, maps with sorted keys, strings escaped as
    /// `CanonicalJSON.quote` does. Written out by hand so that no library upgrade can change it.
    static func canonicalEncoding(seq: Int64, at: String, event: AuditEvent, previousHash: String) -> String {
        let q = CanonicalJSON.quote
        func optional(_ value: String?) -> String { value.map(q) ?? "null" }
        let fields: [(String, String)] = [
            ("action", q(event.action)),
            ("agency", optional(event.agency)),
            ("at", q(at)),
            ("client", optional(event.client)),
            ("details", CanonicalJSON.object(event.details)),
            ("digests", CanonicalJSON.object(event.digests)),
            ("object_id", optional(event.objectID)),
            ("object_type", optional(event.objectType)),
            ("outcome", q(event.outcome.rawValue)),
            ("prev_hash", q(previousHash)),
            ("request_id", optional(event.requestID)),
            ("seq", String(seq)),
            ("subject", optional(event.subject)),
            ("v", "1"),
        ]
        return "{" + fields.map { "\(q($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}

/// The small deterministic JSON writer the audit chain hashes with.
enum CanonicalJSON {
    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A string map with keys in code-point order.
    static func object(_ map: [String: String]) -> String {
        let members = map.sorted { Array($0.key.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.key.unicodeScalars.map(\.value)) }
            .map { "\(quote($0.key)):\(quote($0.value))" }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Parses what `object` wrote (a flat string map) back.
    static func parseObject(_ text: String) -> [String: String]? {
        guard let data = text.data(using: .utf8),
            let value = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        else { return nil }
        return value
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SHA256Digest {
    public var hexString: String { Array(self).hexString }
}
