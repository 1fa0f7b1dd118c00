import AsyncHTTPClient
import Core
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Access tokens the gateway obtains from providers' token URLs (OAuth 2.0 client credentials, RFC 6749
/// §4.4) for services registered with `oauth2` upstream authentication; each kept until 30 s before it
/// expires.
final class UpstreamTokens: Sendable {
    private let tokens = NIOLockedValueBox<[String: (token: String, expires: Date)]>([:])
    let client: HTTPClient

    init(client: HTTPClient) {
        self.client = client
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func token(for service: RegisteredService, secret: String?) async throws -> String {
        let auth = service.upstreamAuth
        let key = "\(service.id)|\(service.updatedAt)"
        if let cached = tokens.withLockedValue({ $0[key] }), cached.expires > Date() { return cached.token }
        guard let url = auth.tokenUrl, let clientID = auth.clientId, let secret else { throw Failure(description: "thiếu cấu hình xác thực tới dịch vụ gốc") }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        let credentials = Data("\(Self.formEncode(clientID)):\(Self.formEncode(secret))".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        var form = "grant_type=client_credentials"
        if let scope = auth.scope, !scope.isEmpty { form += "&scope=" + Self.formEncode(scope) }
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 10)
        guard response.status == .ok, let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)),
              case .string(let token)? = json["access_token"] else {
            throw Failure(description: "máy chủ cấp token của bên cung cấp trả lời HTTP \(response.status.code)")
        }
        var lifetime: Double = 300
        switch json["expires_in"] {
        case .integer(let seconds)?: lifetime = Double(seconds)
        case .number(let seconds)?: lifetime = seconds
        default: break
        }
        tokens.withLockedValue { $0[key] = (token, Date().addingTimeInterval(max(0, lifetime - 30))) }
        return token
    }

    /// RFC 6749 §2.3.1: client id and secret are form-encoded before Basic.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
