import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LGSPTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing

@testable import App
@testable import Gateway

/// A provider's service on loopback: records what reached it, answers from it.
struct Upstream: Sendable {
    struct Seen: Sendable {
        let method: String
        let path: String
        let headers: HTTPFields
        let bodySize: Int
    }

    let url: String
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let seen: NIOLockedValueBox<[Seen]>

    static func start() async throws -> Upstream {
        let seen = NIOLockedValueBox<[Seen]>([])
        let router = Router()
        router.on("/**", method: .get) { request, _ -> Response in
            seen.withLockedValue { $0.append(Seen(method: "GET", path: request.uri.description, headers: request.headers, bodySize: 0)) }
            if request.uri.path.hasSuffix("/slow") {
                try await Task.sleep(for: .seconds(3))
            }
            if request.uri.path.hasSuffix("/broken") {
                return Response(status: .internalServerError, body: ResponseBody(byteBuffer: ByteBuffer(string: "lỗi gốc")))
            }
            if request.uri.path.hasSuffix("/big"), let size = request.uri.queryParameters["size"].flatMap({ Int(String($0)) }) {
                // Streamed in 1 MiB pieces, never held whole.
                let chunk = ByteBuffer(repeating: 0x61, count: 1 << 20)
                return Response(status: .ok, headers: [.contentType: "application/octet-stream", .contentLength: String(size)], body: ResponseBody { writer in
                    var left = size
                    while left > 0 {
                        let take = min(left, chunk.readableBytes)
                        try await writer.write(chunk.getSlice(at: 0, length: take)!)
                        left -= take
                    }
                    try await writer.finish(nil)
                })
            }
            let body = #"{"id": "\#(request.uri.path.split(separator: "/").last ?? "")", "hoTen": "Nguyễn Văn An", "soDinhDanh": "066085000123"}"#
            return Response(status: .ok, headers: [.contentType: "application/json", HTTPField.Name("X-Upstream")!: "ho-tich"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        router.on("/**", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 << 20)
            seen.withLockedValue { $0.append(Seen(method: "POST", path: request.uri.description, headers: request.headers, bodySize: body.readableBytes)) }
            return Response(status: .created, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"received": \#(body.readableBytes)}"#)))
        }
        let bound = NIOLockedValueBox<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.withLockedValue { $0 = channel.localAddress?.port } }, logger: TestDatabase.logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: TestDatabase.logger))
        let task = Task { try await group.run() }
        for _ in 0..<500 {
            if let port = bound.withLockedValue({ $0 }) {
                return Upstream(url: "http://127.0.0.1:\(port)", group: group, task: task, seen: seen)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ConventionViolation("upstream did not start")
    }

    var requests: [Seen] { seen.withLockedValue { $0 } }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// R-7.1a-bus, R-7.1a-api, R-PL01-3.3, R-14.5, R-8.3, R-PL01-4: calls through the proxy — deny by
/// default, grants, limits, streaming, the transaction log.
@Suite struct GatewayProxyTests {
    static let requests = "/api/v1/gateway/access-requests"

    struct World: Sendable {
        let provider: String
        let consumer: String
        let providerToken: String
        let consumerToken: String
        let service: String
    }

    static func world(_ gw: GatewayHarness, upstream: Upstream, extra: String = #", "upstreamAuth": {"kind": "header", "header": "X-Api-Key", "value": "khoa-goc-bi-mat"}"#) async throws -> World {
        // An operator registers two agencies, a provider system with a service on the loopback upstream, and a consumer system.
        let justice = try await gw.member("000.00.31.H49", "Sở Tư pháp tỉnh Đắk Lắk")
        let health = try await gw.member("000.00.32.H49", "Sở Y tế tỉnh Đắk Lắk")
        let provider = try await gw.system(justice, "ho-tich")
        let consumer = try await gw.system(health, "benh-an")
        let providerToken = try await gw.systemToken(provider)
        let consumerToken = try await gw.systemToken(consumer)
        let service = try await gw.service(system: provider, code: "ho-tich", upstream: upstream.url + "/api", extra: extra)
        return World(provider: provider, consumer: consumer, providerToken: providerToken, consumerToken: consumerToken, service: service)
    }

    static func grant(_ gw: GatewayHarness, _ world: World, limits: String) async throws -> String {
        let filed = try await gw.json(.post, Self.requests, bearer: world.consumerToken, GatewayGrantAPITests.requestBody(world.service))
        #expect(filed.status == .created, "\(GatewayHarness.text(filed))")
        let request = try #require(filed.json?["id"]?.stringValue)
        let approved = try await gw.json(.post, "\(Self.requests)/\(request)/approve", bearer: world.providerToken, limits)
        #expect(approved.status == .ok, "\(GatewayHarness.text(approved))")
        return try #require(approved.json?["grant"]?["id"]?.stringValue)
    }

    static func log(_ gw: GatewayHarness) async throws -> [JSONValue] {
        let page = try await gw.send(.get, "/api/v1/gateway/transactions?limit=5000", bearer: gw.operatorToken)
        #expect(page.status == .ok, "\(GatewayHarness.text(page))")
        return page.json?["items"]?.arrayValue ?? []
    }

    @Test func aConsumerIsRefusedUntilApprovedThenRateLimitedExactlyAndRefusedAgainAfterRevocation() async throws {
        let upstream = try await Upstream.start()
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with { gw in
            let world = try await Self.world(gw, upstream: upstream)
            let call = "/gw/ho-tich/v1/records/066085000123"

            // Deny by default: no token 401, a token of no system 403, no grant 403 — nothing reaches the upstream.
            #expect(try await gw.send(.get, call, bearer: nil).status == .unauthorized)
            #expect(try await gw.send(.get, call, bearer: gw.operatorToken).status == .forbidden)
            let before = try await gw.send(.get, call, bearer: world.consumerToken)
            #expect(before.status == .forbidden, "\(GatewayHarness.text(before))")
            #expect(before.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(try await gw.send(.get, "/gw/khong-co/v1/x", bearer: world.consumerToken).status == .notFound)
            #expect(upstream.requests.isEmpty)

            // Approved with a burst of 3 at 0.2 calls/s: exactly 3 pass, the 4th is 429 with Retry-After.
            let grant = try await Self.grant(gw, world, limits: #"{"ratePerSecond": 0.2, "burst": 3}"#)
            for index in 1...3 {
                let ok = try await gw.send(.get, call + "?lan=\(index)", bearer: world.consumerToken, headers: [.authorization: "x", HTTPField.Name("X-LGSP-Consumer")!: "gia-mao"])
                #expect(ok.status == .ok, "\(GatewayHarness.text(ok))")
                #expect(ok.json?["hoTen"]?.stringValue == "Nguyễn Văn An")
                #expect(ok.headers[HTTPField.Name("X-Upstream")!] == "ho-tich")
                #expect(ok.headers[HTTPField.Name("X-LGSP-Request-Id")!] != nil)
            }
            let limited = try await gw.send(.get, call, bearer: world.consumerToken)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)

            // What reached the upstream: its own credentials and the platform's headers, never the consumer's token or spoofed headers.
            let reached = upstream.requests
            #expect(reached.count == 3)
            let first = try #require(reached.first)
            #expect(first.path == "/api/records/066085000123?lan=1")
            #expect(first.headers[HTTPField.Name("X-Api-Key")!] == "khoa-goc-bi-mat")
            #expect(first.headers[.authorization] == nil)
            #expect(first.headers[HTTPField.Name("X-LGSP-Consumer")!] == "000.00.32.H49/benh-an")
            #expect(first.headers[HTTPField.Name("X-LGSP-Request-Id")!] != nil)
            #expect(first.headers[HTTPField.Name("Forwarded")!]?.hasPrefix("for=") == true)

            // Revoked: the next call is 403.
            let revoked = try await gw.json(.post, "/api/v1/gateway/grants/\(grant)/revoke", bearer: world.providerToken, #"{"reason": "Hết thời hạn thỏa thuận"}"#)
            #expect(revoked.status == .ok)
            #expect(try await gw.send(.get, call, bearer: world.consumerToken).status == .forbidden)
            #expect(upstream.requests.count == 3)

            // One log entry per call, with digests and no body text.
            let entries = try await Self.log(gw)
            let mine = entries.filter { $0["consumerSystemId"]?.stringValue == world.consumer }
            #expect(mine.map { $0["status"]?.intValue } == [403, 404, 200, 200, 200, 429, 403], "\(mine)")
            let served = mine.filter { $0["status"]?.intValue == 200 }
            #expect(served.allSatisfy { $0["responseSha256"]?.stringValue?.count == 64 && $0["requestSha256"]?.stringValue?.count == 64 })
            #expect(served.allSatisfy { $0["pathTemplate"]?.stringValue == "/records/{id}" && $0["grantId"]?.stringValue == grant })
            #expect(mine.map { $0["errorType"]?.stringValue } == ["no-grant", "no-service", nil, nil, nil, "rate-limited", "no-grant"])
            let everything = String(decoding: try JSONValue.array(entries).encoded(), as: UTF8.self)
            #expect(!everything.contains("Nguyễn") && !everything.contains("066085000123") && !everything.contains("khoa-goc-bi-mat"))
            // The refusals before the caller was known were logged too (no token; a token without gateway.call).
            #expect(entries.contains { $0["errorType"]?.stringValue == "no-token" } && entries.contains { $0["errorType"]?.stringValue == "insufficient-scope" })
            // CSV for reconciliation, and a consumer reads only its own calls.
            let csv = try await gw.send(.get, "/api/v1/gateway/transactions.csv?consumerSystemId=\(world.consumer)", bearer: gw.operatorToken)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(String(buffer: csv.body).split(separator: "\r\n").count == 1 + mine.count)
            let own = try await gw.send(.get, "/api/v1/gateway/transactions", bearer: world.consumerToken)
            #expect(own.json?["items"]?.arrayValue?.count == mine.count)

            // R-17.13: statistics per service, consumer and day.
            let stats = try await gw.send(.get, "/api/v1/gateway/stats", bearer: gw.operatorToken)
            #expect(stats.status == .ok, "\(GatewayHarness.text(stats))")
            let row = try #require(stats.json?["items"]?.arrayValue?.first { $0["serviceCode"]?.stringValue == "ho-tich" && $0["consumerSystemId"]?.stringValue == world.consumer })
            #expect(row["calls"]?.intValue == 6 && row["succeeded"]?.intValue == 3 && row["refused"]?.intValue == 3 && row["upstreamErrors"]?.intValue == 0)
            #expect(row["day"]?.stringValue == VietnamTime.isoDay(of: Date()) && row["latencyP99Ms"] != nil && (row["bytesOut"]?.intValue ?? 0) > 0)
            let statsCSV = try await gw.send(.get, "/api/v1/gateway/stats.csv?serviceId=\(world.service)", bearer: world.providerToken)
            #expect(String(buffer: statsCSV.body).split(separator: "\r\n").count == 2, "\(String(buffer: statsCSV.body))")
            #expect(try await gw.send(.get, "/api/v1/gateway/stats?from=2026-01-01&to=2026-12-31", bearer: gw.operatorToken).status == .unprocessableContent)
        }
    }

    @Test func limitsOfAGrantAndFailuresOfTheUpstreamAnswerWithDistinctProblems() async throws {
        let upstream = try await Upstream.start()
        defer { Task { await upstream.stop() } }
        try await GatewayHarness.with { gw in
            let world = try await Self.world(gw, upstream: upstream, extra: #", "timeoutMs": 500, "maxRequestBytes": 1000"#)
            _ = try await Self.grant(gw, world, limits: #"{"methods": ["GET", "POST"], "paths": ["/records", "/slow", "/broken", "/big"], "dailyQuota": 9}"#)
            let token = world.consumerToken
            // Method and path limits.
            #expect(try await gw.send(.delete, "/gw/ho-tich/v1/records/1", bearer: token).status == .forbidden)
            #expect(try await gw.send(.get, "/gw/ho-tich/v1/recordsX", bearer: token).status == .forbidden)
            // No path tricks: dot segments, encoded slashes.
            #expect(try await gw.send(.get, "/gw/ho-tich/v1/records/%2E%2E/%2E%2E/admin", bearer: token).status == .badRequest)
            #expect(try await gw.send(.get, "/gw/ho-tich/v1/records%2F..%2Fadmin", bearer: token).status == .badRequest)
            // `..;` is `..` to servers that drop path parameters: refused too, plain or encoded.
            #expect(try await gw.send(.get, "/gw/ho-tich/v1/records/..;/admin", bearer: token).status == .badRequest)
            #expect(try await gw.send(.get, "/gw/ho-tich/v1/records/%2e%2e%3bx/admin", bearer: token).status == .badRequest)
            // Body limit of the service: 413 before the upstream sees anything.
            let big = try await gw.send(.post, "/gw/ho-tich/v1/records", bearer: token, headers: [.contentType: "application/json"], body: ByteBuffer(repeating: 0x20, count: 1001))
            #expect(big.status == .contentTooLarge)
            let small = try await gw.send(.post, "/gw/ho-tich/v1/records", bearer: token, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"a": 1}"#))
            #expect(small.status == .created, "\(GatewayHarness.text(small))")
            // Upstream failures: its own 500 passes through as is; too slow → 504; unreachable → 502.
            #expect(try await gw.send(.get, "/gw/ho-tich/v1/broken", bearer: token).status == .internalServerError)
            let slow = try await gw.send(.get, "/gw/ho-tich/v1/slow", bearer: token)
            #expect(slow.status == .gatewayTimeout, "\(GatewayHarness.text(slow))")
            // Suspended service: 503 with the reason.
            let suspended = try await gw.json(.post, "/api/v1/gateway/services/\(world.service)/suspend", bearer: world.providerToken, #"{"reason": "Bảo trì cơ sở dữ liệu hộ tịch"}"#)
            #expect(suspended.status == .ok)
            let unavailable = try await gw.send(.get, "/gw/ho-tich/v1/records/2", bearer: token)
            #expect(unavailable.status == .serviceUnavailable && GatewayHarness.text(unavailable).contains("Bảo trì"))
            #expect(try await gw.send(.post, "/api/v1/gateway/services/\(world.service)/resume", bearer: world.providerToken).status == .ok)
            #expect(try await gw.send(.get, "/gw/ho-tich/v1/records/3", bearer: token).status == .ok)
            // The daily quota (9) counts forwarded calls: small, broken, slow, records/3 = 4 so far.
            for _ in 0..<5 { #expect(try await gw.send(.get, "/gw/ho-tich/v1/records/4", bearer: token).status == .ok) }
            let exhausted = try await gw.send(.get, "/gw/ho-tich/v1/records/5", bearer: token)
            #expect(exhausted.status == .tooManyRequests && (Int(exhausted.headers[.retryAfter] ?? "") ?? 0) > 0)
            // An upstream nobody listens at: 502.
            let closed = try await gw.service(system: world.provider, code: "ho-tich-cu", upstream: "http://127.0.0.1:9/api")
            let filed = try await gw.json(.post, Self.requests, bearer: token, GatewayGrantAPITests.requestBody(closed))
            let request = try #require(filed.json?["id"]?.stringValue)
            #expect(try await gw.json(.post, "\(Self.requests)/\(request)/approve", bearer: world.providerToken, #"{"dailyQuota": 1}"#).status == .ok)
            let unreachable = try await gw.send(.get, "/gw/ho-tich-cu/v1/records/1", bearer: token)
            #expect(unreachable.status == .badGateway, "\(GatewayHarness.text(unreachable))")
            #expect(unreachable.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            // A call that never reached the upstream does not use the day's quota (of 1 here).
            #expect(try await gw.send(.get, "/gw/ho-tich-cu/v1/records/1", bearer: token).status == .badGateway)
            let reasons = try await Self.log(gw).compactMap { $0["errorType"]?.stringValue }
            #expect(Set(reasons).isSuperset(of: ["method-not-granted", "path-not-granted", "bad-path", "body-too-large", "upstream-timeout", "service-suspended", "quota-exceeded", "upstream-unreachable"]), "\(reasons)")
        }
    }
}
