import Foundation
import HTTPTypes
import Hummingbird

/// An error of the OAuth endpoints (token, introspection, revocation), in the RFC 6749 §5.2 format the
/// OAuth client libraries expect (`{"error": …, "error_description": …}`), not problem+json.
struct OAuthError: Error, Sendable {
    let code: String
    let description: String
    var status: HTTPResponse.Status = .badRequest
    var headers: HTTPFields = [:]

    static func invalidRequest(_ description: String) -> OAuthError { OAuthError(code: "invalid_request", description: description) }
    static func invalidGrant(_ description: String) -> OAuthError { OAuthError(code: "invalid_grant", description: description) }
    static func invalidScope(_ description: String) -> OAuthError { OAuthError(code: "invalid_scope", description: description) }
    static func unauthorizedClient(_ description: String) -> OAuthError { OAuthError(code: "unauthorized_client", description: description) }
    static func unsupportedGrantType(_ description: String) -> OAuthError { OAuthError(code: "unsupported_grant_type", description: description) }
    static func invalidClient(_ description: String, basic: Bool) -> OAuthError {
        OAuthError(
            code: "invalid_client", description: description, status: .unauthorized,
            headers: basic ? [.wwwAuthenticate: #"Basic realm="lgsp""#] : [:]
        )
    }

    func response() -> Response {
        let body: [String: String] = ["error": code, "error_description": description]
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[HTTPField.Name("Pragma")!] = "no-cache"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
