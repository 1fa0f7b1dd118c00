import Core
import Hummingbird

/// Who calls the gateway's management routes: the platform's operator (`gateway.admin`) or a member's
/// system, recognised by the SSO client its token was issued to (one client per system and environment).
/// A system manages only what is its own: the services it provides, the requests it files, the grants on
/// its services.
struct GatewayCaller: Sendable {
    enum Kind: Sendable, Equatable {
        case `operator`
        case system(MemberStore.ClientBinding)
    }

    let kind: Kind
    let subject: String
    let client: String?
    let requestID: String?

    var isOperator: Bool { kind == .operator }

    var system: MemberStore.ClientBinding? {
        if case .system(let binding) = kind { return binding }
        return nil
    }

    var actor: MemberService.Actor { MemberService.Actor(subject: subject, client: client, requestID: requestID) }

    /// The caller of a request that passed `RouteAccess.authenticated`, or 403.
    static func resolve(_ context: AppRequestContext, members: MemberStore) async throws -> GatewayCaller {
        guard let principal = context.principal else {
            throw Problem(.unauthorized, detail: "Cần access token (Authorization: Bearer …).", headers: [.wwwAuthenticate: #"Bearer realm="lgsp""#])
        }
        if principal.scopes.contains(MemberController.admin) {
            return GatewayCaller(kind: .operator, subject: principal.subject, client: principal.clientID, requestID: context.requestID)
        }
        if principal.kind == .client, principal.scopes.contains(Self.callScope), let binding = try await members.binding(clientID: principal.clientID), binding.active {
            return GatewayCaller(kind: .system(binding), subject: principal.subject, client: principal.clientID, requestID: context.requestID)
        }
        throw Problem(.forbidden, detail: "Chỉ người vận hành nền tảng (gateway.admin) hoặc hệ thống thông tin đã đăng ký của thành viên mới dùng được chức năng này.")
    }

    /// The scope of systems' own clients.
    static let callScope = "gateway.call"

    /// 403 unless the caller is the operator or the system `systemId`.
    func require(system systemId: String, _ what: String) throws {
        if isOperator || system?.systemId == systemId { return }
        throw Problem(.forbidden, detail: "\(what) thuộc hệ thống khác; chỉ hệ thống đó hoặc người vận hành nền tảng được thao tác.")
    }

    func event(_ action: String, type: String, id: String, details: [String: String] = [:]) -> AuditEvent {
        actor.event(action, type: type, id: id, details: details)
    }
}
