import Crypto
import Foundation

/// An entry of the hash chain: the event, its place (`seq`), its time, the previous entry's hash and its
/// own hash = HMAC-SHA256 over `canonicalEncoding`, keyed with a key derived from the master key. The key
/// is not in the database: someone who can write the tables cannot recompute a chain that verifies.
public struct AuditEntry: Sendable, Equatable, Codable {
    public let seq: Int64
    public let at: String
    public let event: AuditEvent
    public let previousHash: String
    public let hash: String

    /// The hash of "before the first entry".
    public static let genesisHash = String(repeating: "0", count: 64)

    init(seq: Int64, at: String, event: AuditEvent, previousHash: String, key: SymmetricKey) {
        self.seq = seq
        self.at = at
        self.event = event
        self.previousHash = previousHash
        self.hash = Self.computeHash(seq: seq, at: at, event: event, previousHash: previousHash, key: key)
    }

    init(seq: Int64, at: String, event: AuditEvent, previousHash: String, storedHash: String) {
        self.seq = seq
        self.at = at
        self.event = event
        self.previousHash = previousHash
        self.hash = storedHash
    }

    /// Whether the stored hash matches the entry's content (compared in constant time).
    public func isIntact(key: SymmetricKey) -> Bool {
        guard let stored = Self.bytes(fromHex: hash) else { return false }
        let message = Array(Self.canonicalEncoding(seq: seq, at: at, event: event, previousHash: previousHash).utf8)
        return HMAC<SHA256>.isValidAuthenticationCode(stored, authenticating: message, using: key)
    }

    static func computeHash(seq: Int64, at: String, event: AuditEvent, previousHash: String, key: SymmetricKey) -> String {
        let message = Array(canonicalEncoding(seq: seq, at: at, event: event, previousHash: previousHash).utf8)
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key)).hexString
    }

    /// The key the audit chain is keyed with.
    public static func chainKey(_ masterKey: MasterKey) -> SymmetricKey {
        masterKey.derivedKey(for: "lgsp/audit-chain/v1")
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
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
