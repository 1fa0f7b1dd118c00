import AsyncHTTPClient
import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The runtime proxy `/gw/{service}/{version}/{path…}` (R-7.1a-bus, R-7.1a-api). For each call: the SSO
/// access token is verified in-process; the client must be a registered system's (its environment is the
/// client's); the service version must exist and be in service; a grant must exist for that consumer,
/// service and environment (deny by default) and allow the method and path; then the grant's rate
/// (token bucket) and daily quota, the service's body limit. The request streams to the upstream — hop-
/// by-hop headers and the consumer's `Authorization` removed, the upstream's credentials,
/// `X-LGSP-Request-Id`, `X-LGSP-Consumer` and `Forwarded` added — and the answer streams back, neither
/// body ever held whole. Every call, refused or not, goes to the transaction log with the SHA-256 of
/// both bodies, never their content.
struct ProxyHandler: Sendable {
    let table: RouteTable
    let limiter: RateLimiter
    let quota: DailyQuota
    let recorder: TransactionRecorder
    let tokens: UpstreamTokens
    let verifier: (any AccessTokenVerifier)?
    let client: HTTPClient

    static let prefix = "/gw/"
    static let consumerHeader = HTTPField.Name("X-LGSP-Consumer")!
    static let requestIDHeader = HTTPField.Name("X-LGSP-Request-Id")!
    /// RFC 9110 §7.6.1 plus the proxy-only ones; never forwarded either way.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// A refusal: its problem and the reason kept in the log.
    struct Refusal: Error {
        let problem: Problem
        let reason: String
    }

    func handle(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let now = Date()
        let target = request.head.path ?? request.uri.path
        let mark = target.firstIndex(of: "?")
        let rawPath = mark.map { target[..<$0] } ?? target[...]
        let query = mark.map { String(target[target.index(after: $0)...]) }
        let afterPrefix = rawPath.hasPrefix(Self.prefix) ? rawPath.dropFirst(Self.prefix.count) : ""
        let head = afterPrefix.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        let code = head.count > 0 ? Self.decoded(head[0]) : ""
        let version = head.count > 1 ? Self.decoded(head[1]) : ""
        let rest = head.count > 2 ? String(head[2]) : ""
        var entry = Transaction(
            at: Timestamp.string(from: now), day: VietnamTime.isoDay(of: now), requestId: context.requestID, serviceCode: String(code.prefix(64)),
            version: String(version.prefix(32)), method: request.method.rawValue, pathTemplate: "/", status: 0, latencyMs: 0, bytesIn: 0, bytesOut: 0
        )
        let recorder = self.recorder
        func finish(_ status: Int, _ reason: String?) async {
            entry.status = status
            entry.errorType = reason
            entry.latencyMs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            await recorder.record(entry)
        }
        do {
            return try await forward(request, context, code: code, version: version, rest: rest, query: query, now: now, started: started, entry: &entry)
        } catch let refusal as Refusal {
            await finish(Int(refusal.problem.type.status.code), refusal.reason)
            throw refusal.problem
        } catch {
            // The database or a lookup failed: the call is still logged (the error middleware answers it).
            await finish((error as? Problem).map { Int($0.type.status.code) } ?? 500, "internal")
            throw error
        }
    }

    private func forward(
        _ request: Request, _ context: AppRequestContext, code: String, version: String, rest: String, query: String?, now: Date, started: UInt64,
        entry: inout Transaction
    ) async throws -> Response {
        // Who calls.
        guard let token = BearerAuthorization.bearerToken(request.headers[.authorization]) else {
            throw Refusal(problem: Problem(.unauthorized, detail: "Cần access token của hệ thống (Authorization: Bearer …).", headers: [.wwwAuthenticate: #"Bearer realm="lgsp""#]), reason: "no-token")
        }
        guard let verifier else { throw Refusal(problem: Problem(.unauthorized, detail: "Nền tảng chưa cấu hình xác thực token."), reason: "no-verifier") }
        let principal: Principal
        do {
            principal = try await verifier.verify(accessToken: token)
        } catch {
            throw Refusal(problem: Problem(
                .unauthorized, detail: "Access token không hợp lệ: \(error.reason)",
                headers: [.wwwAuthenticate: #"Bearer realm="lgsp", error="invalid_token""#]
            ), reason: "invalid-token")
        }
        guard principal.scopes.contains(GatewayCaller.callScope) else {
            throw Refusal(problem: Problem(
                .forbidden, detail: "Access token thiếu phạm vi gateway.call.", headers: [.wwwAuthenticate: #"Bearer realm="lgsp", error="insufficient_scope", scope="gateway.call""#]
            ), reason: "insufficient-scope")
        }
        guard principal.kind == .client, let binding = try await table.binding(clientID: principal.clientID), binding.active else {
            throw Refusal(problem: Problem(.forbidden, detail: "Token không thuộc hệ thống thông tin nào đang hoạt động trên nền tảng."), reason: "unknown-consumer")
        }
        entry.consumerSystemId = binding.systemId
        entry.consumer = "\(binding.memberIdentifier)/\(binding.systemCode)"
        entry.environment = binding.environment.rawValue

        // What is called.
        guard let route = try await table.route(code: code, version: version), route.service.status != .draft else {
            throw Refusal(problem: Problem.notFound("Không có dịch vụ “\(code)” phiên bản “\(version)”."), reason: "no-service")
        }
        let service = route.service
        entry.serviceId = service.id
        entry.providerSystemId = service.systemId
        guard let segments = UpstreamURL.segments(rest) else {
            throw Refusal(problem: Problem(.badRequest, detail: "Đường dẫn không hợp lệ (có “..”, “//”, dấu “/” mã hóa hoặc ký tự điều khiển)."), reason: "bad-path")
        }
        let path = "/" + segments.joined(separator: "/")
        entry.pathTemplate = RouteTable.template(segments.last == "" ? Array(segments.dropLast()) : segments, route: route)
        guard service.status != .retired else {
            throw Refusal(problem: Problem.notFound("Dịch vụ \(code) \(version) đã ngừng cung cấp."), reason: "retired")
        }
        guard let base = service.upstreams[binding.environment.rawValue] else {
            throw Refusal(problem: Problem.notFound("Dịch vụ \(code) \(version) không có môi trường \(binding.environment.rawValue)."), reason: "no-environment")
        }

        // May this consumer call it.
        guard let grant = try await table.grant(consumer: binding.systemId, service: service.id, environment: binding.environment) else {
            throw Refusal(problem: Problem(.forbidden, detail: "Hệ thống chưa được cấp quyền dùng dịch vụ \(code) \(version) ở môi trường \(binding.environment.rawValue)."), reason: "no-grant")
        }
        entry.grantId = grant.id
        guard grant.status == .active else {
            throw Refusal(problem: Problem(.forbidden, detail: "Quyền dùng dịch vụ đang bị tạm dừng: \(grant.statusReason ?? "")"), reason: "grant-suspended")
        }
        let method = request.method.rawValue
        guard grant.allows(method: method) else {
            throw Refusal(problem: Problem(.forbidden, detail: "Quyền được cấp không gồm phương thức \(method)."), reason: "method-not-granted")
        }
        guard grant.allows(path: path) else {
            throw Refusal(problem: Problem(.forbidden, detail: "Quyền được cấp không gồm đường dẫn này."), reason: "path-not-granted")
        }
        if let reason = service.suspendedReason, service.suspendedAt != nil {
            throw Refusal(problem: Problem(.serviceUnavailable, detail: "Dịch vụ đang tạm dừng: \(reason)", headers: [.retryAfter: "300"]), reason: "service-suspended")
        }
        let contentLength = request.headers[.contentLength].flatMap(Int64.init)
        if let contentLength, contentLength > service.maxRequestBytes {
            throw Refusal(problem: Problem(
                .contentTooLarge, detail: "Nội dung vượt quá giới hạn \(service.maxRequestBytes) byte của dịch vụ.", extensions: ["limit": String(service.maxRequestBytes)]
            ), reason: "body-too-large")
        }
        if let rate = grant.ratePerSecond, case .limited(let wait) = limiter.take(grant.id, ratePerSecond: rate, burst: grant.burst ?? max(1, Int(rate.rounded(.up)))) {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw Refusal(problem: Problem(.tooManyRequests, detail: "Vượt tốc độ được cấp (\(rate) lời gọi/giây); thử lại sau \(seconds) giây.", headers: [.retryAfter: String(seconds)]), reason: "rate-limited")
        }
        if let limit = grant.dailyQuota, try await !quota.take(grant: grant.id, limit: limit, day: entry.day) {
            let midnight = VietnamTime.calendar.date(byAdding: .day, value: 1, to: VietnamTime.calendar.startOfDay(for: now))!
            let seconds = max(1, Int(midnight.timeIntervalSince(now).rounded(.up)))
            throw Refusal(problem: Problem(.tooManyRequests, detail: "Đã dùng hết hạn mức \(limit) lời gọi trong ngày.", headers: [.retryAfter: String(seconds)]), reason: "quota-exceeded")
        }
        guard recorder.hasRoom else {
            if grant.dailyQuota != nil { quota.giveBack(grant: grant.id, day: entry.day) }
            throw Refusal(problem: Problem(.serviceUnavailable, detail: "Nhật ký giao dịch đang chờ ghi; tạm thời chưa nhận lời gọi mới.", headers: [.retryAfter: "5"]), reason: "log-saturated")
        }

        // The call.
        var upstream = HTTPClientRequest(url: UpstreamURL.join(base: base, segments: segments, query: query))
        upstream.method = HTTPMethod(rawValue: method)
        upstream.headers = Self.forwardHeaders(request.headers)
        upstream.headers.replaceOrAdd(name: "X-LGSP-Request-Id", value: context.requestID)
        upstream.headers.replaceOrAdd(name: "X-LGSP-Consumer", value: entry.consumer ?? "")
        // Only a plain host[:port] goes into the quoted value; anything else could forge another element.
        let authority = request.head.authority ?? ""
        let host = !authority.isEmpty && authority.utf8.count <= 255
            && authority.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-:[]".unicodeScalars.contains($0)) })
            ? authority : "lgsp"
        upstream.headers.replaceOrAdd(name: "Forwarded", value: "for=\(Self.forwardedNode(context.remoteAddress));host=\"\(host)\";proto=http")
        do {
            switch service.upstreamAuth.kind {
            case .none: break
            case .header:
                if let name = service.upstreamAuth.header, let secret = route.secret { upstream.headers.replaceOrAdd(name: name, value: secret) }
            case .oauth2:
                upstream.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(try await tokens.token(for: service, secret: route.secret))")
            }
        } catch {
            if grant.dailyQuota != nil { quota.giveBack(grant: grant.id, day: entry.day) }
            throw Refusal(problem: Problem(.badGateway, detail: "Không lấy được token của bên cung cấp dịch vụ."), reason: "upstream-auth")
        }
        let inbound = BodyMeter(limit: service.maxRequestBytes)
        let hasBody = contentLength.map { $0 > 0 } ?? (request.headers[.transferEncoding] != nil)
        if hasBody {
            upstream.body = .stream(MeteredSequence(base: request.body, meter: inbound), length: contentLength.map { .known($0) } ?? .unknown)
        }
        let sent = DispatchTime.now().uptimeNanoseconds
        let response: HTTPClientResponse
        do {
            response = try await client.execute(upstream, timeout: .milliseconds(Int64(service.timeoutMs)))
        } catch {
            entry.bytesIn = inbound.count
            let timedOut = (error as? HTTPClientError).map { $0 == .deadlineExceeded || $0 == .readTimeout } ?? false
            // The daily quota counts calls that reached the upstream (as the log does after a restart).
            if !timedOut, grant.dailyQuota != nil { quota.giveBack(grant: grant.id, day: entry.day) }
            if inbound.exceeded {
                throw Refusal(problem: Problem(
                    .contentTooLarge, detail: "Nội dung vượt quá giới hạn \(service.maxRequestBytes) byte của dịch vụ.", extensions: ["limit": String(service.maxRequestBytes)]
                ), reason: "body-too-large")
            }
            if timedOut {
                entry.upstreamMs = Double(DispatchTime.now().uptimeNanoseconds - sent) / 1_000_000
                throw Refusal(problem: Problem(.gatewayTimeout, detail: "Dịch vụ gốc không trả lời trong \(service.timeoutMs) ms."), reason: "upstream-timeout")
            }
            throw Refusal(problem: Problem(.badGateway, detail: "Không gọi được dịch vụ gốc của bên cung cấp."), reason: "upstream-unreachable")
        }
        entry.upstreamMs = Double(DispatchTime.now().uptimeNanoseconds - sent) / 1_000_000

        var headers = Self.backHeaders(response.headers)
        headers[Self.requestIDHeader] = context.requestID
        headers.append(contentsOf: route.deprecation)
        let status = Int(response.status.code)
        let length = response.headers.first(name: "content-length").flatMap(Int.init)
        let logged = entry
        let recorder = self.recorder
        let body = response.body
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(contentLength: length) { writer in
                var entry = logged
                entry.status = status
                entry.bytesIn = inbound.count
                entry.requestSha256 = inbound.digest
                var hasher = SHA256()
                var count: Int64 = 0
                do {
                    for try await chunk in body {
                        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                        count += Int64(chunk.readableBytes)
                        try await writer.write(chunk)
                    }
                    try await writer.finish(nil)
                    entry.responseSha256 = hasher.finalize().hexString
                } catch {
                    // The upstream broke off, or the consumer went away: logged as such, not as delivered.
                    entry.errorType = "stream-interrupted"
                    entry.bytesOut = count
                    entry.latencyMs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
                    await recorder.record(entry)
                    throw error
                }
                entry.bytesOut = count
                entry.latencyMs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
                await recorder.record(entry)
            }
        )
    }

    /// A path segment with its percent-escapes decoded ("" when they do not decode to UTF-8).
    static func decoded(_ segment: Substring) -> String {
        segment.contains("%") ? (String(segment).removingPercentEncoding ?? "") : String(segment)
    }

    /// The header names a `Connection` field lists (RFC 9110 §7.6.1), lowercased.
    static func connectionNamed(_ values: [String]) -> Set<String> {
        if values.isEmpty { return [] }
        return Set(values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } })
    }

    static func forwardHeaders(_ fields: HTTPFields) -> HTTPHeaders {
        let connectionNamed = Self.connectionNamed(fields[values: .connection])
        var headers = HTTPHeaders()
        for field in fields {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || connectionNamed.contains(name) || name == "authorization" || name == "host" || name == "forwarded"
                || name.hasPrefix("x-forwarded-") || name.hasPrefix("x-lgsp-") || name == "content-length" && fields[.transferEncoding] != nil {
                continue
            }
            headers.add(name: field.name.rawName, value: field.value)
        }
        return headers
    }

    static func backHeaders(_ headers: HTTPHeaders) -> HTTPFields {
        let connectionNamed = Self.connectionNamed(headers["connection"])
        var fields = HTTPFields()
        for (name, value) in headers {
            let lower = name.lowercased()
            if hopByHop.contains(lower) || connectionNamed.contains(lower) || lower == "content-length" || lower == "date" || lower == "server" { continue }
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return fields
    }

    /// RFC 7239 node: an IPv6 address quoted in brackets.
    static func forwardedNode(_ address: SocketAddress?) -> String {
        guard let ip = address?.ipAddress else { return "unknown" }
        return ip.contains(":") ? "\"[\(ip)]\"" : ip
    }
}

/// Counts and hashes a body as it streams, and stops it past `limit`.
final class BodyMeter: Sendable {
    private struct State {
        var hasher = SHA256()
        var count: Int64 = 0
        var exceeded = false
    }

    private let state = NIOLockedValueBox(State())
    let limit: Int64

    init(limit: Int64) {
        self.limit = limit
    }

    struct TooLarge: Error {}

    func add(_ chunk: ByteBuffer) throws {
        try state.withLockedValue { state in
            state.count += Int64(chunk.readableBytes)
            if state.count > limit {
                state.exceeded = true
                throw TooLarge()
            }
            chunk.withUnsafeReadableBytes { state.hasher.update(bufferPointer: $0) }
        }
    }

    var count: Int64 { state.withLockedValue { $0.count } }
    var exceeded: Bool { state.withLockedValue { $0.exceeded } }
    /// SHA-256 of what passed (of nothing, for a call without a body).
    var digest: String { state.withLockedValue { $0.hasher.finalize().hexString } }
}

/// A request body seen through a `BodyMeter`.
struct MeteredSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let meter: BodyMeter

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let meter: BodyMeter

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            try meter.add(chunk)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), meter: meter)
    }
}
