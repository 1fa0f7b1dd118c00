import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import Gateway

/// Drives the gateway through the platform's real router: an operator (`gateway.admin`), members, their
/// systems with their own client-credentials tokens, services.
struct GatewayHarness: Sendable {
    let base: DocStoreHarness
    let operatorToken: String
    var platform: Platform { base.platform }

    static func with<T: Sendable>(
        configure: @escaping @Sendable (inout Configuration) -> Void = { _ in },
        _ body: @escaping @Sendable (GatewayHarness) async throws -> T
    ) async throws -> T {
        try await DocStoreHarness.with(configure: configure) { base in
            try await body(GatewayHarness(base: base, operatorToken: try await base.agencyToken("van-hanh-gw", ["gateway.admin"])))
        }
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    func send(_ method: HTTPRequest.Method, _ uri: String, bearer: String?, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> TestResponse {
        try await base.send(method, uri, bearer: bearer, headers: headers, body: body)
    }

    func json(_ method: HTTPRequest.Method, _ uri: String, bearer: String?, _ body: String? = nil) async throws -> TestResponse {
        try await base.json(method, uri, bearer: bearer, body)
    }

    func member(_ identifier: String, _ name: String) async throws -> String {
        let created = try await json(.post, "/api/v1/gateway/members", bearer: operatorToken, #"{"identifier": "\#(identifier)", "name": "\#(name)", "level": "department"}"#)
        #expect(created.status == .created, "\(Self.text(created))")
        return try #require(created.json?["id"]?.stringValue)
    }

    func system(_ member: String, _ code: String) async throws -> String {
        let created = try await json(.post, "/api/v1/gateway/members/\(member)/systems", bearer: operatorToken, #"{"code": "\#(code)", "name": "Hệ thống \#(code)", "kind": "information-system"}"#)
        #expect(created.status == .created, "\(Self.text(created))")
        return try #require(created.json?["id"]?.stringValue)
    }

    /// A token of the system's own client in `environment` (credentials issued on first use).
    func systemToken(_ system: String, _ environment: String = "test") async throws -> String {
        let issued = try await send(.post, "/api/v1/gateway/systems/\(system)/credentials/\(environment)", bearer: operatorToken)
        #expect(issued.status == .ok, "\(Self.text(issued))")
        let clientID = try #require(issued.json?["clientId"]?.stringValue)
        let secret = try #require(issued.json?["clientSecret"]?.stringValue)
        return try await base.oidc.clientCredentials(clientID, secret, scope: "gateway.call")
    }

    static let openAPI = #"""
    {"openapi": "3.1.0", "info": {"title": "Tra cứu hộ tịch", "version": "1.0"},
     "paths": {"/records/{id}": {"get": {"responses": {"200": {"description": "Bản ghi"}}}}, "/records": {"post": {"responses": {"201": {"description": "Đã tạo"}}}}}}
    """#
    static let collection = #"{"info": {"name": "Kiểm thử hộ tịch", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": [{"name": "Một bản ghi", "request": {"method": "GET", "url": "{{base}}/records/1"}}]}"#

    static func serviceBody(system: String, code: String, version: String, upstream: String, extra: String = "") -> String {
        #"""
        {"systemId": "\#(system)", "code": "\#(code)", "version": "\#(version)", "name": "Tra cứu hộ tịch điện tử",
         "description": "Tra cứu thông tin đăng ký hộ tịch", "purpose": "Phục vụ giải quyết thủ tục hành chính",
         "upstreams": {"test": "\#(upstream)", "production": "\#(upstream)"},
         "documentation": {"authentication": "OAuth 2.0 client credentials qua SSO của LGSP", "contentType": "application/json",
           "operations": [{"method": "get", "path": "/records/{id}", "summary": "Một bản ghi hộ tịch", "responseExample": {"id": "1"},
             "responses": [{"status": 200, "meaning": "Tìm thấy"}, {"status": 404, "meaning": "Không có"}]}],
           "states": [{"name": "active", "meaning": "Đang hiệu lực"}]},
         "contact": {"name": "Nguyễn Văn Kỹ", "email": "ky@stp.daklak.gov.vn", "phone": "0262 3850 111"},
         "securityCommitment": {"signedBy": "Giám đốc Sở Tư pháp", "signedAt": "2026-11-01", "reference": "Mẫu 03 số 12/CK-STP"}\#(extra)}
        """#
    }

    /// A service registered with everything publication needs, then published (unless `publish` is false).
    func service(system: String, code: String, version: String = "v1", upstream: String, bearer: String? = nil, publish: Bool = true, extra: String = "") async throws -> String {
        let token = bearer ?? operatorToken
        let created = try await json(.post, "/api/v1/gateway/services", bearer: token, Self.serviceBody(system: system, code: code, version: version, upstream: upstream, extra: extra))
        #expect(created.status == .created, "\(Self.text(created))")
        let id = try #require(created.json?["id"]?.stringValue)
        let openAPI = try await json(.put, "/api/v1/gateway/services/\(id)/openapi", bearer: token, Self.openAPI)
        #expect(openAPI.status == .ok, "\(Self.text(openAPI))")
        let collection = try await json(.put, "/api/v1/gateway/services/\(id)/test-collection", bearer: token, Self.collection)
        #expect(collection.status == .ok, "\(Self.text(collection))")
        if publish {
            let published = try await send(.post, "/api/v1/gateway/services/\(id)/publish", bearer: token)
            #expect(published.status == .ok, "\(Self.text(published))")
        }
        return id
    }
}
