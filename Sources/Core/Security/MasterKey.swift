import Crypto
import Foundation

/// The platform's root secret (`--master-key` / `LGSP_MASTER_KEY`, 32 bytes in base64). Never used
/// directly: each purpose gets its own key derived with HKDF-SHA256 — the audit chain's HMAC key, the
/// key that encrypts signing keys at rest, and so on.
public struct MasterKey: Sendable {
    private let key: SymmetricKey

    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            return nil
        }
        self.key = SymmetricKey(data: data)
    }

    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    private init(key: SymmetricKey) {
        self.key = key
    }

    public var base64: String {
        key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// A 256-bit key for one purpose, e.g. `lgsp/audit-chain/v1`.
    public func derivedKey(for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(purpose.utf8), outputByteCount: 32)
    }

    /// Encrypts and authenticates `plaintext` (AES-256-GCM under the purpose's key); base64 of nonce,
    /// ciphertext and tag.
    public func seal(_ plaintext: some DataProtocol, purpose: String) throws -> String {
        try AES.GCM.seal(plaintext, using: derivedKey(for: purpose)).combined!.base64EncodedString()
    }

    /// Decrypts what `seal` produced for the same purpose; throws when it was altered or sealed under
    /// another key.
    public func open(_ sealed: String, purpose: String) throws -> Data {
        guard let data = Data(base64Encoded: sealed) else { throw MasterKeyError.notSealed }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: derivedKey(for: purpose))
    }

    /// Where the key of a process came from.
    public enum Source: Sendable, Equatable {
        case configured
        /// Development and test only: kept in the data folder, created on first use.
        case dataFolder(path: String, created: Bool)
    }

    /// The configured key; outside production, without one, a key kept in `<data-dir>/master.key` (created
    /// with mode 0600 on first use). In production a missing key stops start-up.
    public static func resolve(_ configuration: Configuration) throws -> (MasterKey, Source) {
        if !configuration.masterKey.isEmpty {
            guard let key = MasterKey(base64: configuration.masterKey) else {
                throw ConfigurationError(setting: .masterKey, value: "(ẩn)", reason: "phải là 32 byte mã hóa base64 (openssl rand -base64 32)")
            }
            return (key, .configured)
        }
        guard configuration.environment != .production else {
            throw ConfigurationError(
                setting: .masterKey, value: "",
                reason: "bắt buộc trong môi trường production; tạo bằng: openssl rand -base64 32"
            )
        }
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("master.key")
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let key = MasterKey(base64: text) else {
                throw ConfigurationError(setting: .masterKey, value: path, reason: "tệp khóa chính không hợp lệ")
            }
            return (key, .dataFolder(path: path, created: false))
        }
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let key = MasterKey.generate()
        guard FileManager.default.createFile(atPath: path, contents: Data((key.base64 + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(setting: .masterKey, value: path, reason: "không ghi được tệp khóa chính")
        }
        return (key, .dataFolder(path: path, created: true))
    }
}

public enum MasterKeyError: Error, CustomStringConvertible {
    case notSealed

    public var description: String { "Dữ liệu không phải bản mã hóa hợp lệ." }
}
