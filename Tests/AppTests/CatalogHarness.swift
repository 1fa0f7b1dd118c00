import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import Catalogs

/// Drives the catalog API through the platform's real router, with the seed catalogs loaded.
struct CatalogHarness: Sendable {
    let oidc: OIDCHarness
    var platform: Platform { oidc.platform }

    static let base = "/api/v1/catalogs"

    /// A platform with the repository's seed catalogs.
    static func with<T: Sendable>(
        configure: @escaping @Sendable (inout Configuration) -> Void = { _ in },
        _ body: @escaping @Sendable (CatalogHarness) async throws -> T
    ) async throws -> T {
        try await TestPlatform.withOIDC(configure: { configuration in
            configuration.seedDirectory = TestPlatform.seedData
            configure(&configuration)
        }) { oidc in
            try await body(CatalogHarness(oidc: oidc))
        }
    }

    /// A client-credentials token with these scopes (the client is created on first use of its id).
    func token(_ scopes: [String], client id: String = "catalog-app") async throws -> String {
        let (clientID, secret) = try await oidc.confidentialClient(id, grants: [.clientCredentials], scopes: scopes, redirect: [], postLogout: [])
        return try await oidc.clientCredentials(clientID, secret, scope: scopes.joined(separator: " "))
    }

    func adminToken() async throws -> String {
        try await token(["catalogs.admin", "catalogs.read", "catalogs.subscribe"], client: "catalog-admin")
    }

    func get(_ uri: String, bearer: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await oidc.client.execute(uri: uri, method: .get, headers: headers)
    }

    func send(
        _ method: HTTPRequest.Method, _ uri: String, bearer: String?, body: String? = nil, contentType: String = "application/json"
    ) async throws -> TestResponse {
        var headers = HTTPFields()
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if body != nil { headers[.contentType] = contentType }
        return try await oidc.client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func json(_ uri: String, bearer: String? = nil) async throws -> JSONValue {
        let response = try await get(uri, bearer: bearer)
        #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
        return try #require(response.json)
    }

    /// Creates a draft of `key` (from its current version unless `copyFrom` says otherwise) and returns its number.
    func draft(_ key: String, token: String, copyFrom: Int? = nil) async throws -> Int {
        let body = copyFrom.map { #"{"copyFrom":\#($0)}"# } ?? "{}"
        let response = try await send(.post, "\(Self.base)/\(key)/versions", bearer: token, body: body)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return Int(try #require(response.json?["number"]?.intValue))
    }

    func publish(_ key: String, _ number: Int, token: String) async throws -> JSONValue {
        let response = try await send(.post, "\(Self.base)/\(key)/versions/\(number)/publish", bearer: token)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try #require(response.json)
    }
}

extension JSONValue {
    var intValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}
