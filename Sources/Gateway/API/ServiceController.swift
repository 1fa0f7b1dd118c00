import Core
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/gateway/services`: the service registry and each service's lifecycle. The operator manages
/// every service; a provider system manages its own; any registered system reads the published catalog.
struct ServiceController: Sendable {
    let registry: ServiceRegistry
    let members: MemberStore
    let health: HealthStore

    static let tags = ["Dịch vụ"]
    static let base = "/api/v1/gateway/services"

    func register(on api: APIRouter) {
        api.addTag(Self.tags[0], description: "Danh mục dịch vụ chia sẻ qua trục kết nối, tài liệu, OpenAPI, bộ kiểm thử và vòng đời (nháp → công bố → lỗi thời → ngừng).")
        let tags = Self.tags
        let registry = self.registry
        let members = self.members
        let health = self.health
        let id = APIParameter("id", in: .path, description: "Mã nội bộ của dịch vụ (svc_…)", required: true)
        let caller: @Sendable (AppRequestContext) async throws -> GatewayCaller = { try await GatewayCaller.resolve($0, members: members) }

        api.add(.post, Self.base, access: .authenticated, maxBodySize: 256 << 10, APIOperation(
            "createService", summary: "Đăng ký một phiên bản dịch vụ của hệ thống cung cấp (trạng thái nháp)", tags: tags,
            requestBody: APIBody("Dịch vụ", schema: .ref("ServiceInput")),
            responses: [APIResponse(201, "Đã tạo", schema: .ref("Service")), .problem(409, "Đã có phiên bản này"), .problem(422, "Dữ liệu không hợp lệ")]
        )) { request, context in
            let service = try await registry.create(try await request.decodeJSON(as: ServiceRegistry.Input.self, context: context), by: try await caller(context))
            return try JSONResponse.make(service, status: .created, location: "\(Self.base)/\(service.id)")
        }

        api.add(.get, Self.base, access: .authenticated, maxBodySize: 0, APIOperation(
            "listServices", summary: "Tìm dịch vụ (không phân biệt dấu); hệ thống thấy dịch vụ đã công bố và dịch vụ của mình", tags: tags,
            parameters: [
                APIParameter("q", in: .query, description: "Từ khóa"), APIParameter("status", in: .query, description: "draft | published | deprecated | retired"),
                APIParameter("systemId", in: .query, description: "Hệ thống cung cấp"), APIParameter("memberId", in: .query, description: "Thành viên cung cấp"),
            ],
            responses: [APIResponse(200, "Danh sách")]
        )) { request, context in
            let who = try await caller(context)
            let query = request.uri.queryParameters
            var filter = ServiceStore.Filter(query: query["q"].map(String.init), systemId: query["systemId"].map(String.init), memberId: query["memberId"].map(String.init))
            if let status = try QueryValue.parse(request, "status", as: RegisteredService.Status.self) { filter.statuses = [status] }
            var items = try await registry.store.services(filter)
            if let own = who.system {
                items = items.filter { $0.systemId == own.systemId || $0.status == .published || $0.status == .deprecated }
            }
            return try JSONResponse.make(["items": items])
        }

        api.add(.get, "\(Self.base)/{id}", access: .authenticated, maxBodySize: 0, APIOperation(
            "getService", summary: "Một dịch vụ", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Dịch vụ", schema: .ref("Service")), .problem(404, "Không có")]
        )) { _, context in
            let who = try await caller(context)
            return try JSONResponse.make(try await Self.visible(try context.parameters.require("id"), to: who, registry))
        }

        api.add(.patch, "\(Self.base)/{id}", access: .authenticated, maxBodySize: 256 << 10, APIOperation(
            "updateService", summary: "Sửa mô tả, tài liệu, đầu mối, địa chỉ gốc, xác thực tới dịch vụ gốc, giới hạn", tags: tags, parameters: [id],
            requestBody: APIBody("Thay đổi", schema: .ref("ServiceInput")), responses: [APIResponse(200, "Đã sửa", schema: .ref("Service"))]
        )) { request, context in
            try JSONResponse.make(try await registry.update(
                try context.parameters.require("id"), try await request.decodeJSON(as: ServiceRegistry.Input.self, context: context), by: try await caller(context)
            ))
        }

        api.add(.put, "\(Self.base)/{id}/openapi", access: .authenticated, maxBodySize: ServiceRegistry.maxOpenAPIBytes, APIOperation(
            "putServiceOpenAPI", summary: "Tải lên tài liệu OpenAPI 3.0/3.1 (JSON) của dịch vụ; được kiểm tra", tags: tags, parameters: [id],
            requestBody: APIBody("OpenAPI", schema: ["type": "object"]),
            responses: [APIResponse(200, "Đã lưu", schema: .ref("Service")), .problem(422, "Tài liệu không hợp lệ")]
        )) { request, context in
            let body = try await request.body.collect(upTo: context.maxBodySize)
            return try JSONResponse.make(try await registry.setOpenAPI(try context.parameters.require("id"), Data(buffer: body), by: try await caller(context)))
        }

        api.add(.get, "\(Self.base)/{id}/openapi", access: .authenticated, maxBodySize: 0, APIOperation(
            "getServiceOpenAPI", summary: "Tài liệu OpenAPI của dịch vụ", tags: tags, parameters: [id],
            responses: [APIResponse(200, "OpenAPI"), .problem(404, "Chưa có")]
        )) { _, context in
            let service = try await Self.visible(try context.parameters.require("id"), to: try await caller(context), registry)
            guard let text = try await registry.store.openAPI(service.id) else { throw Problem.notFound("Dịch vụ chưa có tài liệu OpenAPI.") }
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }

        api.add(.put, "\(Self.base)/{id}/test-collection", access: .authenticated, maxBodySize: ServiceRegistry.maxOpenAPIBytes, APIOperation(
            "putServiceTestCollection", summary: "Tải lên bộ kiểm thử (Postman collection v2.x)", tags: tags, parameters: [id],
            requestBody: APIBody("Bộ kiểm thử", schema: ["type": "object"]),
            responses: [APIResponse(200, "Đã lưu", schema: .ref("Service")), .problem(422, "Không hợp lệ")]
        )) { request, context in
            let body = try await request.body.collect(upTo: context.maxBodySize)
            return try JSONResponse.make(try await registry.setTestCollection(try context.parameters.require("id"), Data(buffer: body), by: try await caller(context)))
        }

        api.add(.get, "\(Self.base)/{id}/test-collection", access: .authenticated, maxBodySize: 0, APIOperation(
            "getServiceTestCollection", summary: "Bộ kiểm thử của dịch vụ", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Bộ kiểm thử"), .problem(404, "Chưa có")]
        )) { _, context in
            let service = try await Self.visible(try context.parameters.require("id"), to: try await caller(context), registry)
            guard let text = try await registry.store.testCollection(service.id) else { throw Problem.notFound("Dịch vụ chưa có bộ kiểm thử.") }
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }

        api.add(.post, "\(Self.base)/{id}/publish", access: .authenticated, maxBodySize: 0, APIOperation(
            "publishService", summary: "Công bố dịch vụ (cần tài liệu, OpenAPI, bộ kiểm thử, đầu mối, cam kết an toàn thông tin)", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Đã công bố", schema: .ref("Service")), .problem(409, "Không ở trạng thái nháp"), .problem(422, "Thiếu điều kiện")]
        )) { _, context in
            try JSONResponse.make(try await registry.publish(try context.parameters.require("id"), by: try await caller(context)))
        }

        api.add(.post, "\(Self.base)/{id}/deprecate", access: .authenticated, maxBodySize: 16 << 10, APIOperation(
            "deprecateService", summary: "Đánh dấu lỗi thời khi có phiên bản mới; vẫn hoạt động đến ngày ngừng hỗ trợ (≥ 180 ngày sau khi phiên bản mới công bố)", tags: tags,
            parameters: [id], requestBody: APIBody("Phiên bản thay thế và ngày ngừng hỗ trợ", schema: ["type": "object", "required": ["successorVersion", "sunsetAt"]]),
            responses: [APIResponse(200, "Đã đánh dấu", schema: .ref("Service")), .problem(422, "Chưa đủ 180 ngày")]
        )) { request, context in
            try JSONResponse.make(try await registry.deprecate(
                try context.parameters.require("id"), try await request.decodeJSON(as: ServiceRegistry.Deprecation.self, context: context), by: try await caller(context)
            ))
        }

        api.add(.post, "\(Self.base)/{id}/retirement-notice", access: .authenticated, maxBodySize: 16 << 10, APIOperation(
            "announceServiceRetirement", summary: "Thông báo ngừng cung cấp dịch vụ (trước ít nhất 60 ngày)", tags: tags, parameters: [id],
            requestBody: APIBody("Ngày ngừng và lý do", schema: ["type": "object", "required": ["retireAt", "reason"]]),
            responses: [APIResponse(200, "Đã thông báo", schema: .ref("Service")), .problem(422, "Chưa đủ 60 ngày")]
        )) { request, context in
            try JSONResponse.make(try await registry.announceRetirement(
                try context.parameters.require("id"), try await request.decodeJSON(as: ServiceRegistry.RetirementNotice.self, context: context), by: try await caller(context)
            ))
        }

        api.add(.post, "\(Self.base)/{id}/retire", access: .authenticated, maxBodySize: 0, APIOperation(
            "retireService", summary: "Ngừng dịch vụ (bản nháp: ngay; đã công bố: khi đến ngày đã báo trước); thu hồi mọi quyền truy cập", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Đã ngừng", schema: .ref("Service")), .problem(409, "Chưa báo trước hoặc chưa đến ngày")]
        )) { _, context in
            try JSONResponse.make(try await registry.retire(try context.parameters.require("id"), by: try await caller(context)))
        }

        api.add(.post, "\(Self.base)/{id}/suspend", access: .authenticated, maxBodySize: 16 << 10, APIOperation(
            "suspendService", summary: "Tạm dừng dịch vụ (bảo trì, sự cố): lời gọi nhận 503 kèm lý do đến khi cho hoạt động lại", tags: tags, parameters: [id],
            requestBody: APIBody("Lý do", schema: ["type": "object", "required": ["reason"], "properties": ["reason": ["type": "string"]]]),
            responses: [APIResponse(200, "Đã tạm dừng", schema: .ref("Service")), .problem(409, "Không đang hoạt động")]
        )) { request, context in
            let body = try await request.decodeJSON(as: GrantController.Reason.self, context: context)
            return try JSONResponse.make(try await registry.suspend(try context.parameters.require("id"), reason: body.reason ?? "", by: try await caller(context)))
        }

        api.add(.post, "\(Self.base)/{id}/resume", access: .authenticated, maxBodySize: 0, APIOperation(
            "resumeService", summary: "Cho dịch vụ đã tạm dừng hoạt động lại", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Đã hoạt động lại", schema: .ref("Service")), .problem(409, "Không bị tạm dừng")]
        )) { _, context in
            try JSONResponse.make(try await registry.resume(try context.parameters.require("id"), by: try await caller(context)))
        }

        api.add(.get, "\(Self.base)/{id}/events", access: .authenticated, maxBodySize: 0, APIOperation(
            "listServiceEvents", summary: "Lịch sử vòng đời và các thông báo của dịch vụ", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Danh sách")]
        )) { _, context in
            let service = try await Self.visible(try context.parameters.require("id"), to: try await caller(context), registry)
            return try JSONResponse.make(["items": try await registry.store.events(service: service.id)])
        }

        api.add(.get, "/api/v1/gateway/health", access: .authenticated, maxBodySize: 0, APIOperation(
            "listConnectionStatus", summary: "Bảng theo dõi kết nối của người vận hành: mọi dịch vụ đang được kiểm tra định kỳ (đã công bố hoặc lỗi thời) với lần kiểm tra gần nhất, số lần lỗi liên tiếp và cảnh báo nguy cơ mất kết nối; dịch vụ có nguy cơ đứng trước", tags: tags,
            parameters: [APIParameter("atRisk", in: .query, description: "true: chỉ các dịch vụ có nguy cơ mất kết nối")],
            responses: [APIResponse(200, "Danh sách"), .problem(403, "Chỉ người vận hành"), .problem(422, "Tham số sai")]
        )) { request, context in
            guard try await caller(context).isOperator else {
                throw Problem(.forbidden, detail: "Chỉ người vận hành trục kết nối xem được bảng theo dõi; hệ thống xem trạng thái từng dịch vụ tại …/services/{id}/health.")
            }
            let onlyAtRisk: Bool
            switch request.uri.queryParameters["atRisk"] {
            case nil, "false": onlyAtRisk = false
            case "true": onlyAtRisk = true
            default: throw Problem.validation([.init(pointer: "/query/atRisk", message: "true hoặc false.")])
            }
            let states = try await health.states()
            var items: [ConnectionStatus] = []
            for service in try await registry.store.polled() {
                let state = states[service.id] ?? .unknown
                if onlyAtRisk, !state.atRisk { continue }
                items.append(ConnectionStatus(
                    serviceId: service.id, code: service.code, version: service.version, name: service.name, status: service.status,
                    suspended: service.suspendedAt != nil, probe: service.health, current: state.current, failuresInARow: state.failures, atRisk: state.atRisk
                ))
            }
            items.sort { ($0.atRisk ? 0 : 1, $0.code, $0.version) < ($1.atRisk ? 0 : 1, $1.code, $1.version) }
            return try JSONResponse.make(["items": items])
        }

        api.add(.get, "\(Self.base)/{id}/health", access: .authenticated, maxBodySize: 0, APIOperation(
            "getServiceConnectionStatus", summary: "Trạng thái kết nối của dịch vụ do nền tảng thu thập theo chu kỳ đã đăng ký: lần kiểm tra gần nhất, số lần lỗi liên tiếp, tỷ lệ sẵn sàng 24 giờ và 30 ngày, các lần kiểm tra (mới trước)", tags: tags,
            parameters: [
                id, APIParameter("from", in: .query, description: "Từ thời điểm (ISO 8601)"), APIParameter("to", in: .query, description: "Trước thời điểm (ISO 8601)"),
                APIParameter("limit", in: .query, description: "Số lần kiểm tra trả về (tối đa 1000, mặc định 100)"),
            ],
            responses: [APIResponse(200, "Trạng thái"), .problem(404, "Không có"), .problem(422, "Tham số sai")]
        )) { request, context in
            let service = try await Self.visible(try context.parameters.require("id"), to: try await caller(context), registry)
            var errors: [Problem.FieldError] = []
            let from = QueryValue.instant(request, "from", errors: &errors)
            let to = QueryValue.instant(request, "to", errors: &errors)
            let limit = QueryValue.limit(request, default: 100, maximum: 1000, errors: &errors)
            guard errors.isEmpty else { throw Problem.validation(errors) }
            let checks = try await health.checks(service: service.id, from: from, to: to, limit: limit)
            let state = try await health.state(service: service.id)
            let now = Date()
            let day = try await health.availability(service: service.id, since: Timestamp.string(from: now.addingTimeInterval(-86_400)))
            let month = try await health.availability(service: service.id, since: Timestamp.string(from: now.addingTimeInterval(-30 * 86_400)))
            return try JSONResponse.make(ServiceHealth(
                serviceId: service.id, probe: service.health, current: state.current, failuresInARow: state.failures,
                atRisk: state.atRisk, availability24h: day.ratio, checks24h: day.checks,
                availability30d: month.ratio, checks30d: month.checks, items: checks
            ))
        }

        api.add(.get, "\(Self.base)/{id}/docs", access: .authenticated, maxBodySize: 0, APIOperation(
            "getServiceDocs", summary: "Tài liệu cho lập trình viên của bên sử dụng: cách gọi, thao tác, ví dụ, trạng thái, OpenAPI, đầu mối (HTML)", tags: tags,
            parameters: [id], responses: [APIResponse(200, "Trang HTML", contentType: "text/html"), .problem(404, "Không có")]
        )) { _, context in
            let service = try await Self.visible(try context.parameters.require("id"), to: try await caller(context), registry)
            var provider: String?
            if let member = service.memberId { provider = try await members.member(member)?.name }
            let nonce = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let html = ServiceDocsPage.render(
                service, openAPI: try await registry.store.openAPI(service.id), providerName: provider, baseURL: registry.publicURL, nonce: nonce
            )
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    .contentSecurityPolicy: "default-src 'none'; style-src 'nonce-\(nonce)'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: html))
            )
        }

        api.addSchema("ServiceInput", [
            "type": "object",
            "properties": [
                "systemId": ["type": "string"], "code": ["type": "string"], "version": ["type": "string"], "name": ["type": "string"],
                "description": ["type": "string"], "purpose": ["type": "string"],
                "upstreams": ["type": "object", "properties": ["test": ["type": "string", "format": "uri"], "production": ["type": "string", "format": "uri"]]],
                "upstreamAuth": [
                    "type": "object", "required": ["kind"],
                    "properties": [
                        "kind": ["type": "string", "enum": ["none", "header", "oauth2"]], "header": ["type": "string"], "value": ["type": "string", "writeOnly": true],
                        "tokenUrl": ["type": "string"], "clientId": ["type": "string"], "clientSecret": ["type": "string", "writeOnly": true], "scope": ["type": "string"],
                    ],
                ],
                "documentation": ["type": "object"], "contact": ["type": "object"], "health": ["type": "object"], "securityCommitment": ["type": "object"],
                "timeoutMs": ["type": "integer"], "maxRequestBytes": ["type": "integer"],
            ],
        ])
        api.addSchema("Service", [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "systemId": ["type": "string"], "memberId": ["type": "string"], "code": ["type": "string"],
                "version": ["type": "string"], "name": ["type": "string"], "status": ["type": "string", "enum": ["draft", "published", "deprecated", "retired"]],
                "upstreams": ["type": "object"], "upstreamAuth": ["type": "object"], "publishedAt": ["type": "string"], "sunsetAt": ["type": "string"],
                "retireAt": ["type": "string"],
            ],
        ])
    }

    /// A service the caller may read: every service for the operator and its provider; published and
    /// deprecated ones for other systems.
    static func visible(_ id: String, to caller: GatewayCaller, _ registry: ServiceRegistry) async throws -> RegisteredService {
        let service = try await registry.read(id)
        if caller.isOperator || caller.system?.systemId == service.systemId || service.status == .published || service.status == .deprecated {
            return service
        }
        throw Problem.notFound("Không có dịch vụ “\(id)”.")
    }
}

/// What `GET …/services/{id}/health` answers.
struct ServiceHealth: Codable, Sendable {
    let serviceId: String
    let probe: RegisteredService.HealthProbe?
    /// The latest check.
    let current: HealthCheck?
    let failuresInARow: Int
    /// `HealthMonitor.riskAfter` failed checks in a row and not yet `recoverAfter` successes since
    /// (consumers got a `health-risk` notice).
    let atRisk: Bool
    /// Share of checks that found it up (nil: no check in the period).
    let availability24h: Double?
    let checks24h: Int
    let availability30d: Double?
    let checks30d: Int
    let items: [HealthCheck]
}

/// One line of `GET /api/v1/gateway/health`.
struct ConnectionStatus: Codable, Sendable {
    let serviceId: String
    let code: String
    let version: String
    let name: String
    let status: RegisteredService.Status
    let suspended: Bool
    let probe: RegisteredService.HealthProbe?
    let current: HealthCheck?
    let failuresInARow: Int
    let atRisk: Bool
}
