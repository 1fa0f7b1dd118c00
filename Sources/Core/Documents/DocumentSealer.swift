/// The platform's seal on documents it vouches for (digitized results): a compact JWS, ES256, signed
/// with the platform's signing key and verifiable for as long as the document lives — also after the
/// key has been rotated. Declared here; SSO (which holds the keys) implements it, App injects it.
public protocol DocumentSealer: Sendable {
    /// Signs `claims` (a JSON object); `type` goes in the header's `typ`.
    func seal(_ claims: JSONValue, type: String) async throws -> Seal
    /// Checks a seal's signature against every key the platform has ever signed with; returns its
    /// claims. Throws `SealError` when it does not verify.
    func verify(_ jws: String, type: String) async throws -> JSONValue
    /// Every public key a seal may have been made with (a JWKS document), retired ones included, so
    /// anyone can verify a sealed document offline, years later.
    func verificationKeys() async throws -> JSONValue
}

public struct Seal: Sendable, Equatable {
    public let jws: String
    /// The signing key's id (`kid`).
    public let keyID: String

    public init(jws: String, keyID: String) {
        self.jws = jws
        self.keyID = keyID
    }
}

public struct SealError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
