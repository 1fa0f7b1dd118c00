import Core
import Foundation
import HTTPTypes
import Hummingbird

/// The header names and answers of tus 1.0.0.
enum Tus {
    static let version = "1.0.0"
    static let extensions = "creation,creation-with-upload,creation-defer-length,expiration,checksum,termination"
    static let offsetContentType = "application/offset+octet-stream"

    static let resumable = HTTPField.Name("Tus-Resumable")!
    static let versionHeader = HTTPField.Name("Tus-Version")!
    static let extensionHeader = HTTPField.Name("Tus-Extension")!
    static let maxSize = HTTPField.Name("Tus-Max-Size")!
    static let checksumAlgorithm = HTTPField.Name("Tus-Checksum-Algorithm")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let deferLength = HTTPField.Name("Upload-Defer-Length")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadExpires = HTTPField.Name("Upload-Expires")!
    static let uploadChecksum = HTTPField.Name("Upload-Checksum")!
    /// RFC 9530: the SHA-256 of the whole file once complete.
    static let reprDigest = HTTPField.Name("Repr-Digest")!

    /// Every tus request but `OPTIONS` carries `Tus-Resumable: 1.0.0`; otherwise 412 with the versions we speak.
    static func requireVersion(_ request: Request) throws {
        guard let sent = request.headers[resumable] else {
            throw Problem(.preconditionFailed, detail: "Thiếu tiêu đề Tus-Resumable: \(version).", headers: [versionHeader: version, resumable: version])
        }
        guard sent == version else {
            throw Problem(.preconditionFailed, detail: "Phiên bản tus “\(sent)” không được hỗ trợ; dùng \(version).", headers: [versionHeader: version, resumable: version])
        }
    }

    /// A non-negative integer header, or nil when absent; 400 when malformed.
    static func integer(_ request: Request, _ name: HTTPField.Name) throws -> Int64? {
        guard let text = request.headers[name] else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw Problem(.badRequest, detail: "Tiêu đề \(name.rawName) phải là số nguyên không âm.")
        }
        return value
    }

    /// IMF-fixdate (RFC 9110 §5.6.7).
    static func httpDate(_ timestamp: String) -> String {
        Timestamp.date(from: timestamp).map(Timestamp.httpDate) ?? timestamp
    }

    /// `sha-256=:base64:` for a hex digest.
    static func reprDigest(hex: String) -> String {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return "sha-256=:\(Data(bytes).base64EncodedString()):"
    }
}
