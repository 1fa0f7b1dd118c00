import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/catalogs/webhooks`: applications subscribe to catalog changes (scope `catalogs.subscribe`).
/// Each sees and removes only its own subscriptions; `catalogs.admin` sees all.
struct WebhookController: Sendable {
    let outbox: WebhookOutbox
    let audit: AuditLog
    let database: Database
    let environment: DeploymentEnvironment
    let dispatcher: WebhookDispatcher

    static let subscribeScope = "catalogs.subscribe"

    struct NewWebhook: Decodable {
        let url: String
        let catalogs: [String]?
        let description: String?
    }

    struct Created: Encodable {
        let webhook: Webhook
        let secret: String

        enum CodingKeys: String, CodingKey { case secret }

        func encode(to encoder: any Encoder) throws {
            try webhook.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(secret, forKey: .secret)
        }
    }

    func register(on api: APIRouter) {
        let access = RouteAccess.scope(Self.subscribeScope)
        let tags = ["catalogs-webhooks"]
        api.addTag("catalogs-webhooks", description: "Đăng ký nhận thông báo khi danh mục được công bố phiên bản mới (POST có chữ ký HMAC-SHA256, gửi lại đến khi được xác nhận)")
        let id = APIParameter("id", in: .path, description: "Mã webhook")

        api.add(.post, "/api/v1/catalogs/webhooks", access: access, maxBodySize: 16 << 10, APIOperation(
            "createWebhook", summary: "Đăng ký webhook", tags: tags,
            requestBody: APIBody("URL nhận và các danh mục quan tâm (bỏ trống: mọi danh mục)", schema: [
                "type": "object", "required": ["url"],
                "properties": ["url": ["type": "string", "format": "uri"], "catalogs": ["type": "array", "items": ["type": "string"]], "description": ["type": "string"]],
            ]),
            responses: [APIResponse(201, "Đã đăng ký; secret chỉ hiện một lần", schema: .ref("Webhook")), .problem(422, "Dữ liệu không hợp lệ")]
        )) { request, context in
            let input = try await request.decodeJSON(as: NewWebhook.self, context: context)
            return try await create(input, context)
        }
        api.add(.get, "/api/v1/catalogs/webhooks", access: access, maxBodySize: 0, APIOperation(
            "listWebhooks", summary: "Các webhook của ứng dụng (quản trị: tất cả)", tags: tags,
            responses: [APIResponse(200, "Webhook", schema: ["type": "object", "properties": ["items": ["type": "array", "items": .ref("Webhook")]]])]
        )) { _, context in
            let all = CatalogReader.isAdmin(context.principal)
            return try CatalogAdminController.json(["items": try await outbox.webhooks(ownerClient: all ? nil : context.principal?.clientID)])
        }
        api.add(.get, "/api/v1/catalogs/webhooks/{id}", access: access, maxBodySize: 0, APIOperation(
            "getWebhook", summary: "Một webhook", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Webhook", schema: .ref("Webhook")), .problem(404, "Không có")]
        )) { _, context in
            try CatalogAdminController.json(try await owned(try context.parameters.require("id"), context))
        }
        api.add(.delete, "/api/v1/catalogs/webhooks/{id}", access: access, maxBodySize: 0, APIOperation(
            "deleteWebhook", summary: "Hủy webhook", tags: tags, parameters: [id],
            responses: [APIResponse(204, "Đã hủy", contentType: nil), .problem(404, "Không có")]
        )) { _, context in
            let hook = try await owned(try context.parameters.require("id"), context)
            try await database.transaction { [outbox, audit] sql in
                try await outbox.delete(hook.id, sql)
                try await audit.record(CatalogActor(context).event("catalogs.webhook.delete", type: "catalog-webhook", id: hook.id), in: sql)
            }
            return Response(status: .noContent)
        }
        api.add(.get, "/api/v1/catalogs/webhooks/{id}/deliveries", access: access, maxBodySize: 0, APIOperation(
            "listWebhookDeliveries", summary: "Các lần gửi gần nhất (trạng thái, số lần thử, lỗi cuối)", tags: tags,
            parameters: [id, APIParameter("limit", in: .query, description: "1–500, mặc định 50", schema: ["type": "integer"])],
            responses: [APIResponse(200, "Lần gửi", schema: ["type": "object", "properties": ["items": ["type": "array", "items": .ref("WebhookDelivery")]]])]
        )) { request, context in
            let hook = try await owned(try context.parameters.require("id"), context)
            let limit = Int(request.queryFields["limit"] ?? "50") ?? 0
            guard (1...500).contains(limit) else {
                throw Problem.validation([.init(pointer: "/query/limit", message: "limit từ 1 đến 500.")])
            }
            return try CatalogAdminController.json(["items": try await outbox.deliveries(webhook: hook.id, limit: limit)])
        }
        api.add(.post, "/api/v1/catalogs/webhooks/{id}/deliveries/{delivery}/retry", access: access, maxBodySize: 0, APIOperation(
            "retryWebhookDelivery", summary: "Gửi lại ngay một lần gửi đã thất bại", tags: tags,
            parameters: [id, APIParameter("delivery", in: .path, description: "Mã lần gửi")],
            responses: [APIResponse(202, "Đã xếp hàng gửi lại", contentType: nil), .problem(404, "Không có"), .problem(409, "Lần gửi chưa thất bại")]
        )) { _, context in
            let hook = try await owned(try context.parameters.require("id"), context)
            guard let delivery = Int64(try context.parameters.require("delivery")) else { throw Problem.notFound("Không có lần gửi này.") }
            guard try await outbox.retry(delivery: delivery, webhook: hook.id) else {
                throw Problem(.conflict, detail: "Lần gửi \(delivery) không ở trạng thái thất bại (hoặc không thuộc webhook này).")
            }
            if !hook.active { try await outbox.setActive(hook.id, true) }
            dispatcher.wake()
            return Response(status: .accepted)
        }
    }

    func create(_ input: NewWebhook, _ context: AppRequestContext) async throws -> Response {
        var errors: [Problem.FieldError] = []
        if let url = URLComponents(string: input.url), let scheme = url.scheme?.lowercased(), url.host?.isEmpty == false, url.user == nil, url.password == nil,
            url.fragment == nil, input.url.count <= 2000
        {
            if scheme != "https" && !(scheme == "http" && environment != .production) {
                errors.append(.init(pointer: "/url", message: environment == .production ? "Ở môi trường production, URL nhận phải là https." : "URL phải là http hoặc https."))
            }
        } else {
            errors.append(.init(pointer: "/url", message: "URL không hợp lệ (không chứa tên người dùng, mật khẩu hay #)."))
        }
        let catalogs = input.catalogs ?? []
        for (index, key) in catalogs.enumerated() where !CatalogInfo.isValidKey(key) {
            errors.append(.init(pointer: "/catalogs/\(index)", message: "Khóa danh mục không hợp lệ."))
        }
        if catalogs.count > 100 { errors.append(.init(pointer: "/catalogs", message: "Tối đa 100 danh mục.")) }
        guard errors.isEmpty, let principal = context.principal else { throw Problem.validation(errors) }
        var secretBytes = [UInt8](repeating: 0, count: 32)
        for index in secretBytes.indices { secretBytes[index] = UInt8.random(in: 0...255) }
        // The key is the text itself (UTF-8), as GitHub and Stripe do: nothing to decode on the receiving side.
        let secretText = "whsec_" + Data(secretBytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let secret = Data(secretText.utf8)
        let hook = Webhook(
            id: "wh_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20), url: input.url,
            catalogs: Array(Set(catalogs)).sorted(), description: input.description.map(VietnameseText.nfc), active: true,
            closedAccess: CatalogReader.canRead(principal), ownerClient: principal.clientID, ownerSubject: principal.subject, createdAt: Timestamp.now()
        )
        try await database.transaction { [outbox, audit] sql in
            try await outbox.insert(hook, secret: secret, sql)
            try await audit.record(CatalogActor(context).event("catalogs.webhook.create", type: "catalog-webhook", id: hook.id, details: [
                "catalogs": hook.catalogs.isEmpty ? "*" : hook.catalogs.joined(separator: ","),
            ]), in: sql)
        }
        return try CatalogAdminController.json(
            Created(webhook: hook, secret: secretText), status: .created, location: "/api/v1/catalogs/webhooks/\(hook.id)"
        )
    }

    /// The webhook, if the caller owns it (or administers catalogs); 404 otherwise, so ids are not probed.
    func owned(_ id: String, _ context: AppRequestContext) async throws -> Webhook {
        guard let hook = try await outbox.webhook(id), CatalogReader.isAdmin(context.principal) || hook.ownerClient == context.principal?.clientID else {
            throw Problem.notFound("Không có webhook “\(id)”.")
        }
        return hook
    }
}
