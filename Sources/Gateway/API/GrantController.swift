import Core
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/gateway/access-requests`, `/api/v1/gateway/grants`, `/api/v1/gateway/notices`: consumers ask
/// for access (form Mẫu 02), providers decide within 5 working days, grants are suspended or revoked.
struct GrantController: Sendable {
    let grants: GrantService
    let members: MemberStore

    static let tags = ["Quyền truy cập"]

    func register(on api: APIRouter) {
        api.addTag(Self.tags[0], description: "Đăng ký sử dụng dịch vụ (Mẫu 02), phê duyệt trong 5 ngày làm việc, quyền truy cập với giới hạn phương thức, đường dẫn, tốc độ và hạn mức ngày.")
        let tags = Self.tags
        let grants = self.grants
        let members = self.members
        let caller: @Sendable (AppRequestContext) async throws -> GatewayCaller = { try await GatewayCaller.resolve($0, members: members) }
        let requests = "/api/v1/gateway/access-requests"
        let id = APIParameter("id", in: .path, description: "Mã yêu cầu (req_…)", required: true)
        let grantID = APIParameter("id", in: .path, description: "Mã quyền truy cập (grt_…)", required: true)

        api.add(.post, requests, access: .authenticated, maxBodySize: 64 << 10, APIOperation(
            "createAccessRequest", summary: "Đăng ký sử dụng một phiên bản dịch vụ ở một môi trường (Mẫu 02)", tags: tags,
            requestBody: APIBody("Yêu cầu", schema: .ref("AccessRequestInput")),
            responses: [APIResponse(201, "Đã nhận; có hạn trả lời", schema: .ref("AccessRequest")), .problem(409, "Đã có yêu cầu hoặc quyền"), .problem(422, "Không hợp lệ")]
        )) { request, context in
            let filed = try await grants.file(try await request.decodeJSON(as: GrantService.NewRequest.self, context: context), by: try await caller(context))
            return try JSONResponse.make(filed, status: .created, location: "\(requests)/\(filed.id)")
        }

        api.add(.get, requests, access: .authenticated, maxBodySize: 0, APIOperation(
            "listAccessRequests", summary: "Yêu cầu của hệ thống (là bên sử dụng hoặc cung cấp); người vận hành thấy tất cả", tags: tags,
            parameters: [
                APIParameter("status", in: .query, description: "pending | approved | rejected | withdrawn"),
                APIParameter("serviceId", in: .query, description: "Dịch vụ"), APIParameter("overdue", in: .query, description: "true: chỉ yêu cầu quá hạn trả lời"),
            ],
            responses: [APIResponse(200, "Danh sách")]
        )) { request, context in
            let who = try await caller(context)
            let query = request.uri.queryParameters
            var filter = GrantStore.RequestFilter(serviceId: query["serviceId"].map(String.init), involving: who.system?.systemId, overdueOnly: query["overdue"] == "true")
            filter.status = try QueryValue.parse(request, "status", as: AccessRequest.Status.self)
            return try JSONResponse.make(["items": try await grants.store.requests(filter)])
        }

        api.add(.get, "\(requests)/{id}", access: .authenticated, maxBodySize: 0, APIOperation(
            "getAccessRequest", summary: "Một yêu cầu, hạn trả lời và trạng thái quá hạn", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Yêu cầu", schema: .ref("AccessRequest")), .problem(404, "Không có")]
        )) { _, context in
            try JSONResponse.make(try await grants.read(try context.parameters.require("id"), by: try await caller(context)))
        }

        api.add(.post, "\(requests)/{id}/approve", access: .authenticated, maxBodySize: 16 << 10, APIOperation(
            "approveAccessRequest", summary: "Phê duyệt (bên cung cấp hoặc người vận hành), có thể giới hạn phương thức, đường dẫn, tốc độ, hạn mức ngày", tags: tags,
            parameters: [id], requestBody: APIBody("Giới hạn", schema: .ref("GrantLimits"), required: false),
            responses: [APIResponse(200, "Đã phê duyệt: yêu cầu và quyền truy cập"), .problem(409, "Đã trả lời")]
        )) { request, context in
            let approval = try await request.decodeJSONOrEmpty(as: GrantService.Approval.self, context: context) ?? GrantService.Approval()
            let (decided, grant) = try await grants.approve(try context.parameters.require("id"), approval, by: try await caller(context))
            return try JSONResponse.make(Approved(request: decided, grant: grant))
        }

        api.add(.post, "\(requests)/{id}/reject", access: .authenticated, maxBodySize: 16 << 10, APIOperation(
            "rejectAccessRequest", summary: "Từ chối, nêu lý do", tags: tags, parameters: [id],
            requestBody: APIBody("Lý do", schema: ["type": "object", "required": ["reason"], "properties": ["reason": ["type": "string"]]]),
            responses: [APIResponse(200, "Đã từ chối", schema: .ref("AccessRequest")), .problem(409, "Đã trả lời")]
        )) { request, context in
            let body = try await request.decodeJSON(as: Reason.self, context: context)
            return try JSONResponse.make(try await grants.reject(try context.parameters.require("id"), reason: body.reason ?? "", by: try await caller(context)))
        }

        api.add(.post, "\(requests)/{id}/withdraw", access: .authenticated, maxBodySize: 0, APIOperation(
            "withdrawAccessRequest", summary: "Bên sử dụng rút yêu cầu chưa được trả lời", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Đã rút", schema: .ref("AccessRequest")), .problem(409, "Đã trả lời")]
        )) { _, context in
            try JSONResponse.make(try await grants.withdraw(try context.parameters.require("id"), by: try await caller(context)))
        }

        api.add(.get, "/api/v1/gateway/grants", access: .authenticated, maxBodySize: 0, APIOperation(
            "listGrants", summary: "Quyền truy cập của hệ thống (là bên sử dụng hoặc cung cấp); người vận hành thấy tất cả", tags: tags,
            parameters: [
                APIParameter("serviceId", in: .query, description: "Dịch vụ"), APIParameter("consumerSystemId", in: .query, description: "Hệ thống sử dụng"),
                APIParameter("status", in: .query, description: "active | suspended | revoked"),
            ],
            responses: [APIResponse(200, "Danh sách")]
        )) { request, context in
            let who = try await caller(context)
            let query = request.uri.queryParameters
            var filter = GrantStore.GrantFilter(serviceId: query["serviceId"].map(String.init), consumerSystemId: query["consumerSystemId"].map(String.init), involving: who.system?.systemId)
            filter.status = try QueryValue.parse(request, "status", as: Grant.Status.self)
            return try JSONResponse.make(["items": try await grants.store.grants(filter)])
        }

        api.add(.get, "/api/v1/gateway/grants/{id}", access: .authenticated, maxBodySize: 0, APIOperation(
            "getGrant", summary: "Một quyền truy cập", tags: tags, parameters: [grantID],
            responses: [APIResponse(200, "Quyền truy cập", schema: .ref("Grant")), .problem(404, "Không có")]
        )) { _, context in
            try JSONResponse.make(try await grants.grant(try context.parameters.require("id"), by: try await caller(context)))
        }

        for action in [GrantService.GrantAction.suspend, .resume, .revoke] {
            let summary: String
            switch action {
            case .suspend: summary = "Tạm dừng quyền truy cập (bên cung cấp hoặc người vận hành), nêu lý do"
            case .resume: summary = "Cho dùng lại quyền đã tạm dừng"
            case .revoke: summary = "Thu hồi quyền truy cập (bên cung cấp, người vận hành, hoặc bên sử dụng thôi dùng), nêu lý do"
            }
            api.add(.post, "/api/v1/gateway/grants/{id}/\(action.rawValue)", access: .authenticated, maxBodySize: 16 << 10, APIOperation(
                "\(action.rawValue)Grant", summary: summary, tags: tags, parameters: [grantID],
                requestBody: APIBody("Lý do", schema: ["type": "object", "properties": ["reason": ["type": "string"]]], required: action != .resume),
                responses: [APIResponse(200, "Đã đổi", schema: .ref("Grant")), .problem(409, "Trạng thái không cho phép")]
            )) { request, context in
                let body = try await request.decodeJSONOrEmpty(as: Reason.self, context: context)
                return try JSONResponse.make(try await grants.change(try context.parameters.require("id"), action, reason: body?.reason, by: try await caller(context)))
            }
        }

        api.add(.get, "/api/v1/gateway/notices", access: .authenticated, maxBodySize: 0, APIOperation(
            "listServiceNotices", summary: "Thông báo vòng đời (công bố, lỗi thời, báo ngừng, ngừng) của các dịch vụ hệ thống đã đăng ký sử dụng", tags: ["Dịch vụ"],
            responses: [APIResponse(200, "Danh sách")]
        )) { _, context in
            let who = try await caller(context)
            guard let system = who.system else {
                throw Problem(.badRequest, detail: "Thông báo dành cho hệ thống sử dụng; người vận hành xem lịch sử từng dịch vụ.")
            }
            return try JSONResponse.make(["items": try await grants.services.notices(consumer: system.systemId)])
        }

        api.addSchema("AccessRequestInput", [
            "type": "object", "required": ["serviceId", "environment", "purpose", "scopeOfUse", "contact"],
            "properties": [
                "serviceId": ["type": "string"], "environment": ["type": "string", "enum": ["test", "production"]], "purpose": ["type": "string"],
                "scopeOfUse": ["type": "string"], "contact": ["type": "object"], "consumerSystemId": ["type": "string"],
            ],
        ])
        api.addSchema("AccessRequest", [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "status": ["type": "string"], "receivedAt": ["type": "string"], "deadlineAt": ["type": "string"],
                "overdue": ["type": "boolean"], "grantId": ["type": "string"],
            ],
        ])
        api.addSchema("GrantLimits", [
            "type": "object",
            "properties": [
                "methods": ["type": "array", "items": ["type": "string"]], "paths": ["type": "array", "items": ["type": "string"]],
                "ratePerSecond": ["type": "number"], "burst": ["type": "integer"], "dailyQuota": ["type": "integer"], "note": ["type": "string"],
            ],
        ])
        api.addSchema("Grant", [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "status": ["type": "string", "enum": ["active", "suspended", "revoked"]], "serviceId": ["type": "string"],
                "consumerSystemId": ["type": "string"], "environment": ["type": "string"],
            ],
        ])
    }

    struct Reason: Decodable, Sendable {
        var reason: String?
    }

    struct Approved: Encodable, Sendable {
        let request: AccessRequest
        let grant: Grant
    }
}
