import Crypto
import Foundation
import NIOCore

/// File content at rest: the plaintext cut into segments of `plainSize` bytes (the last may be shorter),
/// each sealed on its own with AES-256-GCM under the file's data key — a fresh random 96-bit nonce per
/// segment, the segment's index as associated data (segments cannot be reordered or moved). On disk a
/// segment is `nonce ‖ ciphertext ‖ tag`, 28 bytes more than its plaintext. Any byte range is read by
/// opening only the segments it covers; a truncated file is caught by the recorded size.
public struct SegmentCipher: Sendable {
    public static let plainSize = 64 * 1024
    public static let overhead = 28
    public static let sealedSize = plainSize + overhead

    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// Bytes on disk for `plainLength` bytes of content.
    public static func sealedLength(of plainLength: Int64) -> Int64 {
        let full = plainLength / Int64(plainSize)
        let rest = plainLength % Int64(plainSize)
        return full * Int64(sealedSize) + (rest > 0 ? rest + Int64(overhead) : 0)
    }

    static func associatedData(_ index: Int64) -> Data {
        withUnsafeBytes(of: UInt64(index).bigEndian) { Data($0) }
    }

    /// Seals one segment's plaintext, appending `nonce ‖ ciphertext ‖ tag` to `output`.
    public func seal(_ plain: ByteBuffer, index: Int64, into output: inout ByteBuffer) throws {
        let box = try plain.withUnsafeReadableBytes { bytes in
            try AES.GCM.seal(bytes, using: key, authenticating: Self.associatedData(index))
        }
        if let combined = box.combined {
            output.writeBytes(combined)  // nonce ‖ ciphertext ‖ tag, as stored by the box
        } else {
            output.writeBytes(box.nonce)
            output.writeBytes(box.ciphertext)
            output.writeBytes(box.tag)
        }
    }

    /// Opens one sealed segment.
    public func open(_ sealed: ByteBuffer, index: Int64) throws -> ByteBuffer {
        guard sealed.readableBytes >= Self.overhead else { throw SegmentError.truncated }
        return try sealed.withUnsafeReadableBytes { bytes in
            do {
                let box = try AES.GCM.SealedBox(
                    nonce: AES.GCM.Nonce(data: bytes.prefix(12)),
                    ciphertext: bytes.dropFirst(12).dropLast(16),
                    tag: bytes.suffix(16)
                )
                let plain = try AES.GCM.open(box, using: key, authenticating: Self.associatedData(index))
                return ByteBuffer(bytes: plain)
            } catch {
                throw SegmentError.altered(index: index)
            }
        }
    }
}

public enum SegmentError: Error, CustomStringConvertible, Equatable {
    case truncated
    case altered(index: Int64)

    public var description: String {
        switch self {
        case .truncated: return "Tệp lưu trữ bị cắt cụt."
        case .altered(let index): return "Đoạn \(index) của tệp lưu trữ đã bị thay đổi (không xác thực được)."
        }
    }
}
