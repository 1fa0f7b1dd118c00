import Core
import Foundation
import SQLKit

/// Access requests and grants (R-11.2, R-PL01-3.2, R-PL01-3.3): a consumer system asks, the provider
/// (or the operator) approves — optionally narrowing methods, paths, rate and daily quota — or refuses
/// with a reason, within 5 working days; grants can be suspended, resumed and revoked. Deny by default.
struct GrantService: Sendable {
    let database: Database
    let store: GrantStore
    let services: ServiceStore
    let members: MemberStore
    let audit: AuditLog
    let workingDays: WorkingDays
    let changes: GatewayChanges

    static let answerWithinWorkingDays = 5

    struct NewRequest: Decodable, Sendable {
        var serviceId: String
        var environment: Environment
        var purpose: String
        var scopeOfUse: String
        var contact: Member.Contact
        /// Only the operator files for another system; a system files for itself.
        var consumerSystemId: String?
    }

    func file(_ input: NewRequest, by caller: GatewayCaller, now: Date = Date()) async throws -> AccessRequest {
        var errors: [Problem.FieldError] = []
        let purpose = ServiceRegistry.text(input.purpose, max: 2000, pointer: "/purpose", errors: &errors) ?? ""
        let scope = ServiceRegistry.text(input.scopeOfUse, max: 2000, pointer: "/scopeOfUse", errors: &errors) ?? ""
        if purpose.count < 5 { errors.append(.init(pointer: "/purpose", message: "Nêu mục đích sử dụng (ít nhất 5 ký tự).")) }
        if scope.count < 5 { errors.append(.init(pointer: "/scopeOfUse", message: "Nêu phạm vi sử dụng (ít nhất 5 ký tự).")) }
        var contact = input.contact
        do {
            contact = try MemberService.contacts([input.contact], pointer: "/contact").first ?? input.contact
        } catch let problem as Problem {
            errors.append(contentsOf: problem.errors.map { .init(pointer: $0.pointer.replacingOccurrences(of: "/contact/0", with: "/contact"), message: $0.message) })
        }
        let consumer: String
        if let own = caller.system {
            if let asked = input.consumerSystemId, asked != own.systemId {
                throw Problem(.forbidden, detail: "Hệ thống chỉ đăng ký sử dụng dịch vụ cho chính mình.")
            }
            consumer = own.systemId
        } else if let asked = input.consumerSystemId {
            consumer = asked
        } else {
            errors.append(.init(pointer: "/consumerSystemId", message: "Cần hệ thống sử dụng."))
            consumer = ""
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let at = Timestamp.string(from: now)
        let request = AccessRequest(
            id: MemberService.newID("req_"), consumerSystemId: consumer, serviceId: input.serviceId, environment: input.environment,
            purpose: purpose, scopeOfUse: scope, contact: contact, status: .pending, receivedAt: at,
            deadlineAt: Timestamp.string(from: workingDays.deadline(from: now, workingDays: Self.answerWithinWorkingDays)),
            decidedAt: nil, decidedBy: nil, decisionReason: nil, grantId: nil, overdue: false
        )
        try await database.transaction { [store, services, members, audit] sql in
            guard let system = try await members.system(consumer, sql), system.status == .active else {
                throw Problem.validation([.init(pointer: "/consumerSystemId", message: "Không có hệ thống “\(consumer)” đang hoạt động.")])
            }
            guard let service = try await services.service(input.serviceId, sql), service.status == .published || service.status == .deprecated else {
                throw Problem.validation([.init(pointer: "/serviceId", message: "Không có dịch vụ “\(input.serviceId)” đang được cung cấp.")])
            }
            if service.status == .deprecated {
                throw Problem(.conflict, detail: "Phiên bản \(service.version) đã lỗi thời; hãy đăng ký phiên bản \(service.successorVersion ?? "mới").")
            }
            if service.retireAt != nil {
                throw Problem(.conflict, detail: "Dịch vụ đã thông báo ngừng cung cấp.")
            }
            guard service.upstreams[input.environment.rawValue] != nil else {
                throw Problem.validation([.init(pointer: "/environment", message: "Dịch vụ chưa có môi trường \(input.environment.rawValue).")])
            }
            guard try await !store.hasOpen(consumer: consumer, service: service.id, environment: input.environment, sql) else {
                throw Problem(.conflict, detail: "Hệ thống đã có yêu cầu đang chờ hoặc quyền truy cập dịch vụ này ở môi trường \(input.environment.rawValue).")
            }
            try await store.insert(request, sql)
            try await audit.record(caller.event(
                "gateway.access.request", type: "access-request", id: request.id,
                details: ["service": service.id, "consumer": consumer, "environment": input.environment.rawValue]
            ), in: sql)
        }
        return request
    }

    /// The request, if the caller is its consumer, the provider of its service, or the operator.
    func read(_ id: String, by caller: GatewayCaller, now: Date = Date()) async throws -> AccessRequest {
        guard let request = try await store.request(id, now: now) else { throw Problem.notFound("Không có yêu cầu “\(id)”.") }
        if caller.isOperator || caller.system?.systemId == request.consumerSystemId { return request }
        if let service = try await services.service(request.serviceId), service.systemId == caller.system?.systemId { return request }
        throw Problem.notFound("Không có yêu cầu “\(id)”.")
    }

    struct Approval: Decodable, Sendable {
        var methods: [String]?
        var paths: [String]?
        var ratePerSecond: Double?
        var burst: Int?
        var dailyQuota: Int?
        var note: String?
    }

    static func limits(_ approval: Approval) throws -> (methods: [String]?, paths: [String]?, rate: Double?, burst: Int?, quota: Int?) {
        var errors: [Problem.FieldError] = []
        let methods = approval.methods.map { Array(Set($0.map { $0.uppercased() })).sorted() }
        for (index, method) in (methods ?? []).enumerated() where !ServiceRegistry.methods.contains(method) {
            errors.append(.init(pointer: "/methods/\(index)", message: "Phương thức “\(method)” không hợp lệ."))
        }
        if methods?.isEmpty == true { errors.append(.init(pointer: "/methods", message: "Bỏ trống để cho phép mọi phương thức, hoặc liệt kê ít nhất một.")) }
        var paths: [String]?
        if let given = approval.paths {
            paths = []
            for (index, path) in given.enumerated() {
                guard path.hasPrefix("/"), let segments = UpstreamURL.segments(String(path.dropFirst())), !path.contains("?") else {
                    errors.append(.init(pointer: "/paths/\(index)", message: "Đường dẫn bắt đầu bằng “/”, không có “..”, “//” hay truy vấn."))
                    continue
                }
                var normalized = "/" + segments.joined(separator: "/")
                if normalized.count > 1, normalized.hasSuffix("/") { normalized.removeLast() }
                paths?.append(normalized)
            }
            if given.isEmpty { errors.append(.init(pointer: "/paths", message: "Bỏ trống để cho phép mọi đường dẫn, hoặc liệt kê ít nhất một.")) }
        }
        if let rate = approval.ratePerSecond, !(0.001...100_000).contains(rate) {
            errors.append(.init(pointer: "/ratePerSecond", message: "Tốc độ từ 0,001 đến 100 000 lời gọi mỗi giây."))
        }
        if let burst = approval.burst {
            if !(1...1_000_000).contains(burst) { errors.append(.init(pointer: "/burst", message: "Số lời gọi dồn tối đa từ 1 đến 1 000 000.")) }
            if approval.ratePerSecond == nil { errors.append(.init(pointer: "/burst", message: "Cần tốc độ (ratePerSecond) đi kèm.")) }
        }
        if let quota = approval.dailyQuota, !(1...1_000_000_000).contains(quota) {
            errors.append(.init(pointer: "/dailyQuota", message: "Hạn mức ngày từ 1 đến 1 000 000 000 lời gọi."))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let burst = approval.ratePerSecond.map { rate in approval.burst ?? max(1, Int(rate.rounded(.up))) }
        return (methods, paths, approval.ratePerSecond, burst, approval.dailyQuota)
    }

    func approve(_ id: String, _ approval: Approval, by caller: GatewayCaller, now: Date = Date()) async throws -> (AccessRequest, Grant) {
        let limits = try Self.limits(approval)
        let at = Timestamp.string(from: now)
        let result = try await database.transaction { [store, services, audit] sql in
            var request = try await decidable(id, by: caller, sql, now: now)
            guard let service = try await services.service(request.serviceId, sql), service.status == .published || service.status == .deprecated,
                  service.retireAt == nil else {
                throw Problem(.conflict, detail: "Dịch vụ không còn được cung cấp.")
            }
            let grant = Grant(
                id: MemberService.newID("grt_"), requestId: request.id, consumerSystemId: request.consumerSystemId, serviceId: request.serviceId,
                environment: request.environment, methods: limits.methods, paths: limits.paths, ratePerSecond: limits.rate, burst: limits.burst,
                dailyQuota: limits.quota, status: .active, statusReason: nil, createdAt: at, updatedAt: at
            )
            try await store.insert(grant, sql)
            request.status = .approved
            request.decidedAt = at
            request.decidedBy = caller.subject
            request.decisionReason = approval.note.map { VietnameseText.nfc($0) }
            request.grantId = grant.id
            request.overdue = false
            try await store.decide(request, sql)
            try await audit.record(caller.event(
                "gateway.access.approve", type: "access-request", id: id,
                details: ["grant": grant.id, "service": grant.serviceId, "consumer": grant.consumerSystemId, "environment": grant.environment.rawValue]
            ), in: sql)
            return (request, grant)
        }
        changes.bump()
        return result
    }

    func reject(_ id: String, reason: String, by caller: GatewayCaller, now: Date = Date()) async throws -> AccessRequest {
        let reason = VietnameseText.nfc(reason.trimmingCharacters(in: .whitespacesAndNewlines))
        guard (5...2000).contains(reason.count) else { throw Problem.validation([.init(pointer: "/reason", message: "Cần lý do từ chối (5–2000 ký tự).")]) }
        return try await database.transaction { [store, audit] sql in
            var request = try await decidable(id, by: caller, sql, now: now)
            request.status = .rejected
            request.decidedAt = Timestamp.string(from: now)
            request.decidedBy = caller.subject
            request.decisionReason = reason
            request.overdue = false
            try await store.decide(request, sql)
            try await audit.record(caller.event("gateway.access.reject", type: "access-request", id: id), in: sql)
            return request
        }
    }

    func withdraw(_ id: String, by caller: GatewayCaller, now: Date = Date()) async throws -> AccessRequest {
        try await database.transaction { [store, audit] sql in
            guard var request = try await store.request(id, sql, forUpdate: true, now: now) else { throw Problem.notFound("Không có yêu cầu “\(id)”.") }
            guard caller.isOperator || caller.system?.systemId == request.consumerSystemId else { throw Problem.notFound("Không có yêu cầu “\(id)”.") }
            guard request.status == .pending else { throw Problem(.conflict, detail: "Yêu cầu đã được trả lời (\(request.status.rawValue)).") }
            request.status = .withdrawn
            request.decidedAt = Timestamp.string(from: now)
            request.decidedBy = caller.subject
            request.overdue = false
            try await store.decide(request, sql)
            try await audit.record(caller.event("gateway.access.withdraw", type: "access-request", id: id), in: sql)
            return request
        }
    }

    /// A pending request the caller may decide on: the provider of its service or the operator.
    private func decidable(_ id: String, by caller: GatewayCaller, _ sql: any SQLDatabase, now: Date) async throws -> AccessRequest {
        guard let request = try await store.request(id, sql, forUpdate: true, now: now) else { throw Problem.notFound("Không có yêu cầu “\(id)”.") }
        guard let service = try await services.service(request.serviceId, sql) else { throw Problem.notFound("Không có yêu cầu “\(id)”.") }
        if !caller.isOperator && caller.system?.systemId != service.systemId {
            if caller.system?.systemId == request.consumerSystemId {
                throw Problem(.forbidden, detail: "Chỉ bên cung cấp dịch vụ hoặc người vận hành nền tảng quyết định yêu cầu này.")
            }
            throw Problem.notFound("Không có yêu cầu “\(id)”.")
        }
        guard request.status == .pending else { throw Problem(.conflict, detail: "Yêu cầu đã được trả lời (\(request.status.rawValue)).") }
        return request
    }

    enum GrantAction: String, Sendable {
        case suspend, resume, revoke
    }

    /// Suspend and resume: the provider or the operator. Revoke: they, or the consumer giving it up
    /// (R-PL01-3.5). A revoked grant stays revoked; a new request starts again.
    func change(_ id: String, _ action: GrantAction, reason: String?, by caller: GatewayCaller, now: Date = Date()) async throws -> Grant {
        let reason = reason.map { VietnameseText.nfc($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if action != .resume, (reason ?? "").count < 5 {
            throw Problem.validation([.init(pointer: "/reason", message: "Cần lý do (ít nhất 5 ký tự).")])
        }
        let grant = try await database.transaction { [store, services, audit] sql in
            guard var grant = try await store.grant(id, sql, forUpdate: true), let service = try await services.service(grant.serviceId, sql) else {
                throw Problem.notFound("Không có quyền truy cập “\(id)”.")
            }
            let provider = caller.isOperator || caller.system?.systemId == service.systemId
            let consumer = caller.system?.systemId == grant.consumerSystemId
            guard provider || consumer else { throw Problem.notFound("Không có quyền truy cập “\(id)”.") }
            guard provider || action == .revoke else {
                throw Problem(.forbidden, detail: "Bên sử dụng chỉ được thôi sử dụng (thu hồi) quyền của mình.")
            }
            switch (action, grant.status) {
            case (_, .revoked):
                throw Problem(.conflict, detail: "Quyền truy cập đã bị thu hồi.")
            case (.suspend, .active):
                grant.status = .suspended
            case (.resume, .suspended):
                grant.status = .active
            case (.revoke, _):
                grant.status = .revoked
            default:
                throw Problem(.conflict, detail: "Quyền truy cập đang ở trạng thái \(grant.status.rawValue).")
            }
            grant.statusReason = action == .resume ? nil : reason
            grant.updatedAt = Timestamp.string(from: now)
            try await store.setStatus(grant, sql)
            try await audit.record(caller.event("gateway.grant.\(action.rawValue)", type: "grant", id: id, details: ["service": grant.serviceId]), in: sql)
            return grant
        }
        changes.bump()
        return grant
    }

    func grant(_ id: String, by caller: GatewayCaller) async throws -> Grant {
        guard let grant = try await store.grant(id) else { throw Problem.notFound("Không có quyền truy cập “\(id)”.") }
        if caller.isOperator || caller.system?.systemId == grant.consumerSystemId { return grant }
        if let service = try await services.service(grant.serviceId), service.systemId == caller.system?.systemId { return grant }
        throw Problem.notFound("Không có quyền truy cập “\(id)”.")
    }
}
