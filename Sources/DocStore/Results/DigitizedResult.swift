import Core
import Crypto
import Foundation

/// A digitized result (kết quả số hóa) of an administrative procedure, as the API shows it.
struct DigitizedResult: Codable, Sendable, Equatable {
    let id: String
    let number: String
    let type: String
    let procedureCode: String?
    let issuingAgency: String
    let signer: String
    let issueDate: String
    let validUntil: String?
    let owners: [Party]
    let fields: JSONValue
    let dossierId: String?
    let fileName: String?
    let mediaType: String?
    let size: Int64
    let sha256: String
    /// Compact JWS (ES256) by the platform over the content's SHA-256 and the metadata.
    let seal: String
    let sealKeyId: String
    var status: String
    var revokedAt: String?
    var revokedReason: String?
    let createdAt: String

    var isRevoked: Bool { status == "revoked" }

    /// In force on `day` (`YYYY-MM-DD`): not revoked, issued, not past its validity.
    func isValid(on day: String) -> Bool {
        !isRevoked && issueDate <= day && (validUntil.map { $0 >= day } ?? true)
    }

    static let sealType = "lgsp-result+jwt"

    /// What the seal covers; `verify` rebuilds it from the stored row and compares.
    func sealedClaims(issuer: String, issuedAt: Int64) -> JSONValue {
        [
            "iss": .string(issuer), "sub": .string(id), "iat": .integer(issuedAt),
            "content": ["sha256": .string(sha256), "size": .integer(size), "mediaType": mediaType.map(JSONValue.string) ?? .null],
            "result": coveredMetadata,
        ]
    }

    var coveredMetadata: JSONValue {
        [
            "number": .string(number), "type": .string(type), "procedureCode": procedureCode.map(JSONValue.string) ?? .null,
            "issuingAgency": .string(issuingAgency), "signer": .string(signer), "issueDate": .string(issueDate),
            "validUntil": validUntil.map(JSONValue.string) ?? .null,
            "owners": .array(owners.map { .string("\($0.kind):\($0.id)") }),
            "fieldsSha256": .string(Self.digest(of: fields)), "dossierId": dossierId.map(JSONValue.string) ?? .null,
        ]
    }

    static func digest(of value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data()
        return SHA256.hash(data: data).hexString
    }
}
