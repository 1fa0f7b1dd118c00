import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App

@Suite struct HTTPBehaviourTests {
    static let requestID = HTTPField.Name("X-Request-Id")!

    static func withEcho(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TestPlatform.withClient(extraModules: { _ in [EchoModule()] }) { client, _ in
            try await body(client)
        }
    }

    static func expectProblem(_ response: TestResponse, status: HTTPResponse.Status, type: String) {
        #expect(response.status == status)
        #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true)
        let json = response.json
        #expect(json?["type"]?.stringValue == "urn:lgsp:problem:\(type)")
        #expect(json?["status"] == .integer(Int64(status.code)))
        #expect(json?["title"]?.stringValue?.isEmpty == false)
        #expect(json?["instance"]?.stringValue == response.headers[requestID])
        #expect(response.headers[requestID]?.isEmpty == false)
    }

    @Test func unknownRouteIs404ProblemJSON() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(uri: "/no/such/route", method: .get)
            Self.expectProblem(response, status: .notFound, type: "not-found")
            #expect(response.json?["detail"]?.stringValue == "Không có tài nguyên nào tại địa chỉ này.")
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(uri: "/test/items/7", method: .put)
            Self.expectProblem(response, status: .methodNotAllowed, type: "method-not-allowed")
            #expect(response.headers[.allow] == "GET, HEAD, DELETE, OPTIONS")

            let health = try await client.execute(uri: "/health", method: .post)
            Self.expectProblem(health, status: .methodNotAllowed, type: "method-not-allowed")
            #expect(health.headers[.allow] == "GET, HEAD, OPTIONS")
        }
    }

    @Test func optionsListsTheAllowedMethods() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(uri: "/test/items/7", method: .options)
            #expect(response.status == .noContent)
            #expect(response.headers[.allow] == "GET, HEAD, DELETE, OPTIONS")
        }
    }

    @Test func headIsAnsweredLikeGetWithoutBody() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(uri: "/health", method: .head)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(
                uri: "/test/echo", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"name\": \"Lan\", ")
            )
            Self.expectProblem(response, status: .badRequest, type: "malformed-json")
        }
    }

    @Test func wrongShapeIs422WithPointers() async throws {
        try await Self.withEcho { client in
            let missing = try await client.execute(
                uri: "/test/echo", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{\"age\": 3}")
            )
            Self.expectProblem(missing, status: .unprocessableContent, type: "validation")
            #expect(missing.json?["errors"] == [["pointer": "/name", "message": "Thiếu trường bắt buộc."]])

            let wrongType = try await client.execute(
                uri: "/test/echo", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"name\": \"Lan\", \"tags\": [\"a\", 5]}")
            )
            Self.expectProblem(wrongType, status: .unprocessableContent, type: "validation")
            #expect(wrongType.json?["errors"]?.arrayValue?.first?["pointer"] == "/tags/1")
        }
    }

    @Test func nonJSONContentTypeIs415() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(
                uri: "/test/echo", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hello")
            )
            Self.expectProblem(response, status: .unsupportedMediaType, type: "unsupported-media-type")
        }
    }

    @Test func aValidBodyIsAccepted() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(
                uri: "/test/echo", method: .post, headers: [.contentType: "application/json; charset=utf-8"],
                body: ByteBuffer(string: "{\"name\": \"Hoà\"}")
            )
            #expect(response.status == .ok)
            #expect(response.json?["name"] == "Hoà")
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await Self.withEcho { client in
            let big = "{\"name\": \"" + String(repeating: "x", count: 2000) + "\"}"
            let response = try await client.execute(
                uri: "/test/echo", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: big)
            )
            Self.expectProblem(response, status: .contentTooLarge, type: "content-too-large")
            #expect(response.json?["limit"] == "1024")
        }
    }

    @Test func bodyOverTheConfiguredDefaultLimitIs413() async throws {
        try await TestPlatform.withClient(configure: { $0.maxBodySize = ByteSize(bytes: 10) }) { client, _ in
            let response = try await client.execute(uri: "/health", method: .get, body: ByteBuffer(string: "more than ten bytes"))
            Self.expectProblem(response, status: .contentTooLarge, type: "content-too-large")
        }
    }

    @Test func unexpectedErrorsAre500WithoutInternals() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(uri: "/test/boom", method: .get)
            Self.expectProblem(response, status: .internalServerError, type: "internal")
            let text = String(buffer: response.body)
            #expect(!text.contains("SELECT"))
            #expect(!text.contains("password"))
            #expect(!text.contains("Sources/"))
        }
    }

    @Test func aValidIncomingRequestIDIsKept() async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(uri: "/health", method: .get, headers: [Self.requestID: "caller-42.abc:X_1"])
            #expect(response.headers[Self.requestID] == "caller-42.abc:X_1")
            let problem = try await client.execute(uri: "/missing", method: .get, headers: [Self.requestID: "trace-7"])
            #expect(problem.headers[Self.requestID] == "trace-7")
            #expect(problem.json?["instance"] == "trace-7")
        }
    }

    @Test(arguments: ["has space", "new\u{0}line", String(repeating: "a", count: 129), "ký-tự", "<script>"])
    func anInvalidIncomingRequestIDIsReplaced(incoming: String) async throws {
        try await Self.withEcho { client in
            let response = try await client.execute(uri: "/health", method: .get, headers: [Self.requestID: incoming])
            let id = try #require(response.headers[Self.requestID])
            #expect(id != incoming)
            #expect(RequestIDs.isValid(id))
        }
    }

    @Test func everyResponseGetsADistinctRequestID() async throws {
        try await Self.withEcho { client in
            var ids = Set<String>()
            for uri in ["/health", "/health", "/missing", "/openapi.json"] {
                let response = try await client.execute(uri: uri, method: .get)
                ids.insert(try #require(response.headers[Self.requestID]))
            }
            #expect(ids.count == 4)
        }
    }
}
