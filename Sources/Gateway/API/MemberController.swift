import Core
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/gateway/members` and `/api/v1/gateway/systems`: the platform's members (agencies), their
/// restructurings and their systems with per-environment credentials. Operator only (`gateway.admin`).
struct MemberController: Sendable {
    let service: MemberService

    static let admin = "gateway.admin"
    static let tags = ["Thành viên"]
    static let base = "/api/v1/gateway/members"

    func register(on api: APIRouter) {
        api.addTag(Self.tags[0], description: "Cơ quan, đơn vị kết nối với nền tảng, mã định danh điện tử và lịch sử sắp xếp tổ chức; hệ thống thông tin của họ.")
        let tags = Self.tags
        let service = self.service
        let id = APIParameter("id", in: .path, description: "Mã nội bộ của thành viên (mem_…)", required: true)
        let access = RouteAccess.scope(Self.admin)

        api.add(.post, Self.base, access: access, maxBodySize: 64 << 10, APIOperation(
            "createMember", summary: "Đăng ký thành viên (cơ quan, đơn vị) với mã định danh điện tử", tags: tags,
            requestBody: APIBody("Thành viên", schema: .ref("NewMember")),
            responses: [APIResponse(201, "Đã tạo", schema: .ref("Member")), .problem(409, "Mã định danh đã dùng"), .problem(422, "Dữ liệu không hợp lệ")]
        )) { request, context in
            let member = try await service.create(try await request.decodeJSON(as: MemberService.NewMember.self, context: context), by: MemberService.Actor(context))
            return try JSONResponse.make(member, status: .created, location: "\(Self.base)/\(member.id)")
        }

        api.add(.get, Self.base, access: access, maxBodySize: 0, APIOperation(
            "listMembers", summary: "Tìm thành viên theo tên hoặc mã (không phân biệt dấu)", tags: tags,
            parameters: [APIParameter("q", in: .query, description: "Từ khóa"), APIParameter("status", in: .query, description: "active | merged | split | dissolved")],
            responses: [APIResponse(200, "Danh sách")]
        )) { request, context in
            let query = request.uri.queryParameters
            let status = try QueryValue.parse(request, "status", as: Member.Status.self)
            return try JSONResponse.make(["items": try await service.store.members(query: query["q"].map(String.init), status: status, limit: 500)])
        }

        api.add(.get, "\(Self.base)/{id}", access: access, maxBodySize: 0, APIOperation(
            "getMember", summary: "Một thành viên với lịch sử mã định danh và tên", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Thành viên", schema: .ref("Member")), .problem(404, "Không có")]
        )) { _, context in
            try JSONResponse.make(try await service.read(try context.parameters.require("id")))
        }

        api.add(.patch, "\(Self.base)/{id}", access: access, maxBodySize: 64 << 10, APIOperation(
            "updateMember", summary: "Sửa người liên hệ, cấp, cơ quan cấp trên", tags: tags, parameters: [id],
            requestBody: APIBody("Thay đổi", schema: ["type": "object"]), responses: [APIResponse(200, "Đã sửa", schema: .ref("Member"))]
        )) { request, context in
            try JSONResponse.make(try await service.update(
                try context.parameters.require("id"), try await request.decodeJSON(as: MemberService.Changes.self, context: context), by: MemberService.Actor(context)
            ))
        }

        api.add(.post, "\(Self.base)/{id}/rename", access: access, maxBodySize: 16 << 10, APIOperation(
            "renameMember", summary: "Đổi tên và/hoặc mã định danh (giữ lịch sử)", tags: tags, parameters: [id],
            requestBody: APIBody("Tên, mã mới và lý do", schema: ["type": "object"]), responses: [APIResponse(200, "Đã đổi", schema: .ref("Member"))]
        )) { request, context in
            try JSONResponse.make(try await service.rename(
                try context.parameters.require("id"), try await request.decodeJSON(as: MemberService.Rename.self, context: context), by: MemberService.Actor(context)
            ))
        }

        api.add(.post, "\(Self.base)/{id}/merge", access: access, maxBodySize: 16 << 10, APIOperation(
            "mergeMembers", summary: "Sáp nhập các thành viên khác vào thành viên này (chuyển hệ thống)", tags: tags, parameters: [id],
            requestBody: APIBody("Các thành viên bị sáp nhập", schema: ["type": "object", "required": ["sources"]]),
            responses: [APIResponse(200, "Đã sáp nhập", schema: .ref("Member"))]
        )) { request, context in
            try JSONResponse.make(try await service.merge(
                into: try context.parameters.require("id"), try await request.decodeJSON(as: MemberService.Merge.self, context: context), by: MemberService.Actor(context)
            ))
        }

        api.add(.post, "\(Self.base)/{id}/split", access: access, maxBodySize: 64 << 10, APIOperation(
            "splitMember", summary: "Chia tách thành viên thành các đơn vị mới (giao từng hệ thống)", tags: tags, parameters: [id],
            requestBody: APIBody("Các đơn vị mới", schema: ["type": "object", "required": ["into"]]),
            responses: [APIResponse(200, "Các thành viên mới")]
        )) { request, context in
            try JSONResponse.make(["items": try await service.split(
                try context.parameters.require("id"), try await request.decodeJSON(as: MemberService.Split.self, context: context), by: MemberService.Actor(context)
            )])
        }

        api.add(.post, "\(Self.base)/{id}/dissolve", access: access, maxBodySize: 16 << 10, APIOperation(
            "dissolveMember", summary: "Giải thể thành viên (chuyển hệ thống cho đơn vị tiếp nhận hoặc ngừng chúng)", tags: tags, parameters: [id],
            requestBody: APIBody("Đơn vị tiếp nhận và căn cứ", schema: ["type": "object", "required": ["reason"]]),
            responses: [APIResponse(200, "Đã giải thể", schema: .ref("Member"))]
        )) { request, context in
            try JSONResponse.make(try await service.dissolve(
                try context.parameters.require("id"), try await request.decodeJSON(as: MemberService.Dissolve.self, context: context), by: MemberService.Actor(context)
            ))
        }

        api.add(.post, "\(Self.base)/{id}/systems", access: access, maxBodySize: 16 << 10, APIOperation(
            "createSystem", summary: "Đăng ký hệ thống thông tin / cơ sở dữ liệu của thành viên", tags: tags, parameters: [id],
            requestBody: APIBody("Hệ thống", schema: ["type": "object", "required": ["code", "name", "kind"]]),
            responses: [APIResponse(201, "Đã tạo"), .problem(409, "Mã đã dùng")]
        )) { request, context in
            let system = try await service.createSystem(
                member: try context.parameters.require("id"), try await request.decodeJSON(as: MemberService.NewSystem.self, context: context), by: MemberService.Actor(context)
            )
            return try JSONResponse.make(system, status: .created, location: "/api/v1/gateway/systems/\(system.id)")
        }

        api.add(.get, "\(Self.base)/{id}/systems", access: access, maxBodySize: 0, APIOperation(
            "listSystems", summary: "Hệ thống của thành viên", tags: tags, parameters: [id], responses: [APIResponse(200, "Danh sách")]
        )) { _, context in
            try JSONResponse.make(["items": try await service.store.systems(member: try context.parameters.require("id"))])
        }

        api.add(.get, "/api/v1/gateway/systems/{id}", access: access, maxBodySize: 0, APIOperation(
            "getSystem", summary: "Một hệ thống và mã client của nó ở mỗi môi trường", tags: tags,
            parameters: [APIParameter("id", in: .path, description: "Mã hệ thống (sys_…)", required: true)],
            responses: [APIResponse(200, "Hệ thống"), .problem(404, "Không có")]
        )) { _, context in
            let id = try context.parameters.require("id")
            guard let system = try await service.store.system(id) else { throw Problem.notFound("Không có hệ thống “\(id)”.") }
            return try JSONResponse.make(system)
        }

        api.add(.post, "/api/v1/gateway/systems/{id}/credentials/{environment}", access: access, maxBodySize: 0, APIOperation(
            "issueSystemCredentials", summary: "Cấp (hoặc cấp lại) client_id/secret của hệ thống cho một môi trường; secret chỉ hiện lần này", tags: tags,
            parameters: [
                APIParameter("id", in: .path, description: "Mã hệ thống", required: true),
                APIParameter("environment", in: .path, description: "test | production", required: true),
            ],
            responses: [APIResponse(200, "client_id và client_secret"), .problem(404, "Không có")]
        )) { _, context in
            guard let environment = Environment(rawValue: try context.parameters.require("environment")) else {
                throw Problem.validation([.init(pointer: "/path/environment", message: "Môi trường là test hoặc production.")])
            }
            return try JSONResponse.make(try await service.issueCredentials(system: try context.parameters.require("id"), environment: environment, by: MemberService.Actor(context)))
        }

        api.addSchema("NewMember", [
            "type": "object", "required": ["identifier", "name", "level"],
            "properties": [
                "identifier": ["type": "string", "description": "Mã định danh điện tử (QCVN 102 hoặc Quyết định 20)"], "name": ["type": "string"],
                "parentId": ["type": "string"], "level": ["type": "string", "enum": .array(Member.Level.allCases.map { .string($0.rawValue) })],
                "contacts": ["type": "array", "items": ["type": "object"]],
            ],
        ])
        api.addSchema("Member", [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "identifier": ["type": "string"], "name": ["type": "string"], "parentId": ["type": "string"],
                "level": ["type": "string"], "status": ["type": "string"], "successors": ["type": "array", "items": ["type": "string"]],
                "contacts": ["type": "array"], "names": ["type": "array"],
            ],
        ])
    }
}
