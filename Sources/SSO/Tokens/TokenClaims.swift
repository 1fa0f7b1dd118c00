import Foundation
import JWTKit

/// The claims of an access token (RFC 9068 profile, `typ: at+jwt`).
struct AccessTokenClaims: JWTPayload, Equatable {
    var iss: String
    var sub: String
    var aud: Audience
    var exp: Int64
    var iat: Int64
    var nbf: Int64
    var jti: String
    var client_id: String
    var scope: String
    /// `user` or `client`.
    var sub_type: String
    var sid: String?
    /// The refresh-token family the token was issued in (revoked together).
    var fam: String?
    var roles: [String]?
    var agency_code: String?
    var auth_time: Int64?
    /// The citizen's personal id / the business's tax code, with the `personal_id` scope: resource servers
    /// (the document store) find a person's own records by it.
    var personal_id: String?
    var tax_code: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The claims of an ID token (OpenID Connect Core §2).
struct IDTokenClaims: JWTPayload, Equatable {
    var iss: String
    var sub: String
    var aud: Audience
    var exp: Int64
    var iat: Int64
    var auth_time: Int64
    var nonce: String?
    var azp: String
    var sid: String?
    var at_hash: String?
    var amr: [String]?
    var name: String?
    var preferred_username: String?
    var email: String?
    var personal_id: String?
    var agency_code: String?
    var roles: [String]?
    /// The external identity provider the person signed in through (e.g. `vneid`).
    var idp: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// `aud`: one string or an array of strings (RFC 7519 §4.1.3). Written as an array.
struct Audience: Codable, Sendable, Equatable {
    var values: [String]

    init(_ values: [String]) {
        self.values = values
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            values = [single]
        } else {
            values = try container.decode([String].self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if values.count == 1 {
            try container.encode(values[0])
        } else {
            try container.encode(values)
        }
    }

    func contains(_ value: String) -> Bool { values.contains(value) }
}
