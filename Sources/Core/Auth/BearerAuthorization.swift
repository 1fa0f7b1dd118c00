import HTTPTypes
import Hummingbird

/// Enforces a route's `RouteAccess` (RFC 6750): no or bad token → 401 with `WWW-Authenticate`, a valid
/// token without the route's scopes → 403. Both as problem+json.
public struct BearerAuthorization: Sendable {
    let verifier: (any AccessTokenVerifier)?

    func authorize(_ access: RouteAccess, request: Request, context: inout AppRequestContext) async throws {
        if access == .anonymous { return }
        if case .optionalToken = access, request.headers[.authorization] == nil { return }
        guard let token = Self.bearerToken(request.headers[.authorization]) else {
            throw Problem(
                .unauthorized, detail: "Cần access token (Authorization: Bearer …).",
                headers: [.wwwAuthenticate: #"Bearer realm="lgsp""#]
            )
        }
        guard let verifier else {
            throw Problem(.unauthorized, detail: "Nền tảng chưa cấu hình xác thực token.", headers: [.wwwAuthenticate: #"Bearer realm="lgsp""#])
        }
        let principal: Principal
        do {
            principal = try await verifier.verify(accessToken: token)
        } catch {
            throw Problem(
                .unauthorized, detail: "Access token không hợp lệ: \(error.reason)",
                headers: [.wwwAuthenticate: #"Bearer realm="lgsp", error="invalid_token", error_description="\#(Self.quoted(error.reason))""#]
            )
        }
        if case .scopes(let required) = access, !required.isSubset(of: principal.scopes) {
            let missing = required.subtracting(principal.scopes).sorted().joined(separator: " ")
            throw Problem(
                .forbidden, detail: "Access token thiếu phạm vi (scope): \(missing).",
                headers: [.wwwAuthenticate: #"Bearer realm="lgsp", error="insufficient_scope", scope="\#(required.sorted().joined(separator: " "))""#]
            )
        }
        context.principal = principal
    }

    /// 401 or 403 for a route with `.optionalToken(scopes)` when the resource asked for is not public.
    public static func requireScopes(_ required: Set<String>, of principal: Principal?, resource: String) -> Problem? {
        guard let principal else {
            return Problem(
                .unauthorized, detail: "\(resource) chỉ dành cho ứng dụng được cấp quyền: cần access token (Authorization: Bearer …).",
                headers: [.wwwAuthenticate: #"Bearer realm="lgsp""#]
            )
        }
        guard required.isSubset(of: principal.scopes) else {
            let missing = required.subtracting(principal.scopes).sorted().joined(separator: " ")
            return Problem(
                .forbidden, detail: "Access token thiếu phạm vi (scope): \(missing).",
                headers: [.wwwAuthenticate: #"Bearer realm="lgsp", error="insufficient_scope", scope="\#(required.sorted().joined(separator: " "))""#]
            )
        }
        return nil
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1). Read on the
    /// UTF-8 bytes: it runs on every request, and Foundation's trimming bridges through NSString.
    public static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        var bytes = Substring(header).utf8[...]
        while bytes.first == UInt8(ascii: " ") || bytes.first == UInt8(ascii: "\t") { bytes = bytes.dropFirst() }
        let scheme = bytes.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        guard scheme.count == 6, String(decoding: scheme, as: UTF8.self).lowercased() == "bearer" else { return nil }
        bytes = bytes.dropFirst(6)
        while bytes.first == UInt8(ascii: " ") || bytes.first == UInt8(ascii: "\t") { bytes = bytes.dropFirst() }
        while bytes.last == UInt8(ascii: " ") || bytes.last == UInt8(ascii: "\t") { bytes = bytes.dropLast() }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// A value safe inside a quoted-string of a header.
    static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 }.map(Character.init))
    }
}

import Foundation
