import Core
import Crypto
import Foundation

/// Wraps per-file data keys under the master key (AES-256-GCM with a key derived for this purpose), and
/// unwraps them under the current or a previous master key. Each wrapped key records which master key
/// wrapped it (`keyID`, a fingerprint that reveals nothing of the key), so `lgsp docstore rewrap` can find
/// the ones still under a previous key and re-wrap them — files are never re-encrypted.
public struct DataKeyWrapper: Sendable {
    static let purpose = "lgsp/docstore/data-keys/v1"
    static let fingerprintPurpose = "lgsp/docstore/key-id/v1"

    let current: (id: String, key: SymmetricKey)
    let previous: [String: SymmetricKey]

    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = (Self.fingerprint(current), current.derivedKey(for: Self.purpose))
        var others: [String: SymmetricKey] = [:]
        for key in previous { others[Self.fingerprint(key)] = key.derivedKey(for: Self.purpose) }
        self.previous = others
    }

    /// The current key and the previous keys of the configuration (`--previous-master-keys`).
    public init(configuration: Configuration, masterKey: MasterKey) {
        let previous = configuration.previousMasterKeys.split(separator: ",").compactMap { MasterKey(base64: String($0)) }
        self.init(current: masterKey, previous: previous)
    }

    public var currentKeyID: String { current.id }

    static func fingerprint(_ key: MasterKey) -> String {
        let derived = key.derivedKey(for: fingerprintPurpose)
        return derived.withUnsafeBytes { Data(SHA256.hash(data: Data($0))).prefix(8).hexString }
    }

    /// A new random data key and its wrapped form. `context` (the file's id) is authenticated with it, so
    /// a wrapped key copied onto another file's row does not open.
    public func newDataKey(context: String) throws -> (key: SymmetricKey, wrapped: WrappedKey) {
        let key = SymmetricKey(size: .bits256)
        return (key, try wrap(key, context: context))
    }

    public func wrap(_ key: SymmetricKey, context: String) throws -> WrappedKey {
        let sealed = try key.withUnsafeBytes { bytes in
            try AES.GCM.seal(Data(bytes), using: current.key, authenticating: Data(context.utf8))
        }
        return WrappedKey(keyID: current.id, sealed: sealed.combined!.base64EncodedString())
    }

    public func unwrap(_ wrapped: WrappedKey, context: String) throws -> SymmetricKey {
        let wrapping: SymmetricKey
        if wrapped.keyID == current.id {
            wrapping = current.key
        } else if let key = previous[wrapped.keyID] {
            wrapping = key
        } else {
            throw DataKeyError.unknownMasterKey(wrapped.keyID)
        }
        guard let data = Data(base64Encoded: wrapped.sealed) else { throw DataKeyError.corrupt }
        do {
            let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: wrapping, authenticating: Data(context.utf8))
            return SymmetricKey(data: plain)
        } catch {
            throw DataKeyError.corrupt
        }
    }
}

/// A data key sealed under a master key.
public struct WrappedKey: Sendable, Equatable {
    public let keyID: String
    public let sealed: String
}

public enum DataKeyError: Error, CustomStringConvertible, Equatable {
    case unknownMasterKey(String)
    case corrupt

    public var description: String {
        switch self {
        case .unknownMasterKey(let id):
            return "Khóa dữ liệu được bọc bằng khóa chính \(id) không có trong cấu hình (--previous-master-keys)."
        case .corrupt: return "Khóa dữ liệu đã bị thay đổi hoặc không mở được."
        }
    }
}
