import Core
import Foundation

/// The `Upload-Metadata` header of tus: comma-separated `key base64(value)` pairs, keys unique, values
/// optional. The file name (`filename` or `name`), media type (`filetype`, `type` or `contentType`) and a
/// declared whole-file SHA-256 (`sha256`, hex or base64) are read from it; the header is kept as sent.
struct UploadMetadata: Sendable, Equatable {
    var raw: String
    var values: [String: String]
    var name: String?
    var mediaType: String?
    var declaredSHA256: String?

    static let maxLength = 4096

    static func parse(_ header: String?) throws -> UploadMetadata {
        guard let header, !header.trimmingCharacters(in: .whitespaces).isEmpty else {
            return UploadMetadata(raw: "", values: [:])
        }
        guard header.utf8.count <= maxLength else {
            throw invalid("Upload-Metadata dài quá \(maxLength) byte.")
        }
        var values: [String: String] = [:]
        for pair in header.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard let key = parts.first, parts.count <= 2, !key.isEmpty,
                key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") })
            else {
                throw invalid("Upload-Metadata phải là các cặp “khóa giá-trị-base64” cách nhau bởi dấu phẩy.")
            }
            guard values[String(key)] == nil else { throw invalid("Khóa “\(key)” xuất hiện hai lần trong Upload-Metadata.") }
            var value = ""
            if parts.count == 2 {
                guard let data = Data(base64Encoded: String(parts[1])), let text = String(data: data, encoding: .utf8) else {
                    throw invalid("Giá trị của “\(key)” trong Upload-Metadata không phải base64 của văn bản UTF-8.")
                }
                value = text
            }
            values[String(key)] = value
        }
        var metadata = UploadMetadata(raw: header, values: values)
        if let name = values["filename"] ?? values["name"] {
            metadata.name = try fileName(name)
        }
        if let type = values["filetype"] ?? values["type"] ?? values["contentType"], !type.isEmpty {
            metadata.mediaType = try mediaType(type)
        }
        if let declared = values["sha256"], !declared.isEmpty {
            metadata.declaredSHA256 = try sha256(declared)
        }
        return metadata
    }

    /// The last path component, without control characters, at most 255 bytes.
    static func fileName(_ text: String) throws -> String? {
        let last = text.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        guard !cleaned.isEmpty, cleaned != ".", cleaned != ".." else { return nil }
        guard cleaned.utf8.count <= 255 else { throw invalid("Tên tệp dài quá 255 byte.") }
        return cleaned
    }

    /// `type/subtype` (parameters dropped), lower-cased.
    static func mediaType(_ text: String) throws -> String {
        let essence = text.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        let token = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(token.contains) }), essence.count <= 127 else {
            throw invalid("Loại tệp “\(text)” không phải kiểu MIME dạng loại/kiểu-con.")
        }
        return essence
    }

    /// 64 hex digits or base64 of 32 bytes, as lower-case hex.
    static func sha256(_ text: String) throws -> String {
        let lower = text.lowercased()
        if lower.utf8.count == 64, lower.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
            return lower
        }
        if let data = Data(base64Encoded: text), data.count == 32 {
            return data.hexString
        }
        throw invalid("sha256 trong Upload-Metadata phải là 64 chữ số hex hoặc base64 của 32 byte.")
    }

    static func invalid(_ detail: String) -> Problem {
        Problem(.badRequest, detail: detail)
    }
}
