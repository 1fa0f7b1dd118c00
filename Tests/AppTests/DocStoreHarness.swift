import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import SSO

/// Drives the document store through the platform's real router: citizens signed in through the login
/// page (tokens with `personal_id`), agency systems with client credentials.
struct DocStoreHarness: Sendable {
    let oidc: OIDCHarness
    /// The citizen portal's client secret.
    let portalSecret: String
    static let portal = "citizen-portal"
    var platform: Platform { oidc.platform }

    static let citizenScopes = "openid personal_id docstore.files forms.submit dossiers.submit"

    static func with<T: Sendable>(
        configure: @escaping @Sendable (inout Configuration) -> Void = { _ in },
        _ body: @escaping @Sendable (DocStoreHarness) async throws -> T
    ) async throws -> T {
        try await TestPlatform.withOIDC(configure: configure) { oidc in
            let (_, secret) = try await oidc.confidentialClient(
                portal, grants: [.authorizationCode], scopes: ["openid", "profile", "personal_id", "docstore.files", "forms.submit", "dossiers.submit", "results.read"]
            )
            return try await body(DocStoreHarness(oidc: oidc, portalSecret: secret))
        }
    }

    /// A citizen's access token through the citizen portal (created on first use).
    func citizenToken(_ personalID: String = "066085000123", scope: String = citizenScopes) async throws -> String {
        // Created on first use; a second creation of the same person is refused, which is fine here.
        _ = try? await oidc.citizen(personalID)
        let (code, _) = try await oidc.signIn(clientID: Self.portal, username: personalID, scope: scope)
        let exchanged = try await oidc.exchange(code, clientID: Self.portal, secret: portalSecret)
        return try #require(exchanged.json?["access_token"]?.stringValue, "\(String(buffer: exchanged.body))")
    }

    /// An agency system's client-credentials token.
    func agencyToken(_ id: String, _ scopes: [String], agency: String = "000.00.31.H49") async throws -> String {
        let created = try await platform.sso.clients.create(
            .init(clientId: id, name: "Hệ thống \(id)", type: .confidential, tokenEndpointAuthMethod: .clientSecretBasic, redirectUris: [],
                  postLogoutRedirectUris: [], grantTypes: [.clientCredentials], scopes: scopes, agencyCode: agency),
            by: .commandLine
        )
        return try await oidc.clientCredentials(id, created.clientSecret ?? "", scope: scopes.joined(separator: " "))
    }

    func send(
        _ method: HTTPRequest.Method, _ uri: String, bearer: String?, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        var headers = headers
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await oidc.client.execute(uri: uri, method: method, headers: headers, body: body)
    }

    func json(_ method: HTTPRequest.Method, _ uri: String, bearer: String?, _ body: String? = nil) async throws -> TestResponse {
        try await send(method, uri, bearer: bearer, headers: body == nil ? [:] : [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) })
    }

    static let tus = HTTPField.Name("Tus-Resumable")!
    static let offset = HTTPField.Name("Upload-Offset")!

    /// Uploads `bytes` with tus in chunks of `chunk`; returns the upload id.
    func tusUpload(_ bytes: [UInt8], name: String, type: String, bearer: String, chunk: Int = 100_000) async throws -> String {
        let metadata = "filename \(Data(name.utf8).base64EncodedString()),filetype \(Data(type.utf8).base64EncodedString())"
        let created = try await send(.post, "/api/v1/files/tus", bearer: bearer, headers: [
            Self.tus: "1.0.0", HTTPField.Name("Upload-Length")!: String(bytes.count), HTTPField.Name("Upload-Metadata")!: metadata,
        ])
        #expect(created.status == .created, "\(String(buffer: created.body))")
        let location = try #require(created.headers[.location])
        let path = String(location.dropFirst(platform.configuration.issuer.count))
        var offset = 0
        repeat {
            let end = min(offset + chunk, bytes.count)
            let patched = try await send(.patch, path, bearer: bearer, headers: [
                Self.tus: "1.0.0", Self.offset: String(offset), .contentType: "application/offset+octet-stream",
            ], body: ByteBuffer(bytes: bytes[offset..<end]))
            #expect(patched.status == .noContent, "\(String(buffer: patched.body))")
            offset = end
        } while offset < bytes.count
        return String(path.split(separator: "/").last!)
    }
}
