/// Ways the identity stand-in can misbehave, for tests of the broker's failure handling.
public struct SimulatorFaults: Codable, Sendable, Equatable {
    /// Every answer of the token, userinfo, discovery and JWKS endpoints waits this long (milliseconds).
    public var delayMilliseconds: Int = 0
    /// The token endpoint sends its headers at once and then its body this slowly (milliseconds).
    public var slowBodyMilliseconds: Int = 0
    /// The token endpoint answers 500.
    public var failToken = false
    /// The userinfo endpoint answers 500.
    public var failUserinfo = false
    /// Discovery answers 500.
    public var failDiscovery = false
    /// ID tokens are signed with a key the JWKS does not publish (under a published key id).
    public var wrongSignature = false
    /// ID tokens name another audience.
    public var wrongAudience = false
    /// ID tokens are already expired.
    public var expiredTokens = false
    /// ID tokens carry another nonce than the one asked for.
    public var wrongNonce = false
    /// ID tokens carry another issuer.
    public var wrongIssuer = false

    public init() {}
}
