import Core
import Foundation
import JWTKit

/// Seals documents with the platform's signing key (ES256, compact JWS) and verifies seals with any key
/// the platform ever signed with — retired keys stay in `sso_keys` with their public JWK, so a result
/// sealed years ago still verifies after many rotations.
public struct PlatformSealer: DocumentSealer {
    let keys: SigningKeys

    public init(keys: SigningKeys) {
        self.keys = keys
    }

    public func seal(_ claims: JSONValue, type: String) async throws -> Seal {
        guard case .object = claims else { throw SealError("nội dung niêm phong phải là đối tượng JSON") }
        let jws = try await keys.sign(SealClaims(value: claims), type: type)
        return Seal(jws: jws, keyID: try SigningKeys.header(of: jws).kid ?? "")
    }

    public func verify(_ jws: String, type: String) async throws -> JSONValue {
        guard let header = try? SigningKeys.header(of: jws) else { throw SealError("dấu niêm phong không đúng định dạng JWS") }
        guard header.alg == "ES256" else { throw SealError("thuật toán \(header.alg ?? "none") không được chấp nhận") }
        guard header.typ == type else { throw SealError("loại dấu niêm phong không đúng") }
        guard let kid = header.kid, let jwk = try await keys.publicJWK(kid: kid) else { throw SealError("khóa ký không phải của nền tảng") }
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwksJSON: "{\"keys\":[\(jwk)]}")
            return try await collection.verify(jws, as: SealClaims.self).value
        } catch {
            throw SealError("chữ ký không hợp lệ")
        }
    }
}

/// Any JSON object as JWT claims (no registered-claim checks: the document store checks what it sealed).
struct SealClaims: JWTPayload {
    let value: JSONValue

    init(value: JSONValue) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        value = try JSONValue(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

extension PlatformSealer {
    public func verificationKeys() async throws -> JSONValue {
        let rows = try await keys.database.sql.raw("SELECT public_jwk FROM sso_keys ORDER BY created_at").all()
        return .object(["keys": .array(try rows.map { row in
            try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(column: "public_jwk", as: String.self).utf8))
        })])
    }
}

extension SigningKeys {
    /// The public JWK (JSON text) of any key ever created, retired ones included; nil for unknown ids.
    func publicJWK(kid: String) async throws -> String? {
        try await database.sql.raw("SELECT public_jwk FROM sso_keys WHERE kid = \(bind: kid)").first()?.decode(column: "public_jwk", as: String.self)
    }
}
