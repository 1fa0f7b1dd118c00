import Core
import Crypto
import Foundation
import HTTPTypes
import NIOCore

/// The tus `checksum` extension: `Upload-Checksum: <algorithm> <base64 digest>` over one request's body.
struct ChunkChecksum: Sendable {
    enum Algorithm: String, Sendable, CaseIterable {
        case sha1, sha256
    }

    let algorithm: Algorithm
    let expected: Data

    static let supported = Algorithm.allCases.map(\.rawValue).joined(separator: ",")
    /// 460, as tus defines it.
    static let mismatch = ProblemType(
        slug: "checksum-mismatch", status: HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch"),
        title: "Mã kiểm tra không khớp"
    )

    static func parse(_ header: String?) throws -> ChunkChecksum? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw Problem(.badRequest, detail: "Upload-Checksum phải có dạng “thuật-toán mã-base64”.")
        }
        guard let algorithm = Algorithm(rawValue: parts[0].lowercased()) else {
            throw Problem(.badRequest, detail: "Thuật toán “\(parts[0])” không được hỗ trợ; dùng: \(supported).")
        }
        guard let expected = Data(base64Encoded: String(parts[1])),
            expected.count == (algorithm == .sha1 ? Insecure.SHA1.byteCount : SHA256.byteCount)
        else {
            throw Problem(.badRequest, detail: "Mã kiểm tra trong Upload-Checksum không phải base64 của một mã \(algorithm.rawValue).")
        }
        return ChunkChecksum(algorithm: algorithm, expected: expected)
    }

    /// Hashes a body as it streams.
    struct Running {
        var sha1 = Insecure.SHA1()
        var sha256 = SHA256()
        let algorithm: Algorithm

        mutating func update(_ buffer: ByteBuffer) {
            buffer.withUnsafeReadableBytes { bytes in
                switch algorithm {
                case .sha1: sha1.update(bufferPointer: bytes)
                case .sha256: sha256.update(bufferPointer: bytes)
                }
            }
        }

        func finalize() -> Data {
            switch algorithm {
            case .sha1: return Data(sha1.finalize())
            case .sha256: return Data(sha256.finalize())
            }
        }
    }
}
