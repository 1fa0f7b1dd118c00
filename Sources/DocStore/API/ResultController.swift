import Core
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/docstore/results`: digitized results — stored and revoked by the issuing agency
/// (`results.issue`), read by their owners (`results.read`), reused by agencies with a purpose
/// (`results.reuse`), verified against the platform's seal. Every read audited with its purpose.
struct ResultController: Sendable {
    let service: ResultService
    let uploads: UploadService

    static let tags = ["Kết quả số hóa"]
    static let base = "/api/v1/docstore/results"

    func register(on api: APIRouter) {
        api.addTag(Self.tags[0], description: "Kết quả giải quyết thủ tục hành chính đã số hóa, niêm phong bằng khóa của nền tảng (JWS ES256), để tái sử dụng.")
        let tags = Self.tags
        let service = self.service
        let uploads = self.uploads
        let id = APIParameter("id", in: .path, description: "Mã kết quả (res_…)", required: true)
        let purpose = APIParameter("purpose", in: .query, description: "Mục đích sử dụng (bắt buộc khi cơ quan khác tái sử dụng)")

        api.add(.post, Self.base, access: .scope(DocStoreScopes.resultsIssue), maxBodySize: 128 << 10, APIOperation(
            "createResult", summary: "Lưu và niêm phong một kết quả số hóa từ tệp đã tải lên", tags: tags,
            requestBody: APIBody("Kết quả", schema: .ref("NewResult")),
            responses: [APIResponse(201, "Đã lưu và niêm phong", schema: .ref("DigitizedResult")), .problem(409, "Số kết quả đã có"), .problem(422, "Dữ liệu không hợp lệ")]
        )) { request, context in
            let input = try await request.decodeJSON(as: ResultService.NewResult.self, context: context)
            let result = try await service.create(input, by: DocStoreActor(context))
            return try JSONResponse.make(result, status: .created, location: "\(Self.base)/\(result.id)")
        }

        api.add(.get, Self.base, access: .authenticated, maxBodySize: 0, APIOperation(
            "listResults", summary: "Kết quả của một người: của chính mình, hoặc để tái sử dụng (chỉ kết quả còn hiệu lực, nêu mục đích)", tags: tags,
            parameters: [
                APIParameter("owner", in: .query, description: "Số định danh cá nhân / mã số thuế"), APIParameter("type", in: .query, description: "Loại kết quả"),
                purpose,
            ],
            responses: [APIResponse(200, "Danh sách"), .problem(403, "Không có quyền"), .problem(422, "Thiếu mục đích")]
        )) { request, context in
            let query = request.uri.queryParameters
            let items = try await service.list(
                owner: query["owner"].map(String.init), type: query["type"].map(String.init), purpose: query["purpose"].map(String.init),
                by: DocStoreActor(context)
            )
            return try JSONResponse.make(["items": items])
        }

        api.add(.get, "\(Self.base)/{id}", access: .authenticated, maxBodySize: 0, APIOperation(
            "getResult", summary: "Một kết quả số hóa", tags: tags, parameters: [id, purpose],
            responses: [APIResponse(200, "Kết quả", schema: .ref("DigitizedResult")), .problem(404, "Không có"), .problem(410, "Đã thu hồi (tái sử dụng)")]
        )) { request, context in
            let actor = DocStoreActor(context)
            let (result, access) = try await service.readable(try context.parameters.require("id"), purpose: request.uri.queryParameters["purpose"].map(String.init), by: actor)
            try await service.auditRead(result, access: access, action: "docstore.result.read", by: actor)
            return try JSONResponse.make(result)
        }

        api.add(.get, "\(Self.base)/{id}/content", access: .authenticated, maxBodySize: 0, APIOperation(
            "getResultContent", summary: "Tải tệp của kết quả (hỗ trợ Range)", tags: tags, parameters: [id, purpose],
            responses: [APIResponse(200, "Nội dung", contentType: "application/octet-stream"), .problem(404, "Không có")]
        )) { request, context in
            let actor = DocStoreActor(context)
            let (result, access) = try await service.readable(try context.parameters.require("id"), purpose: request.uri.queryParameters["purpose"].map(String.init), by: actor)
            guard let content = try await uploads.store.content(result.sha256) else { throw Problem.notFound("Không còn tệp nội dung.") }
            try await service.auditRead(result, access: access, action: "docstore.result.content.read", by: actor)
            return try FileController.download(content, name: result.fileName, mediaType: result.mediaType, request: request, uploads: uploads)
        }

        api.add(.get, "\(Self.base)/{id}/verify", access: .authenticated, maxBodySize: 0, APIOperation(
            "verifyResult", summary: "Kiểm tra lại dấu niêm phong, dữ liệu và tệp của kết quả", tags: tags, parameters: [id, purpose],
            responses: [APIResponse(200, "Kết quả kiểm tra"), .problem(404, "Không có")]
        )) { request, context in
            let actor = DocStoreActor(context)
            let (result, access) = try await service.readable(try context.parameters.require("id"), purpose: request.uri.queryParameters["purpose"].map(String.init), by: actor)
            try await service.auditRead(result, access: access, action: "docstore.result.verify", by: actor)
            return try JSONResponse.make(try await service.verify(result))
        }

        api.add(.post, "\(Self.base)/{id}/revoke", access: .scope(DocStoreScopes.resultsIssue), maxBodySize: 16 << 10, APIOperation(
            "revokeResult", summary: "Thu hồi kết quả (giữ lại, đánh dấu, nêu lý do)", tags: tags, parameters: [id],
            requestBody: APIBody("Lý do", schema: ["type": "object", "required": ["reason"], "properties": ["reason": ["type": "string"]]]),
            responses: [APIResponse(200, "Đã thu hồi", schema: .ref("DigitizedResult")), .problem(409, "Đã thu hồi trước đó")]
        )) { request, context in
            struct Body: Decodable { let reason: String? }
            let body = try await request.decodeJSON(as: Body.self, context: context)
            return try JSONResponse.make(try await service.revoke(try context.parameters.require("id"), reason: body.reason, by: DocStoreActor(context)))
        }

        api.add(.get, "/api/v1/docstore/seal-keys", access: .anonymous, maxBodySize: 0, APIOperation(
            "sealKeys", summary: "Khóa công khai để kiểm tra dấu niêm phong kết quả (JWKS, gồm cả khóa đã thôi dùng)", tags: tags,
            responses: [APIResponse(200, "JWKS")]
        )) { _, _ in
            guard let sealer = service.sealer else { throw Problem(.serviceUnavailable, detail: "Dịch vụ niêm phong chưa sẵn sàng.") }
            return try JSONResponse.make(try await sealer.verificationKeys())
        }

        api.addSchema("NewResult", [
            "type": "object", "required": ["uploadId", "number", "type", "signer", "issueDate", "owners"],
            "properties": [
                "uploadId": ["type": "string"], "number": ["type": "string"], "type": ["type": "string"], "procedureCode": ["type": "string"],
                "signer": ["type": "string"], "issueDate": ["type": "string", "format": "date"], "validUntil": ["type": "string", "format": "date"],
                "owners": ["type": "array", "items": .ref("Party")], "fields": ["type": "object"], "dossierId": ["type": "string"],
            ],
        ])
        api.addSchema("DigitizedResult", [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "number": ["type": "string"], "type": ["type": "string"], "issuingAgency": ["type": "string"],
                "signer": ["type": "string"], "issueDate": ["type": "string"], "validUntil": ["type": "string"], "owners": ["type": "array", "items": .ref("Party")],
                "fields": ["type": "object"], "sha256": ["type": "string"], "size": ["type": "integer"], "seal": ["type": "string", "description": "JWS ES256"],
                "sealKeyId": ["type": "string"], "status": ["type": "string", "enum": ["valid", "revoked"]], "revokedAt": ["type": "string"],
                "revokedReason": ["type": "string"],
            ],
        ])
    }
}
