import Crypto
import Foundation

/// `X-LGSP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Subscribers recompute
/// the HMAC over the raw body with their secret, compare in constant time, and reject old timestamps
/// (replays).
enum WebhookSignature {
    static let header = "X-LGSP-Signature"

    static func sign(body: Data, secret: Data, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(hex(body: body, secret: secret, timestamp: timestamp))"
    }

    static func hex(body: Data, secret: Data, timestamp: Int) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks a header as a subscriber would (used by tests and documented for integrators).
    static func verify(header: String, body: Data, secret: Data, now: Int, tolerance: Int = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else { continue }
            if pieces[0] == "t" { timestamp = Int(pieces[1]) }
            if pieces[0] == "v1" { signatures.append(String(pieces[1])) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let key = SymmetricKey(data: secret)
        return signatures.contains { signature in
            guard let bytes = Data(hexString: signature) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: message, using: key)
        }
    }
}

extension Data {
    init?(hexString: String) {
        guard hexString.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hexString.count / 2)
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2)
            guard let byte = UInt8(hexString[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
