import Core
import Crypto
import Foundation

/// Random values and their stored forms.
enum Secrets {
    /// 256 random bits, base64url without padding: codes, refresh tokens, session ids, client secrets.
    static func token(bits: Int = 256) -> String {
        let key = SymmetricKey(size: SymmetricKeySize(bitCount: bits))
        return key.withUnsafeBytes { Data($0) }.base64URLEncodedString()
    }

    /// What is stored for an opaque token: its SHA-256 (the token itself has 256 bits of entropy, so a
    /// fast hash is enough and lookups stay indexable).
    static func storedHash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).hexString
    }

    /// A client secret's stored form: HMAC-SHA256 keyed by the secret over a fixed label. Checking it
    /// is constant-time (`isValidAuthenticationCode`) and costs microseconds, which client-credential
    /// grants at thousands per second need; the secret has 256 random bits, so no slow hash is called for.
    static func clientSecretHash(_ secret: String) -> String {
        Array(HMAC<SHA256>.authenticationCode(for: label, using: SymmetricKey(data: Array(secret.utf8)))).hexString
    }

    static func clientSecretMatches(_ secret: String, storedHash: String) -> Bool {
        guard let stored = Data(hexString: storedHash) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(stored, authenticating: label, using: SymmetricKey(data: Array(secret.utf8)))
    }

    private static let label = Array("lgsp-client-secret-v1".utf8)

    /// PKCE S256 (RFC 7636): base64url(SHA-256(verifier)).
    static func pkceChallenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Array(verifier.utf8))).base64URLEncodedString()
    }

    /// A code verifier: 43–128 characters of `A-Z a-z 0-9 - . _ ~` (RFC 7636 §4.1).
    static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        }
    }

    /// Constant-time equality of two strings (CSRF tokens, PKCE challenges).
    static func equal(_ a: String, _ b: String) -> Bool {
        ConstantTime.equal(a, b)
    }
}

extension Data {
    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }

    init?(hexString: String) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x61...0x66: return byte - 0x61 + 10
            case 0x41...0x46: return byte - 0x41 + 10
            default: return nil
            }
        }
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }
}
