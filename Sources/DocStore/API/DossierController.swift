import Core
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/docstore/dossiers`: dossiers (hồ sơ) — filed by applicants (`dossiers.submit`) or received
/// by agencies (`dossiers.process`), read by those two only, every read audited with its purpose.
struct DossierController: Sendable {
    let service: DossierService
    let uploads: UploadService

    static let tags = ["Hồ sơ"]
    static let base = "/api/v1/docstore/dossiers"

    func register(on api: APIRouter) {
        api.addTag(Self.tags[0], description: "Hồ sơ thủ tục hành chính: mã hồ sơ theo Thông tư 01/2018, thành phần hồ sơ lưu vĩnh viễn theo SHA-256, lịch sử trạng thái.")
        let tags = Self.tags
        let service = self.service
        let uploads = self.uploads
        let id = APIParameter("id", in: .path, description: "Mã nội bộ của hồ sơ (dos_…)", required: true)
        let purpose = APIParameter("purpose", in: .query, description: "Mục đích xem (ghi vào nhật ký kiểm toán)")

        api.add(.post, Self.base, access: .authenticated, maxBodySize: 256 << 10, APIOperation(
            "createDossier", summary: "Tạo hồ sơ từ bản nộp biểu mẫu và/hoặc các tệp đã tải lên", tags: tags,
            requestBody: APIBody("Hồ sơ mới", schema: .ref("NewDossier")),
            responses: [
                APIResponse(201, "Đã tiếp nhận; mã hồ sơ theo Thông tư 01/2018", schema: .ref("Dossier")), .problem(403, "Không có quyền"),
                .problem(409, "Bản nộp đã thành hồ sơ"), .problem(422, "Dữ liệu hoặc tệp không hợp lệ"),
            ]
        )) { request, context in
            let input = try await request.decodeJSON(as: DossierService.NewDossier.self, context: context)
            let dossier = try await service.create(input, by: DocStoreActor(context))
            return try JSONResponse.make(dossier, status: .created, location: "\(Self.base)/\(dossier.id)")
        }

        api.add(.get, Self.base, access: .authenticated, maxBodySize: 0, APIOperation(
            "listDossiers", summary: "Hồ sơ của người nộp (của mình) hoặc của cơ quan tiếp nhận", tags: tags,
            parameters: [
                APIParameter("applicant", in: .query, description: "Số định danh / mã số thuế người nộp (cơ quan lọc theo)"),
                APIParameter("status", in: .query, description: "received | processing | supplement_requested | done | rejected | returned"),
                APIParameter("limit", in: .query, description: "1–200", schema: ["type": "integer"]), APIParameter("before", in: .query, description: "Con trỏ trang sau"),
            ],
            responses: [APIResponse(200, "Một trang hồ sơ"), .problem(403, "Không có quyền")]
        )) { request, context in
            let actor = DocStoreActor(context)
            let query = request.uri.queryParameters
            var applicant = query["applicant"].map(String.init)
            var agency: String?
            if let own = actor.actsForAgency(with: DocStoreScopes.dossiersProcess) {
                agency = own
            } else if actor.scopes.contains(DocStoreScopes.dossiersSubmit), let own = actor.ownID {
                if let applicant, applicant != own { throw Problem(.forbidden, detail: "Người dùng chỉ xem hồ sơ của chính mình.") }
                applicant = own
            } else {
                throw Problem(.forbidden, detail: "Cần phạm vi dossiers.submit (với personal_id) hoặc dossiers.process.")
            }
            var status: Dossier.Status?
            if let text = query["status"] {
                guard let parsed = Dossier.Status(rawValue: String(text)) else {
                    throw Problem.validation([.init(pointer: "/query/status", message: "Trạng thái không hợp lệ.")])
                }
                status = parsed
            }
            let limit = try Self.limit(query["limit"].map(String.init))
            let before = try Self.cursor(query["before"].map(String.init))
            let items = try await service.store.list(applicant: applicant, agency: agency, status: status, limit: limit, before: before)
            let next = items.count == limit ? items.last.map { Self.encodeCursor($0.receivedAt, $0.id) } : nil
            return try JSONResponse.make(Page(items: items, next: next))
        }

        api.add(.get, "\(Self.base)/{id}", access: .authenticated, maxBodySize: 0, APIOperation(
            "getDossier", summary: "Một hồ sơ: thành phần và lịch sử trạng thái", tags: tags, parameters: [id, purpose],
            responses: [APIResponse(200, "Hồ sơ", schema: .ref("Dossier")), .problem(404, "Không có")]
        )) { request, context in
            let actor = DocStoreActor(context)
            let dossier = try await service.readable(try context.parameters.require("id"), by: actor)
            try await service.auditRead(dossier, purpose: request.uri.queryParameters["purpose"].map(String.init), by: actor)
            return try JSONResponse.make(dossier)
        }

        api.add(.get, "\(Self.base)/{id}/components/{position}", access: .authenticated, maxBodySize: 0, APIOperation(
            "getDossierComponent", summary: "Tải nội dung một thành phần hồ sơ (hỗ trợ Range)", tags: tags,
            parameters: [id, APIParameter("position", in: .path, description: "Số thứ tự thành phần (từ 1)", required: true, schema: ["type": "integer"]), purpose],
            responses: [APIResponse(200, "Nội dung", contentType: "application/octet-stream"), .problem(404, "Không có")]
        )) { request, context in
            let actor = DocStoreActor(context)
            let dossier = try await service.readable(try context.parameters.require("id"), by: actor)
            guard let position = Int(try context.parameters.require("position")),
                let component = dossier.components.first(where: { $0.position == position }),
                let content = try await uploads.store.content(component.sha256)
            else { throw Problem.notFound("Hồ sơ không có thành phần này.") }
            try await service.auditRead(dossier, component: position, purpose: request.uri.queryParameters["purpose"].map(String.init), by: actor)
            return try FileController.download(content, name: component.fileName, mediaType: component.mediaType, request: request, uploads: uploads)
        }

        api.add(.post, "\(Self.base)/{id}/status", access: .scope(DocStoreScopes.dossiersProcess), maxBodySize: 16 << 10, APIOperation(
            "changeDossierStatus", summary: "Chuyển trạng thái hồ sơ (cơ quan tiếp nhận)", tags: tags, parameters: [id],
            requestBody: APIBody("Trạng thái mới và ghi chú", schema: ["type": "object", "required": ["status"], "properties": [
                "status": ["type": "string", "enum": .array(Dossier.Status.allCases.map { .string($0.rawValue) })], "note": ["type": "string"],
            ]]),
            responses: [APIResponse(200, "Hồ sơ sau khi chuyển", schema: .ref("Dossier")), .problem(409, "Không chuyển được từ trạng thái hiện tại")]
        )) { request, context in
            struct Change: Decodable { let status: Dossier.Status; let note: String? }
            let change = try await request.decodeJSON(as: Change.self, context: context)
            return try JSONResponse.make(try await service.changeStatus(try context.parameters.require("id"), to: change.status, note: change.note, by: DocStoreActor(context)))
        }

        let party: JSONValue = ["type": "object", "required": ["kind", "id"], "properties": [
            "kind": ["type": "string", "enum": ["citizen", "business"]], "id": ["type": "string"], "name": ["type": "string"],
        ]]
        api.addSchema("Party", party)
        api.addSchema("NewDossier", [
            "type": "object", "required": ["procedureCode"],
            "properties": [
                "procedureCode": ["type": "string"], "procedureName": ["type": "string"], "receivingAgency": ["type": "string"],
                "submissionId": ["type": "string"], "applicant": .ref("Party"),
                "components": ["type": "array", "items": ["type": "object", "required": ["uploadId"], "properties": [
                    "uploadId": ["type": "string"], "name": ["type": "string"], "code": ["type": "string"],
                ]]],
            ],
        ])
        api.addSchema("Dossier", [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "code": ["type": "string", "description": "Mã hồ sơ: <mã cơ quan>-YYMMDD-XXXX"],
                "procedureCode": ["type": "string"], "procedureName": ["type": "string"], "applicant": .ref("Party"),
                "receivingAgency": ["type": "string"], "submissionId": ["type": "string"], "formKey": ["type": "string"],
                "status": ["type": "string"], "receivedAt": ["type": "string"], "updatedAt": ["type": "string"],
                "components": ["type": "array", "items": ["type": "object"]], "history": ["type": "array", "items": ["type": "object"]],
            ],
        ])
    }

    struct Page: Encodable {
        let items: [Dossier]
        let next: String?
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let value = Int(text), (1...200).contains(value) else {
            throw Problem.validation([.init(pointer: "/query/limit", message: "limit là số từ 1 đến 200.")])
        }
        return value
    }

    static func encodeCursor(_ at: String, _ id: String) -> String {
        Data("\(at)|\(id)".utf8).base64EncodedString()
    }

    static func cursor(_ text: String?) throws -> (String, String)? {
        guard let text else { return nil }
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8), let bar = decoded.firstIndex(of: "|") else {
            throw Problem.validation([.init(pointer: "/query/before", message: "Con trỏ trang không hợp lệ.")])
        }
        return (String(decoded[..<bar]), String(decoded[decoded.index(after: bar)...]))
    }
}
