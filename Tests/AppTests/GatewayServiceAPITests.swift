import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import Gateway

/// R-7.1a-registry, R-7.1b-ops, R-PL01-3.1-doc, R-PL01-3.2, R-PL01-3.4, R-PL01-3.5: the service registry
/// and the lifecycle of services.
@Suite struct GatewayServiceAPITests {
    static let services = "/api/v1/gateway/services"

    @Test func servicesAreValidatedSearchableWithoutAccentsAndPublishedOnlyWithTheirPrerequisites() async throws {
        try await GatewayHarness.with { gw in
            let justice = try await gw.member("000.00.31.H49", "Sở Tư pháp tỉnh Đắk Lắk")
            let provider = try await gw.system(justice, "ho-tich")
            let health = try await gw.member("000.00.32.H49", "Sở Y tế tỉnh Đắk Lắk")
            let consumer = try await gw.system(health, "benh-an")
            let providerToken = try await gw.systemToken(provider)
            let consumerToken = try await gw.systemToken(consumer)

            // Every field error at once, by pointer.
            let bad = try await gw.json(.post, Self.services, bearer: providerToken, #"""
                {"systemId": "\#(provider)", "code": "Hộ tịch!", "version": "version one", "name": "x",
                 "upstreams": {"test": "ftp://example.org", "staging": "http://a"}, "upstreamAuth": {"kind": "header", "header": "Host", "value": "k"},
                 "timeoutMs": 5}
                """#)
            #expect(bad.status == .unprocessableContent)
            let pointers = Set(bad.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? [])
            #expect(pointers.isSuperset(of: ["/code", "/version", "/name", "/upstreams/test", "/upstreams/staging", "/upstreamAuth/header", "/timeoutMs"]), "\(pointers)")
            // A system registers services only for itself.
            #expect(try await gw.json(.post, Self.services, bearer: consumerToken, GatewayHarness.serviceBody(system: provider, code: "ho-tich", version: "v1", upstream: "http://127.0.0.1:9/api")).status == .forbidden)

            // A draft cannot be published before its documentation, OpenAPI, test collection, contact and commitment are in.
            let bare = try await gw.json(.post, Self.services, bearer: providerToken, #"""
                {"systemId": "\#(provider)", "code": "ho-tich", "version": "v1", "name": "Tra cứu hộ tịch điện tử",
                 "upstreams": {"test": "http://127.0.0.1:9/api/"}, "upstreamAuth": {"kind": "header", "header": "X-Api-Key", "value": "khoa-bi-mat-123"}}
                """#)
            #expect(bare.status == .created, "\(GatewayHarness.text(bare))")
            #expect(!GatewayHarness.text(bare).contains("khoa-bi-mat-123"))
            #expect(bare.json?["upstreams"]?["test"]?.stringValue == "http://127.0.0.1:9/api")
            let id = try #require(bare.json?["id"]?.stringValue)
            let early = try await gw.send(.post, "\(Self.services)/\(id)/publish", bearer: providerToken)
            #expect(early.status == .unprocessableContent)
            let missing = Set(early.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? [])
            #expect(missing == ["/documentation", "/openapi", "/testCollection", "/contact", "/securityCommitment"], "\(missing)")
            // OpenAPI is checked on upload.
            let invalid = try await gw.json(.put, "\(Self.services)/\(id)/openapi", bearer: providerToken, #"{"openapi": "3.0.3", "info": {"title": "X"}, "paths": {"records": {"get": {}}}}"#)
            #expect(invalid.status == .unprocessableContent)
            let invalidPointers = Set(invalid.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? [])
            #expect(invalidPointers == ["/info/version", "/paths/records"], "\(invalidPointers)")
            #expect(try await gw.json(.put, "\(Self.services)/\(id)/openapi", bearer: providerToken, GatewayHarness.openAPI).status == .ok)
            #expect(try await gw.json(.put, "\(Self.services)/\(id)/test-collection", bearer: providerToken, #"{"info": {"name": "x"}}"#).status == .unprocessableContent)
            #expect(try await gw.json(.put, "\(Self.services)/\(id)/test-collection", bearer: providerToken, GatewayHarness.collection).status == .ok)
            let documented = try await gw.json(.patch, "\(Self.services)/\(id)", bearer: providerToken, #"""
                {"description": "Tra cứu <script>alert(1)</script> hộ tịch",
                 "documentation": {"authentication": "OAuth 2.0 client credentials", "contentType": "application/json",
                   "operations": [{"method": "get", "path": "/records/{id}", "summary": "Một bản ghi"}]},
                 "contact": {"name": "Nguyễn Văn Kỹ", "email": "ky@stp.daklak.gov.vn"},
                 "securityCommitment": {"signedBy": "Giám đốc Sở Tư pháp", "signedAt": "2026-11-01"}}
                """#)
            #expect(documented.status == .ok, "\(GatewayHarness.text(documented))")
            // Another system sees neither the draft nor can it touch it.
            #expect(try await gw.send(.get, "\(Self.services)/\(id)", bearer: consumerToken).status == .notFound)
            #expect(try await gw.send(.post, "\(Self.services)/\(id)/publish", bearer: consumerToken).status == .forbidden)
            let published = try await gw.send(.post, "\(Self.services)/\(id)/publish", bearer: providerToken)
            #expect(published.status == .ok, "\(GatewayHarness.text(published))")
            #expect(published.json?["status"]?.stringValue == "published")
            #expect(try await gw.send(.post, "\(Self.services)/\(id)/publish", bearer: providerToken).status == .conflict)

            // Search ignores accents and case; consumers see what is published.
            let found = try await gw.send(.get, "\(Self.services)?q=TRA%20CUU%20ho%20tich", bearer: consumerToken)
            #expect(found.json?["items"]?.arrayValue?.map { $0["id"]?.stringValue } == [id])
            #expect(try await gw.send(.get, "\(Self.services)?q=benh%20an", bearer: consumerToken).json?["items"]?.arrayValue?.isEmpty == true)
            #expect(try await gw.send(.get, "\(Self.services)/\(id)/openapi", bearer: consumerToken).status == .ok)
            // The same code and version cannot be registered twice; a new version is a new entry by the same provider.
            #expect(try await gw.json(.post, Self.services, bearer: providerToken, GatewayHarness.serviceBody(system: provider, code: "ho-tich", version: "v1", upstream: "http://127.0.0.1:9/api")).status == .conflict)
            #expect(try await gw.json(.post, Self.services, bearer: gw.operatorToken, GatewayHarness.serviceBody(system: consumer, code: "ho-tich", version: "v2", upstream: "http://127.0.0.1:9/api")).status == .conflict)
            // R-PL01-3.1-doc: the developer page, readable by the consumer, escaped, without scripts.
            let docs = try await gw.send(.get, "\(Self.services)/\(id)/docs", bearer: consumerToken)
            #expect(docs.status == .ok)
            #expect(docs.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(docs.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let page = GatewayHarness.text(docs)
            #expect(page.contains("Tra cứu hộ tịch điện tử") && page.contains("http://lgsp.test/gw/ho-tich/v1") && page.contains("GET /records/{id}"))
            #expect(page.contains("Sở Tư pháp tỉnh Đắk Lắk") && page.contains("Nguyễn Văn Kỹ") && page.contains("429"))
            #expect(!page.contains("<script>") && page.contains("&lt;script&gt;"))
            // The lifecycle is visible.
            let events = try await gw.send(.get, "\(Self.services)/\(id)/events", bearer: consumerToken)
            #expect(events.json?["items"]?.arrayValue?.compactMap { $0["event"]?.stringValue } == ["create", "publish"])
            // The stored secret is sealed, never in the clear.
            let sealed = try #require(try await gw.platform.gateway.registry.store.sealedSecret(id))
            #expect(!sealed.contains("khoa-bi-mat-123"))
        }
    }

    static func day(_ text: String) -> Date { VietnamTime.date(ofISODay: text)! }

    @Test func aReplacedVersionKeepsWorking180DaysAndAServiceStopsOnlyAfterA60DayNotice() async throws {
        // R-PL01-3.4, R-PL01-3.5
        try await GatewayHarness.with { gw in
            let registry = gw.platform.gateway.registry
            let operatorCaller = GatewayCaller(kind: .operator, subject: "van-hanh", client: nil, requestID: nil)
            let member = try await gw.member("000.00.31.H49", "Sở Tư pháp tỉnh Đắk Lắk")
            let system = try await gw.system(member, "ho-tich")
            let v1 = try await gw.service(system: system, code: "ho-tich", version: "v1", upstream: "http://127.0.0.1:9/api", publish: false)
            let v2 = try await gw.service(system: system, code: "ho-tich", version: "v2", upstream: "http://127.0.0.1:9/api", publish: false)
            _ = try await registry.publish(v1, by: operatorCaller, now: Self.day("2026-01-05"))
            let published = Self.day("2026-03-02")
            _ = try await registry.publish(v2, by: operatorCaller, now: published)

            // Sunset 179 days after v2's publication: refused, naming the earliest date; 180 days: accepted.
            await #expect(throws: Problem.self) {
                _ = try await registry.deprecate(v1, .init(successorVersion: "v2", sunsetAt: "2026-08-28"), by: operatorCaller, now: Self.day("2026-03-03"))
            }
            do {
                _ = try await registry.deprecate(v1, .init(successorVersion: "v2", sunsetAt: "2026-08-28"), by: operatorCaller, now: Self.day("2026-03-03"))
            } catch let problem as Problem {
                #expect(problem.errors.first?.message.contains("2026-08-29") == true, "\(problem.errors)")
            }
            // A version cannot replace itself, and the successor must be published.
            await #expect(throws: Problem.self) {
                _ = try await registry.deprecate(v1, .init(successorVersion: "v1", sunsetAt: "2027-01-01"), by: operatorCaller, now: Self.day("2026-03-03"))
            }
            let deprecated = try await registry.deprecate(v1, .init(successorVersion: "v2", sunsetAt: "2026-08-29"), by: operatorCaller, now: Self.day("2026-03-03"))
            #expect(deprecated.status == .deprecated && deprecated.successorVersion == "v2")

            // Retiring needs a notice 60 days ahead, and not before the sunset promised.
            let notice = Self.day("2026-09-01")
            await #expect(throws: Problem.self) {
                _ = try await registry.announceRetirement(v1, .init(retireAt: "2026-10-30", reason: "Thay bằng phiên bản v2"), by: operatorCaller, now: notice)
            }
            await #expect(throws: Problem.self) {
                _ = try await registry.announceRetirement(v1, .init(retireAt: "2026-08-15", reason: "Thay bằng phiên bản v2"), by: operatorCaller, now: Self.day("2026-06-01"))
            }
            await #expect(throws: Problem.self) {
                _ = try await registry.retire(v1, by: operatorCaller, now: notice)
            }
            let announced = try await registry.announceRetirement(v1, .init(retireAt: "2026-10-31", reason: "Thay bằng phiên bản v2"), by: operatorCaller, now: notice)
            #expect(announced.retireAt != nil && announced.status == .deprecated)
            // Before the date it cannot stop; on the date the sweep stops it by itself.
            await #expect(throws: Problem.self) {
                _ = try await registry.retire(v1, by: operatorCaller, now: Self.day("2026-10-30"))
            }
            #expect(try await registry.retireDue(now: Self.day("2026-10-30")) == 0)
            #expect(try await registry.retireDue(now: Self.day("2026-10-31")) == 1)
            #expect(try await registry.read(v1).status == .retired)
            #expect(try await registry.read(v2).status == .published)
            let events = try await registry.store.events(service: v1).map(\.event)
            #expect(events == ["create", "publish", "deprecate", "retirement-notice", "retire"])
            // A draft retires at once.
            let draft = try await gw.service(system: system, code: "ho-tich", version: "v3", upstream: "http://127.0.0.1:9/api", publish: false)
            #expect(try await registry.retire(draft, by: operatorCaller).status == .retired)
        }
    }
}
