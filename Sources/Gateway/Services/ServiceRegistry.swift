import Core
import Foundation
import SQLKit

/// The service registry (R-7.1a-registry) and each service's lifecycle (R-7.1b-ops): draft → published
/// → deprecated → retired, with the regulation's notice periods — a version replaced by a new one keeps
/// working at least 180 days after the new one is published (R-PL01-3.4); a service stops only after a
/// notice of at least 60 days, and stopping revokes every grant (R-PL01-3.5). Every change is audited and
/// the lifecycle changes are kept as notices consumers read.
struct ServiceRegistry: Sendable {
    let database: Database
    let store: ServiceStore
    let members: MemberStore
    let audit: AuditLog
    let masterKey: MasterKey
    let changes: GatewayChanges
    /// The platform's public URL (the base consumers call).
    var publicURL: String = ""

    static let deprecationDays = 180
    static let retirementNoticeDays = 60
    static let maxOpenAPIBytes = 2 << 20

    // MARK: Input

    struct UpstreamAuthInput: Decodable, Sendable {
        var kind: RegisteredService.UpstreamAuth.Kind
        var header: String?
        var value: String?
        var tokenUrl: String?
        var clientId: String?
        var clientSecret: String?
        var scope: String?
    }

    struct Input: Decodable, Sendable {
        var systemId: String?
        var code: String?
        var version: String?
        var name: String?
        var description: String?
        var purpose: String?
        var upstreams: [String: String]?
        var upstreamAuth: UpstreamAuthInput?
        var documentation: ServiceDocumentation?
        var contact: Member.Contact?
        var health: RegisteredService.HealthProbe?
        var securityCommitment: RegisteredService.SecurityCommitment?
        var timeoutMs: Int?
        var maxRequestBytes: Int64?
    }

    static func secretPurpose(_ serviceID: String) -> String { "gateway.upstream-secret.\(serviceID)" }

    // MARK: Register and edit

    func create(_ input: Input, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        var errors: [Problem.FieldError] = []
        let code = Self.code(input.code, errors: &errors)
        let version = Self.version(input.version, errors: &errors)
        if input.systemId == nil { errors.append(.init(pointer: "/systemId", message: "Cần hệ thống cung cấp dịch vụ.")) }
        if input.name == nil { errors.append(.init(pointer: "/name", message: "Cần tên dịch vụ.")) }
        let at = Timestamp.string(from: now)
        var service = RegisteredService(
            id: MemberService.newID("svc_"), systemId: input.systemId ?? "", memberId: nil, code: code, version: version, name: "",
            description: nil, purpose: nil, status: .draft, upstreams: [:], upstreamAuth: .none, documentation: nil, hasOpenAPI: false,
            hasTestCollection: false, contact: nil, health: nil, securityCommitment: nil, timeoutMs: 30_000, maxRequestBytes: 10 << 20,
            publishedAt: nil, deprecatedAt: nil, sunsetAt: nil, successorVersion: nil, retireNoticeAt: nil, retireAt: nil, retireReason: nil,
            retiredAt: nil, suspendedAt: nil, suspendedReason: nil, createdAt: at, updatedAt: at
        )
        let secret = try apply(input, to: &service, creating: true, errors: &errors)
        guard errors.isEmpty else { throw Problem.validation(errors) }
        try caller.require(system: service.systemId, "Hệ thống cung cấp")
        let sealed = try secret.map { try masterKey.seal(Data($0.utf8), purpose: Self.secretPurpose(service.id)) }
        let draft = service
        service.memberId = try await database.transaction { [store, members, audit] sql in
            guard let system = try await members.system(draft.systemId, sql), system.status == .active,
                  let member = try await members.member(system.memberId, sql), member.status == .active else {
                throw Problem.validation([.init(pointer: "/systemId", message: "Không có hệ thống “\(draft.systemId)” đang hoạt động.")])
            }
            let versions = try await store.versions(code: draft.code, sql)
            if versions.contains(where: { $0.version == draft.version }) {
                throw Problem(.conflict, detail: "Dịch vụ \(draft.code) đã có phiên bản \(draft.version).")
            }
            if let other = versions.first, other.systemId != draft.systemId {
                throw Problem(.conflict, detail: "Mã dịch vụ \(draft.code) thuộc hệ thống khác; phiên bản mới phải do cùng hệ thống cung cấp.")
            }
            try await store.insert(draft, secret: sealed, sql)
            try await store.event(ServiceEvent(
                serviceId: draft.id, event: "create", fromStatus: nil, toStatus: "draft", at: at, actor: caller.subject,
                details: ["code": .string(draft.code), "version": .string(draft.version)]
            ), sql)
            try await audit.record(caller.event("gateway.service.create", type: "service", id: draft.id, details: ["code": draft.code, "version": draft.version]), in: sql)
            return member.id
        }
        changes.bump()
        return service
    }

    func read(_ id: String) async throws -> RegisteredService {
        guard let service = try await store.service(id) else { throw Problem.notFound("Không có dịch vụ “\(id)”.") }
        return service
    }

    /// What may change: everything of a draft but its code, version and system; of a published or
    /// deprecated service, its description, documentation, contact, health probe, upstreams and their
    /// authentication, timeout and body limit. A retired service no longer changes.
    func update(_ id: String, _ input: Input, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        var errors: [Problem.FieldError] = []
        if input.code != nil { errors.append(.init(pointer: "/code", message: "Mã dịch vụ không đổi được; đăng ký phiên bản mới.")) }
        if input.version != nil { errors.append(.init(pointer: "/version", message: "Phiên bản không đổi được; đăng ký phiên bản mới.")) }
        if input.systemId != nil { errors.append(.init(pointer: "/systemId", message: "Hệ thống cung cấp không đổi ở đây (dùng sắp xếp tổ chức).")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let service = try await database.transaction { [store, audit, masterKey] sql in
            guard var service = try await store.service(id, sql, forUpdate: true) else { throw Problem.notFound("Không có dịch vụ “\(id)”.") }
            try caller.require(system: service.systemId, "Dịch vụ")
            guard service.status != .retired else { throw Problem(.conflict, detail: "Dịch vụ đã ngừng, không sửa được.") }
            var errors: [Problem.FieldError] = []
            let probe = service.health
            let secret = try apply(input, to: &service, creating: false, errors: &errors)
            guard errors.isEmpty else { throw Problem.validation(errors) }
            service.updatedAt = Timestamp.string(from: now)
            if service.health != probe { try await HealthStore.makeDue(id, at: service.updatedAt, sql) }
            let sealed: String?? = input.upstreamAuth == nil ? .none : .some(try secret.map { try masterKey.seal(Data($0.utf8), purpose: Self.secretPurpose(id)) })
            try await store.update(service, secret: sealed, sql)
            try await audit.record(caller.event("gateway.service.update", type: "service", id: id), in: sql)
            return service
        }
        changes.bump()
        return service
    }

    /// Validates `input` into `service`; returns the upstream secret when one was given.
    private func apply(_ input: Input, to service: inout RegisteredService, creating: Bool, errors: inout [Problem.FieldError]) throws -> String? {
        if let name = input.name {
            let text = VietnameseText.nfc(name.trimmingCharacters(in: .whitespacesAndNewlines))
            if (2...300).contains(text.count) { service.name = text } else { errors.append(.init(pointer: "/name", message: "Tên dịch vụ có từ 2 đến 300 ký tự.")) }
        }
        if let description = input.description { service.description = Self.text(description, max: 4000, pointer: "/description", errors: &errors) }
        if let purpose = input.purpose { service.purpose = Self.text(purpose, max: 2000, pointer: "/purpose", errors: &errors) }
        if let upstreams = input.upstreams {
            var result: [String: String] = [:]
            for (environment, url) in upstreams {
                guard Environment(rawValue: environment) != nil else {
                    errors.append(.init(pointer: "/upstreams/\(environment)", message: "Môi trường là test hoặc production."))
                    continue
                }
                if let base = UpstreamURL.base(url) { result[environment] = base } else {
                    errors.append(.init(pointer: "/upstreams/\(environment)", message: "Địa chỉ gốc phải là URL http(s) có máy chủ, không có thông tin đăng nhập, truy vấn hay phân đoạn."))
                }
            }
            service.upstreams = result
        }
        var secret: String?
        if let auth = input.upstreamAuth {
            switch auth.kind {
            case .none:
                service.upstreamAuth = .none
            case .header:
                let header = auth.header ?? ""
                if !Self.isToken(header) || ["host", "forwarded", "cookie", "connection", "content-length", "transfer-encoding", "te", "upgrade"].contains(header.lowercased()) {
                    errors.append(.init(pointer: "/upstreamAuth/header", message: "Tên tiêu đề (header) không hợp lệ."))
                }
                if header.lowercased().hasPrefix("x-lgsp-") { errors.append(.init(pointer: "/upstreamAuth/header", message: "Tiêu đề X-LGSP-… do nền tảng đặt.")) }
                guard let value = auth.value, !value.isEmpty, value.count <= 4096, !value.contains("\r"), !value.contains("\n") else {
                    errors.append(.init(pointer: "/upstreamAuth/value", message: "Cần giá trị bí mật của tiêu đề (tối đa 4096 ký tự, một dòng)."))
                    break
                }
                service.upstreamAuth = .init(kind: .header, header: header, tokenUrl: nil, clientId: nil, scope: nil, hasSecret: true)
                secret = value
            case .oauth2:
                let tokenURL = auth.tokenUrl.flatMap(UpstreamURL.absolute)
                if tokenURL == nil { errors.append(.init(pointer: "/upstreamAuth/tokenUrl", message: "Cần URL http(s) của điểm cấp token.")) }
                if (auth.clientId ?? "").isEmpty { errors.append(.init(pointer: "/upstreamAuth/clientId", message: "Cần client_id.")) }
                guard let clientSecret = auth.clientSecret, !clientSecret.isEmpty, clientSecret.count <= 4096 else {
                    errors.append(.init(pointer: "/upstreamAuth/clientSecret", message: "Cần client_secret."))
                    break
                }
                service.upstreamAuth = .init(kind: .oauth2, header: nil, tokenUrl: tokenURL, clientId: auth.clientId, scope: auth.scope, hasSecret: true)
                secret = clientSecret
            }
        }
        if let documentation = input.documentation { service.documentation = Self.documentation(documentation, errors: &errors) }
        if let contact = input.contact {
            do {
                service.contact = try MemberService.contacts([contact], pointer: "/contact").first
            } catch let problem as Problem {
                errors.append(contentsOf: problem.errors.map { .init(pointer: $0.pointer.replacingOccurrences(of: "/contact/0", with: "/contact"), message: $0.message) })
            }
        }
        if let health = input.health {
            if UpstreamURL.absolute(health.url) == nil { errors.append(.init(pointer: "/health/url", message: "Cần URL http(s).")) }
            if ![1, 2].contains(health.level) { errors.append(.init(pointer: "/health/level", message: "Mức 1 (hệ thống) hoặc 2 (dịch vụ).")) }
            if !(10...86_400).contains(health.intervalSeconds) { errors.append(.init(pointer: "/health/intervalSeconds", message: "Chu kỳ từ 10 giây đến 1 ngày.")) }
            service.health = health
        }
        if let commitment = input.securityCommitment {
            if commitment.signedBy.trimmingCharacters(in: .whitespaces).count < 2 { errors.append(.init(pointer: "/securityCommitment/signedBy", message: "Cần người ký cam kết.")) }
            if VietnamTime.date(ofISODay: commitment.signedAt) == nil { errors.append(.init(pointer: "/securityCommitment/signedAt", message: "Ngày ký dạng YYYY-MM-DD.")) }
            service.securityCommitment = commitment
        }
        if let timeout = input.timeoutMs {
            if (100...300_000).contains(timeout) { service.timeoutMs = timeout } else { errors.append(.init(pointer: "/timeoutMs", message: "Thời gian chờ từ 100 ms đến 300 000 ms.")) }
        }
        if let limit = input.maxRequestBytes {
            if (0...(1 << 30)).contains(limit) { service.maxRequestBytes = limit } else { errors.append(.init(pointer: "/maxRequestBytes", message: "Giới hạn thân yêu cầu từ 0 đến 1 GiB.")) }
        }
        return secret
    }

    // MARK: OpenAPI and test collection

    func setOpenAPI(_ id: String, _ body: Data, by caller: GatewayCaller) async throws -> RegisteredService {
        let problems = OpenAPIDocumentCheck.problems(body)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        return try await setDocument(id, by: caller, action: "gateway.service.openapi") { [store] sql, at in
            try await store.setOpenAPI(id, String(decoding: body, as: UTF8.self), at: at, sql)
        }
    }

    func setTestCollection(_ id: String, _ body: Data, by caller: GatewayCaller) async throws -> RegisteredService {
        let problems = OpenAPIDocumentCheck.collectionProblems(body)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        return try await setDocument(id, by: caller, action: "gateway.service.test-collection") { [store] sql, at in
            try await store.setTestCollection(id, String(decoding: body, as: UTF8.self), at: at, sql)
        }
    }

    private func setDocument(
        _ id: String, by caller: GatewayCaller, action: String, _ write: @escaping @Sendable (any SQLDatabase, String) async throws -> Void
    ) async throws -> RegisteredService {
        try await database.transaction { [store, audit] sql in
            guard let service = try await store.service(id, sql, forUpdate: true) else { throw Problem.notFound("Không có dịch vụ “\(id)”.") }
            try caller.require(system: service.systemId, "Dịch vụ")
            guard service.status != .retired else { throw Problem(.conflict, detail: "Dịch vụ đã ngừng, không sửa được.") }
            try await write(sql, Timestamp.now())
            try await audit.record(caller.event(action, type: "service", id: id), in: sql)
            return try await store.service(id, sql)!
        }
    }

    // MARK: Lifecycle

    /// draft → published, once the provider's prerequisites are in place (R-PL01-3.2): documentation,
    /// an OpenAPI document, a test collection, a technical contact, the security commitment, an upstream.
    func publish(_ id: String, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        try await transition(id, by: caller, event: "publish", now: now) { service, _ in
            guard service.status == .draft else { throw Problem(.conflict, detail: "Chỉ công bố được dịch vụ đang ở trạng thái nháp (hiện: \(service.status.rawValue)).") }
            var missing: [Problem.FieldError] = []
            if service.documentation == nil { missing.append(.init(pointer: "/documentation", message: "Cần tài liệu mô tả dịch vụ (R-PL01-3.1).")) }
            if !service.hasOpenAPI { missing.append(.init(pointer: "/openapi", message: "Cần tài liệu OpenAPI.")) }
            if !service.hasTestCollection { missing.append(.init(pointer: "/testCollection", message: "Cần bộ kiểm thử (test collection).")) }
            if service.contact == nil { missing.append(.init(pointer: "/contact", message: "Cần đầu mối kỹ thuật.")) }
            if service.securityCommitment == nil { missing.append(.init(pointer: "/securityCommitment", message: "Cần cam kết bảo đảm an toàn thông tin (Mẫu 03).")) }
            if service.upstreams.isEmpty { missing.append(.init(pointer: "/upstreams", message: "Cần địa chỉ dịch vụ gốc cho ít nhất một môi trường.")) }
            guard missing.isEmpty else { throw Problem.validation(missing) }
            service.status = .published
            service.publishedAt = Timestamp.string(from: now)
            return [:]
        }
    }

    struct Deprecation: Decodable, Sendable {
        var successorVersion: String
        var sunsetAt: String
    }

    /// published → deprecated in favour of a published newer version; it keeps working until `sunsetAt`,
    /// at least 180 days after the successor's publication (R-PL01-3.4).
    func deprecate(_ id: String, _ input: Deprecation, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        guard let sunset = VietnamTime.date(ofISODay: input.sunsetAt) ?? Timestamp.date(from: input.sunsetAt) else {
            throw Problem.validation([.init(pointer: "/sunsetAt", message: "Ngày ngừng hỗ trợ dạng ISO 8601 (YYYY-MM-DD hoặc thời điểm).")])
        }
        return try await transition(id, by: caller, event: "deprecate", now: now) { [store] service, sql in
            guard service.status == .published else { throw Problem(.conflict, detail: "Chỉ đánh dấu lỗi thời được dịch vụ đang công bố (hiện: \(service.status.rawValue)).") }
            guard input.successorVersion != service.version, let successor = try await store.service(code: service.code, version: input.successorVersion, sql),
                  successor.status == .published, let published = successor.publishedAt.flatMap(Timestamp.date(from:)) else {
                throw Problem.validation([.init(pointer: "/successorVersion", message: "Phiên bản thay thế phải là một phiên bản khác của \(service.code) đã được công bố.")])
            }
            let earliest = VietnamTime.calendar.date(byAdding: .day, value: Self.deprecationDays, to: published)!
            guard sunset >= earliest else {
                throw Problem.validation([.init(
                    pointer: "/sunsetAt",
                    message: "Phiên bản cũ phải tiếp tục hoạt động ít nhất \(Self.deprecationDays) ngày sau khi phiên bản \(successor.version) được công bố (R-PL01-3.4): sớm nhất \(VietnamTime.isoDay(of: earliest))."
                )])
            }
            service.status = .deprecated
            service.deprecatedAt = Timestamp.string(from: now)
            service.sunsetAt = Timestamp.string(from: sunset)
            service.successorVersion = successor.version
            return ["successorVersion": .string(successor.version), "sunsetAt": .string(Timestamp.string(from: sunset))]
        }
    }

    struct RetirementNotice: Decodable, Sendable {
        var retireAt: String
        var reason: String
    }

    /// Announces that a published or deprecated service stops at `retireAt`, at least 60 days from now
    /// (R-PL01-3.5), and not before a deprecated version's sunset. Consumers see it in their notices.
    func announceRetirement(_ id: String, _ input: RetirementNotice, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        guard let retireAt = VietnamTime.date(ofISODay: input.retireAt) ?? Timestamp.date(from: input.retireAt) else {
            throw Problem.validation([.init(pointer: "/retireAt", message: "Ngày ngừng dạng ISO 8601 (YYYY-MM-DD hoặc thời điểm).")])
        }
        let reason = VietnameseText.nfc(input.reason.trimmingCharacters(in: .whitespacesAndNewlines))
        guard (5...2000).contains(reason.count) else { throw Problem.validation([.init(pointer: "/reason", message: "Cần lý do ngừng cung cấp (5–2000 ký tự).")]) }
        return try await transition(id, by: caller, event: "retirement-notice", now: now) { service, _ in
            guard service.status == .published || service.status == .deprecated else {
                throw Problem(.conflict, detail: "Chỉ báo ngừng được dịch vụ đang công bố hoặc lỗi thời (hiện: \(service.status.rawValue)).")
            }
            let earliest = VietnamTime.calendar.date(byAdding: .day, value: Self.retirementNoticeDays, to: now)!
            guard retireAt >= earliest else {
                throw Problem.validation([.init(
                    pointer: "/retireAt",
                    message: "Phải thông báo trước ít nhất \(Self.retirementNoticeDays) ngày (R-PL01-3.5): ngày ngừng sớm nhất \(VietnamTime.isoDay(of: earliest))."
                )])
            }
            if let sunset = service.sunsetAt.flatMap(Timestamp.date(from:)), retireAt < sunset {
                throw Problem.validation([.init(pointer: "/retireAt", message: "Phiên bản này đã cam kết hoạt động đến \(VietnamTime.isoDay(of: sunset)) (R-PL01-3.4).")])
            }
            service.retireNoticeAt = Timestamp.string(from: now)
            service.retireAt = Timestamp.string(from: retireAt)
            service.retireReason = reason
            return ["retireAt": .string(Timestamp.string(from: retireAt)), "reason": .string(reason)]
        }
    }

    /// → retired: a draft at once; a published or deprecated service only once the date announced at
    /// least 60 days earlier has come (the background sweep does it then by itself). Every grant on it is
    /// revoked and pending requests are refused.
    func retire(_ id: String, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        try await transition(id, by: caller, event: "retire", now: now) { service, sql in
            switch service.status {
            case .retired:
                throw Problem(.conflict, detail: "Dịch vụ đã ngừng.")
            case .draft:
                break
            case .published, .deprecated:
                guard let noticeAt = service.retireNoticeAt.flatMap(Timestamp.date(from:)), let retireAt = service.retireAt.flatMap(Timestamp.date(from:)) else {
                    throw Problem(.conflict, detail: "Cần thông báo ngừng cung cấp trước ít nhất \(Self.retirementNoticeDays) ngày (R-PL01-3.5) rồi mới ngừng được.")
                }
                guard retireAt <= now, retireAt >= VietnamTime.calendar.date(byAdding: .day, value: Self.retirementNoticeDays, to: noticeAt)! else {
                    throw Problem(.conflict, detail: "Dịch vụ đã báo ngừng vào \(VietnamTime.isoDay(of: retireAt)); chưa đến ngày đó.")
                }
            }
            let at = Timestamp.string(from: now)
            service.status = .retired
            service.retiredAt = at
            let reason = "Dịch vụ \(service.code) \(service.version) đã ngừng cung cấp."
            try await sql.raw(
                """
                UPDATE gw_grants SET status = 'revoked', status_reason = \(bind: reason), updated_at = \(bind: at)
                WHERE service_id = \(bind: service.id) AND status <> 'revoked'
                """
            ).run()
            try await sql.raw(
                """
                UPDATE gw_access_requests SET status = 'rejected', decision_reason = \(bind: reason), decided_at = \(bind: at), decided_by = 'lgsp'
                WHERE service_id = \(bind: service.id) AND status = 'pending'
                """
            ).run()
            return [:]
        }
    }

    /// Takes a published or deprecated service out of service for a while (maintenance, an incident):
    /// calls get 503 with the reason until `resume`. Grants are untouched.
    func suspend(_ id: String, reason: String, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        let reason = VietnameseText.nfc(reason.trimmingCharacters(in: .whitespacesAndNewlines))
        guard (5...2000).contains(reason.count) else { throw Problem.validation([.init(pointer: "/reason", message: "Cần lý do tạm dừng (5–2000 ký tự).")]) }
        return try await transition(id, by: caller, event: "suspend", now: now) { service, _ in
            guard service.status == .published || service.status == .deprecated, service.suspendedAt == nil else {
                throw Problem(.conflict, detail: "Chỉ tạm dừng được dịch vụ đang hoạt động.")
            }
            service.suspendedAt = Timestamp.string(from: now)
            service.suspendedReason = reason
            return ["reason": .string(reason)]
        }
    }

    func resume(_ id: String, by caller: GatewayCaller, now: Date = Date()) async throws -> RegisteredService {
        try await transition(id, by: caller, event: "resume", now: now) { service, _ in
            guard service.suspendedAt != nil else { throw Problem(.conflict, detail: "Dịch vụ không bị tạm dừng.") }
            service.suspendedAt = nil
            service.suspendedReason = nil
            return [:]
        }
    }

    /// Retires the services whose announced date has come. Returns how many.
    @discardableResult
    func retireDue(now: Date = Date()) async throws -> Int {
        let system = GatewayCaller(kind: .operator, subject: "lgsp", client: nil, requestID: nil)
        var count = 0
        for id in try await store.dueForRetirement(at: Timestamp.string(from: now)) {
            _ = try await retire(id, by: system, now: now)
            count += 1
        }
        return count
    }

    private func transition(
        _ id: String, by caller: GatewayCaller, event: String, now: Date,
        _ change: @escaping @Sendable (inout RegisteredService, any SQLDatabase) async throws -> [String: JSONValue]
    ) async throws -> RegisteredService {
        let service = try await database.transaction { [store, audit] sql in
            guard var service = try await store.service(id, sql, forUpdate: true) else { throw Problem.notFound("Không có dịch vụ “\(id)”.") }
            try caller.require(system: service.systemId, "Dịch vụ")
            let from = service.status
            let details = try await change(&service, sql)
            service.updatedAt = Timestamp.string(from: now)
            try await store.update(service, sql)
            try await store.event(ServiceEvent(
                serviceId: id, event: event, fromStatus: from.rawValue, toStatus: service.status.rawValue, at: Timestamp.string(from: now),
                actor: caller.subject, details: .object(details)
            ), sql)
            try await audit.record(caller.event("gateway.service.\(event)", type: "service", id: id, details: ["from": from.rawValue, "to": service.status.rawValue]), in: sql)
            return service
        }
        changes.bump()
        return service
    }

    // MARK: Validation

    static func code(_ text: String?, errors: inout [Problem.FieldError]) -> String {
        let code = (text ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard (2...64).contains(code.count), code.first!.isLetter || code.first!.isNumber,
              code.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) else {
            errors.append(.init(pointer: "/code", message: "Mã dịch vụ gồm 2–64 chữ cái không dấu, chữ số và “-”."))
            return code
        }
        return code
    }

    static func version(_ text: String?, errors: inout [Problem.FieldError]) -> String {
        let version = (text ?? "").trimmingCharacters(in: .whitespaces)
        let digits = version.hasPrefix("v") ? String(version.dropFirst()) : version
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            errors.append(.init(pointer: "/version", message: "Phiên bản dạng v1, v2, 1.0 hoặc 1.2.3."))
            return version
        }
        return version
    }

    static func text(_ text: String, max: Int, pointer: String, errors: inout [Problem.FieldError]) -> String? {
        let value = VietnameseText.nfc(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if value.count > max { errors.append(.init(pointer: pointer, message: "Tối đa \(max) ký tự.")) }
        return value.isEmpty ? nil : value
    }

    /// RFC 9110 token characters (header names).
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 100 && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0)) }
    }

    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    static func documentation(_ documentation: ServiceDocumentation, errors: inout [Problem.FieldError]) -> ServiceDocumentation {
        if documentation.authentication.trimmingCharacters(in: .whitespaces).count < 3 {
            errors.append(.init(pointer: "/documentation/authentication", message: "Mô tả cơ chế xác thực."))
        }
        if !documentation.contentType.contains("/") { errors.append(.init(pointer: "/documentation/contentType", message: "Kiểu nội dung dạng type/subtype.")) }
        if documentation.operations.isEmpty { errors.append(.init(pointer: "/documentation/operations", message: "Mô tả ít nhất một thao tác (phương thức, đường dẫn, ví dụ).")) }
        for (index, operation) in documentation.operations.enumerated() {
            if !methods.contains(operation.method.uppercased()) { errors.append(.init(pointer: "/documentation/operations/\(index)/method", message: "Phương thức HTTP không hợp lệ.")) }
            if !operation.path.hasPrefix("/") { errors.append(.init(pointer: "/documentation/operations/\(index)/path", message: "Đường dẫn bắt đầu bằng “/”.")) }
            if operation.summary.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(.init(pointer: "/documentation/operations/\(index)/summary", message: "Cần mô tả mục đích.")) }
        }
        var normalized = documentation
        normalized.operations = documentation.operations.map { operation in
            var operation = operation
            operation.method = operation.method.uppercased()
            return operation
        }
        return normalized
    }
}
