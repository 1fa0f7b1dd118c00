import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's thread pool: hashing takes tens of milliseconds by design and must not hold a
/// cooperative thread.
public struct PasswordHasher: Sendable {
    public let cost: Int
    /// A hash of a password nobody has, at the same cost: verified against when the username is unknown,
    /// so that the answer takes as long as for a known one.
    let decoy: String

    public init(cost: Int) {
        self.cost = cost
        self.decoy = Bcrypt.hash(Secrets.token(bits: 128), cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`. An absent hash, or one that is no bcrypt hash (accounts that
    /// sign in only through an external provider), is checked against the decoy — same time — and fails.
    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let usable = hash.flatMap { $0.hasPrefix("$2") ? $0 : nil }
        let stored = usable ?? decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: stored) }
        return usable != nil && matches
    }
}
