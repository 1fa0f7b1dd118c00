import Crypto

/// Comparing secrets without telling, by how long it takes, how much of them matched.
public enum ConstantTime {
    /// Equality of two strings (CSRF tokens, PKCE challenges, client secrets): both are MACed under a
    /// fresh random key and the MACs compared in constant time.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let key = SymmetricKey(size: .bits256)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(a.utf8), using: key)
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(b.utf8), using: key)
    }
}
