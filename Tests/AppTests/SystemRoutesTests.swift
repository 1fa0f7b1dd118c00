import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App

/// R-PL01-2.3.1: level 1 answers at once without checking components; level 2 checks each component.
@Suite struct SystemRoutesTests {
    @Test func level1AnswersWithStatusVersionAndTime() async throws {
        try await TestPlatform.withClient { client, _ in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            let json = try #require(response.json)
            #expect(json["status"] == "up")
            #expect(json["version"]?.stringValue == LGSPVersion.current)
            let time = try #require(json["time"]?.stringValue)
            let parsed = try #require(Timestamp.date(from: time))
            #expect(abs(parsed.timeIntervalSinceNow) < 60)
        }
    }

    @Test func level2ChecksTheDatabaseAndTheBlobStore() async throws {
        try await TestPlatform.withClient { client, platform in
            let response = try await client.execute(uri: "/health/services", method: .get)
            #expect(response.status == .ok)
            let json = try #require(response.json)
            #expect(json["status"] == "up")
            let components = try #require(json["components"]?.arrayValue)
            #expect(components.compactMap { $0["name"]?.stringValue } == ["database", "blobs"])
            for component in components {
                #expect(component["status"] == "up")
                if case .number(let latency) = component["latencyMs"] {
                    #expect(latency >= 0)
                } else if case .integer(let latency) = component["latencyMs"] {
                    #expect(latency >= 0)
                } else {
                    Issue.record("latencyMs missing")
                }
            }
            // The blob probe leaves nothing behind.
            let stored = FileManager.default.enumerator(atPath: platform.blobs.contentDirectory)?.allObjects as? [String] ?? []
            #expect(stored.filter { $0.split(separator: "/").count == 3 }.isEmpty)
        }
    }

    @Test func aDownDatabaseTurnsLevel2Into503WhileLevel1StaysUp() async throws {
        try await TestPlatform.withClient { client, platform in
            await platform.database.close()
            let level1 = try await client.execute(uri: "/health", method: .get)
            #expect(level1.status == .ok)
            let level2 = try await client.execute(uri: "/health/services", method: .get)
            #expect(level2.status == .serviceUnavailable)
            let json = try #require(level2.json)
            #expect(json["status"] == "down")
            let components = try #require(json["components"]?.arrayValue)
            #expect(components.first { $0["name"] == "database" }?["status"] == "down")
            #expect(components.first { $0["name"] == "blobs" }?["status"] == "up")
        }
    }

    @Test func aBrokenBlobStoreTurnsLevel2Into503() async throws {
        try await TestPlatform.withClient { client, platform in
            // The temporary folder becomes a file: no blob can be written.
            try FileManager.default.removeItem(atPath: platform.blobs.temporaryDirectory)
            #expect(FileManager.default.createFile(atPath: platform.blobs.temporaryDirectory, contents: Data("x".utf8)))
            let response = try await client.execute(uri: "/health/services", method: .get)
            #expect(response.status == .serviceUnavailable)
            let components = try #require(response.json?["components"]?.arrayValue)
            #expect(components.first { $0["name"] == "blobs" }?["status"] == "down")
            #expect(components.first { $0["name"] == "database" }?["status"] == "up")
        }
    }

    @Test func metricsNeedTheMetricsScope() async throws {
        try await TestPlatform.withOIDC { oidc in
            let anonymous = try await oidc.get("/metrics")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer realm="lgsp""#)
            let (id, secret) = try await oidc.confidentialClient()
            let other = try await oidc.clientCredentials(id, secret, scope: "gateway.call")
            let forbidden = try await oidc.get("/metrics", bearer: other)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.headers[.wwwAuthenticate]?.contains(#"error="insufficient_scope""#) == true)
            #expect(forbidden.json?["type"] == "urn:lgsp:problem:forbidden")
        }
    }

    @Test func metricsCountRequestsByRouteMethodAndStatus() async throws {
        try await TestPlatform.withOIDC(extraModules: { _ in [EchoModule()] }) { oidc in
            let client = oidc.client
            let (id, secret) = try await oidc.confidentialClient()
            let token = try await oidc.clientCredentials(id, secret, scope: "lgsp.metrics")
            for _ in 0..<3 { _ = try await client.execute(uri: "/health", method: .get) }
            _ = try await client.execute(uri: "/test/items/42", method: .get)
            _ = try await client.execute(uri: "/test/items/43", method: .get)
            _ = try await client.execute(uri: "/nothing/here", method: .get)
            let response = try await oidc.get("/metrics", bearer: token)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            #expect(text.contains(#"lgsp_http_requests_total{route="/health",method="GET",status="200"} 3"#))
            // Route templates, not raw paths: one series for both items.
            #expect(text.contains(#"lgsp_http_requests_total{route="/test/items/{id}",method="GET",status="200"} 2"#))
            #expect(!text.contains("/test/items/42"))
            #expect(text.contains(#"lgsp_http_requests_total{route="NotFound",method="GET",status="404"} 1"#))
            #expect(text.contains(#"lgsp_http_request_duration_seconds_bucket{route="/health",method="GET",status="200",le="0.005"}"#))
            #expect(text.contains(#"lgsp_http_request_duration_seconds_count{route="/health",method="GET",status="200"} 3"#))
            #expect(text.contains("lgsp_http_requests_in_flight"))
            #expect(text.contains("lgsp_audit_head_seq"))
        }
    }
}
