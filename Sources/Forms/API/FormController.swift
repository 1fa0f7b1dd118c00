import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/forms`: published forms for everyone; definitions for `forms.admin`; submissions for signed-in
/// people and agency systems (`forms.submit`), reviewed by the owning agency (`forms.review`).
struct FormController: Sendable {
    let service: FormService
    let store: FormStore
    var renderer: FormRenderer { FormRenderer(codes: service.codes) }

    static let admin = "forms.admin"
    static let submit = "forms.submit"
    static let review = "forms.review"

    struct VersionSummary: Encodable {
        let number: Int
        let status: FormVersionStatus
        let schemaHash: String
        let publishedAt: String?
        let retiredAt: String?
        init(_ version: FormVersion) {
            number = version.number
            status = version.status
            schemaHash = version.schemaHash
            publishedAt = version.publishedAt
            retiredAt = version.retiredAt
        }
    }

    struct FormDocument: Encodable {
        let form: FormInfo
        let currentVersion: Int?
        let versions: [VersionSummary]?
    }

    struct FormPage: Encodable {
        let items: [FormDocument]
        let offset: Int
        let limit: Int
    }

    struct DataBody: Decodable {
        let data: JSONValue
        let version: Int?
    }

    struct DraftBody: Decodable {
        let schema: JSONValue
        let note: String?
    }

    struct ValidationDocument: Encodable {
        let form: String
        let version: Int
        let valid: Bool
        let errors: [SchemaViolation]
    }

    struct StatusBody: Decodable {
        let status: SubmissionStatus
    }

    struct SubmissionPage: Encodable {
        let items: [FormSubmission]
        let next: String?
    }

    static func isAdmin(_ context: AppRequestContext) -> Bool {
        context.principal?.scopes.contains(admin) == true
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, location: String? = nil) throws -> Response {
        try JSONResponse.make(value, status: status, location: location)
    }

    static func versionNumber(_ context: AppRequestContext) throws -> Int {
        let text = try context.parameters.require("version")
        guard let number = Int(text), number > 0 else { throw Problem.validation([.init(pointer: "/path/version", message: "Phiên bản là số nguyên dương.")]) }
        return number
    }

    func register(on api: APIRouter) {
        let tags = ["forms"]
        api.addTag("forms", description: "Biểu mẫu điện tử: định nghĩa một lần, mọi cổng và ứng dụng kiểm tra và hiển thị như nhau")
        api.addSchema("Form", ["type": "object", "properties": [
            "key": ["type": "string"], "title": ["type": "string"], "procedureCode": ["type": "string"], "ownerAgency": ["type": "string"],
            "description": ["type": "string"], "createdAt": ["type": "string"], "updatedAt": ["type": "string"],
        ]])
        api.addSchema("FormVersion", ["type": "object", "properties": [
            "formKey": ["type": "string"], "number": ["type": "integer"], "status": ["type": "string", "enum": ["draft", "published", "retired"]],
            "schema": ["type": "object", "description": "JSON Schema 2020-12 với các từ khóa x-catalog, x-identifier, x-file, x-label…"],
            "schemaHash": ["type": "string"], "publishedAt": ["type": "string"], "retiredAt": ["type": "string"],
        ]])
        api.addSchema("FormSubmission", ["type": "object", "properties": [
            "id": ["type": "string"], "formKey": ["type": "string"], "version": ["type": "integer"], "status": ["type": "string"],
            "data": ["type": "object"], "dataHash": ["type": "string"], "submittedAt": ["type": "string"],
            "submitter": ["type": "object", "properties": ["kind": ["type": "string"], "subject": ["type": "string"], "client": ["type": "string"]]],
        ]])
        api.addSchema("FormValidation", ["type": "object", "properties": [
            "valid": ["type": "boolean"], "version": ["type": "integer"],
            "errors": ["type": "array", "items": ["type": "object", "properties": ["pointer": ["type": "string"], "message": ["type": "string"], "keyword": ["type": "string"]]]],
        ]])
        let key = APIParameter("key", in: .path, description: "Khóa biểu mẫu")
        let version = APIParameter("version", in: .path, description: "Số phiên bản")
        let open = RouteAccess.optionalToken([])
        let dataBody = APIBody("Dữ liệu hồ sơ (data) và phiên bản (mặc định: phiên bản công bố mới nhất)", schema: [
            "type": "object", "required": ["data"], "properties": ["data": ["type": "object"], "version": ["type": "integer"]],
        ])

        api.add(.get, "/api/v1/forms", access: open, maxBodySize: 0, APIOperation(
            "listForms", summary: "Các biểu mẫu đã công bố (tìm theo tên, mã thủ tục; không phân biệt dấu)", tags: tags,
            parameters: [
                APIParameter("q", in: .query, description: "Từ khóa"), APIParameter("limit", in: .query, description: "1–200", schema: ["type": "integer"]),
                APIParameter("offset", in: .query, description: "Bỏ qua", schema: ["type": "integer"]),
            ],
            responses: [APIResponse(200, "Một trang biểu mẫu")]
        )) { request, context in
            let limit = min(max(Int(request.queryFields["limit"] ?? "") ?? 50, 1), 200)
            let offset = max(Int(request.queryFields["offset"] ?? "") ?? 0, 0)
            let rows = try await store.forms(publishedOnly: !Self.isAdmin(context), query: request.queryFields["q"], limit: limit, offset: offset)
            return try Self.json(FormPage(items: rows.map { FormDocument(form: $0.0, currentVersion: $0.1, versions: nil) }, offset: offset, limit: limit))
        }
        api.add(.get, "/api/v1/forms/{key}", access: open, maxBodySize: 0, APIOperation(
            "getForm", summary: "Một biểu mẫu và các phiên bản", tags: tags, parameters: [key],
            responses: [APIResponse(200, "Biểu mẫu"), .problem(404, "Không có")]
        )) { _, context in
            let formKey = try context.parameters.require("key")
            guard let form = try await store.form(formKey) else { throw FormService.noForm(formKey) }
            var versions = try await store.versions(formKey)
            if !Self.isAdmin(context) { versions = versions.filter { $0.status != .draft } }
            guard !versions.isEmpty else { throw FormService.noForm(formKey) }
            let current = versions.last { $0.status == .published }?.number
            return try Self.json(FormDocument(form: form, currentVersion: current, versions: versions.map(VersionSummary.init)))
        }
        api.add(.get, "/api/v1/forms/{key}/versions/{version}", access: open, maxBodySize: 0, APIOperation(
            "getFormVersion", summary: "Một phiên bản (lược đồ đầy đủ); bản nháp chỉ cho forms.admin", tags: tags, parameters: [key, version],
            responses: [APIResponse(200, "Phiên bản", schema: .ref("FormVersion")), .problem(404, "Không có")]
        )) { _, context in
            let formKey = try context.parameters.require("key")
            let number = try Self.versionNumber(context)
            guard let found = try await store.version(formKey, number: number), found.status != .draft || Self.isAdmin(context) else {
                throw FormService.noVersion(formKey, number)
            }
            return try Self.json(found)
        }
        api.add(.post, "/api/v1/forms/{key}/validate", access: open, maxBodySize: 1 << 20, APIOperation(
            "validateFormData", summary: "Kiểm tra dữ liệu theo biểu mẫu, không lưu (mọi lỗi một lần)", tags: tags, parameters: [key],
            requestBody: dataBody, responses: [APIResponse(200, "Kết quả", schema: .ref("FormValidation")), .problem(404, "Không có")]
        )) { request, context in
            let formKey = try context.parameters.require("key")
            let body = try await request.decodeJSON(as: DataBody.self, context: context)
            let target = try await service.versionForSubmission(formKey, number: body.version)
            let errors = try await service.check(body.data, against: target, owner: context.principal?.subject)
            return try Self.json(ValidationDocument(form: formKey, version: target.number, valid: errors.isEmpty, errors: errors))
        }

        // Presentation.
        let html = APIResponse(200, "Trang HTML", contentType: "text/html", schema: ["type": "string"])
        api.add(.get, "/api/v1/forms/{key}/render", access: open, maxBodySize: 0, APIOperation(
            "renderForm", summary: "Biểu mẫu dưới dạng trang HTML tiếng Việt, dùng được không cần JavaScript", tags: tags,
            parameters: [key, APIParameter("version", in: .query, description: "Phiên bản (mặc định: công bố mới nhất)", schema: ["type": "integer"])],
            responses: [html, .problem(404, "Không có"), .problem(409, "Chưa công bố")]
        )) { request, context in
            let formKey = try context.parameters.require("key")
            let target = try await service.versionForSubmission(formKey, number: request.queryFields["version"].flatMap { Int($0) })
            return try await page(formKey, target, data: .object([:]), errors: [], notice: nil, status: .ok)
        }
        api.add(.post, "/api/v1/forms/{key}/render", access: open, maxBodySize: 1 << 20, APIOperation(
            "postRenderedForm", summary: "Gửi trang biểu mẫu: kiểm tra như API và hiện lại trang kèm lỗi bên cạnh từng trường (không lưu)", tags: tags,
            parameters: [key], requestBody: APIBody("Các trường của trang", contentType: "application/x-www-form-urlencoded", schema: ["type": "object"]),
            responses: [html, APIResponse(422, "Trang kèm lỗi", contentType: "text/html", schema: ["type": "string"])]
        )) { request, context in
            let formKey = try context.parameters.require("key")
            let fields = try await request.decodeForm(context: context)
            let target = try await service.versionForSubmission(formKey, number: fields["_version"].flatMap { Int($0) })
            let layout = FormLayout(schema: target.schema, title: formKey)
            let data = layout.instance(from: fields)
            if fields["_refresh"] != nil {
                return try await page(formKey, target, data: data, errors: [], notice: nil, status: .ok)
            }
            let errors = try await service.check(data, against: target, owner: context.principal?.subject)
            if errors.isEmpty {
                return try await page(formKey, target, data: data, errors: [], notice: "Dữ liệu hợp lệ. Hồ sơ được nộp qua cổng dịch vụ công hoặc ứng dụng của cơ quan.", status: .ok)
            }
            return try await page(formKey, target, data: data, errors: errors, notice: nil, status: .unprocessableContent)
        }

        // Definitions.
        api.add(.post, "/api/v1/forms", access: .scope(Self.admin), maxBodySize: 1 << 20, APIOperation(
            "createForm", summary: "Tạo biểu mẫu (kèm bản nháp phiên bản 1)", tags: tags,
            requestBody: APIBody("Khóa, tên, mã thủ tục, cơ quan chủ quản, lược đồ", schema: ["type": "object", "required": ["key", "title", "ownerAgency"]]),
            responses: [APIResponse(201, "Đã tạo", schema: .ref("FormVersion")), .problem(409, "Đã có"), .problem(422, "Không hợp lệ")]
        )) { request, context in
            let input = try await request.decodeJSON(as: FormService.NewForm.self, context: context)
            let (form, draft) = try await service.createForm(input, by: FormActor(context))
            return try Self.json(draft, status: .created, location: "/api/v1/forms/\(form.key)/versions/\(draft.number)")
        }
        api.add(.patch, "/api/v1/forms/{key}", access: .scope(Self.admin), maxBodySize: 64 << 10, APIOperation(
            "updateForm", summary: "Sửa tên, mã thủ tục, cơ quan chủ quản, mô tả của biểu mẫu", tags: tags, parameters: [key],
            requestBody: APIBody("Các trường cần sửa (null để xóa trường không bắt buộc)", schema: ["type": "object"]),
            responses: [APIResponse(200, "Biểu mẫu sau khi sửa", schema: .ref("Form")), .problem(404, "Không có"), .problem(422, "Không hợp lệ")]
        )) { request, context in
            let changes = try await request.decodeJSON(as: [String: JSONValue].self, context: context)
            return try Self.json(try await service.updateForm(try context.parameters.require("key"), changes: changes, by: FormActor(context)))
        }
        api.add(.post, "/api/v1/forms/{key}/versions", access: .scope(Self.admin), maxBodySize: 0, APIOperation(
            "createFormDraft", summary: "Tạo bản nháp mới (chép phiên bản mới nhất)", tags: tags, parameters: [key],
            responses: [APIResponse(201, "Đã tạo", schema: .ref("FormVersion")), .problem(409, "Đã có bản nháp")]
        )) { _, context in
            let formKey = try context.parameters.require("key")
            let draft = try await service.createDraft(formKey, by: FormActor(context))
            return try Self.json(draft, status: .created, location: "/api/v1/forms/\(formKey)/versions/\(draft.number)")
        }
        api.add(.put, "/api/v1/forms/{key}/versions/{version}", access: .scope(Self.admin), maxBodySize: 1 << 20, APIOperation(
            "updateFormDraft", summary: "Sửa lược đồ của bản nháp", tags: tags, parameters: [key, version],
            requestBody: APIBody("Lược đồ mới", schema: ["type": "object", "required": ["schema"]]),
            responses: [APIResponse(200, "Đã sửa", schema: .ref("FormVersion")), .problem(409, "Không phải bản nháp"), .problem(422, "Lược đồ không hợp lệ")]
        )) { request, context in
            let body = try await request.decodeJSON(as: DraftBody.self, context: context)
            return try Self.json(try await service.updateDraft(try context.parameters.require("key"), number: try Self.versionNumber(context), schema: body.schema, note: body.note, by: FormActor(context)))
        }
        api.add(.post, "/api/v1/forms/{key}/versions/{version}/publish", access: .scope(Self.admin), maxBodySize: 0, APIOperation(
            "publishForm", summary: "Công bố bản nháp (kiểm tra lược đồ, từ khóa được hỗ trợ, danh mục)", tags: tags, parameters: [key, version],
            responses: [APIResponse(200, "Đã công bố", schema: .ref("FormVersion")), .problem(409, "Không phải bản nháp"), .problem(422, "Chưa công bố được")]
        )) { _, context in
            try Self.json(try await service.publish(try context.parameters.require("key"), number: try Self.versionNumber(context), by: FormActor(context)))
        }
        api.add(.post, "/api/v1/forms/{key}/versions/{version}/retire", access: .scope(Self.admin), maxBodySize: 0, APIOperation(
            "retireForm", summary: "Ngừng nhận hồ sơ theo phiên bản này", tags: tags, parameters: [key, version],
            responses: [APIResponse(200, "Đã ngừng", schema: .ref("FormVersion")), .problem(409, "Chưa công bố")]
        )) { _, context in
            try Self.json(try await service.retire(try context.parameters.require("key"), number: try Self.versionNumber(context), by: FormActor(context)))
        }

        // Submissions.
        api.add(.post, "/api/v1/forms/{key}/submissions", access: .scope(Self.submit), maxBodySize: 1 << 20, APIOperation(
            "submitForm", summary: "Nộp hồ sơ theo biểu mẫu (kiểm tra đầy đủ, lưu kèm phiên bản)", tags: tags, parameters: [key], requestBody: dataBody,
            responses: [APIResponse(201, "Đã nhận", schema: .ref("FormSubmission")), .problem(409, "Biểu mẫu không nhận hồ sơ"), .problem(422, "Dữ liệu có lỗi")]
        )) { request, context in
            let formKey = try context.parameters.require("key")
            let body = try await request.decodeJSON(as: DataBody.self, context: context)
            let principal = context.principal!
            let submitter = Submitter(kind: principal.kind.rawValue, subject: principal.subject, client: principal.clientID, agency: principal.agencyCode)
            let submission = try await service.submit(formKey, version: body.version, data: body.data, submitter: submitter, by: FormActor(context))
            return try Self.json(submission, status: .created, location: "/api/v1/forms/\(formKey)/submissions/\(submission.id)")
        }
        api.add(.get, "/api/v1/forms/{key}/submissions", access: .authenticated, maxBodySize: 0, APIOperation(
            "listSubmissions", summary: "Hồ sơ của biểu mẫu: cơ quan chủ quản (forms.review) xem tất cả, người nộp xem của mình", tags: tags,
            parameters: [
                key, APIParameter("status", in: .query, description: "received | processing | accepted | rejected"),
                APIParameter("limit", in: .query, description: "1–200", schema: ["type": "integer"]), APIParameter("before", in: .query, description: "Con trỏ trang sau"),
            ],
            responses: [APIResponse(200, "Một trang hồ sơ"), .problem(403, "Không có quyền")]
        )) { request, context in
            let formKey = try context.parameters.require("key")
            guard let form = try await store.form(formKey) else { throw FormService.noForm(formKey) }
            let principal = context.principal!
            let reviewer = principal.scopes.contains(Self.review) && principal.agencyCode == form.ownerAgency
            guard reviewer || principal.scopes.contains(Self.submit) else {
                throw Problem(.forbidden, detail: "Chỉ cơ quan chủ quản biểu mẫu (forms.review) hoặc người nộp (forms.submit) xem được hồ sơ.")
            }
            var status: SubmissionStatus?
            if let text = request.queryFields["status"] {
                guard let parsed = SubmissionStatus(rawValue: text) else {
                    throw Problem.validation([.init(pointer: "/query/status", message: "status là received, processing, accepted hoặc rejected.")])
                }
                status = parsed
            }
            let limit = min(max(Int(request.queryFields["limit"] ?? "") ?? 50, 1), 200)
            let before = request.queryFields["before"].flatMap { cursor -> (String, String)? in
                let parts = cursor.split(separator: "|", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
            let items = try await store.submissions(form: formKey, status: status, submitter: reviewer ? nil : principal.subject, limit: limit, before: before)
            let next = items.count == limit ? items.last.map { "\($0.submittedAt)|\($0.id)" } : nil
            return try Self.json(SubmissionPage(items: items, next: next))
        }
        api.add(.get, "/api/v1/forms/{key}/submissions/{id}", access: .authenticated, maxBodySize: 0, APIOperation(
            "getSubmission", summary: "Một hồ sơ: người nộp, hoặc cán bộ cơ quan chủ quản (forms.review)", tags: tags,
            parameters: [key, APIParameter("id", in: .path, description: "Mã hồ sơ")],
            responses: [APIResponse(200, "Hồ sơ", schema: .ref("FormSubmission")), .problem(404, "Không có hoặc không được xem")]
        )) { _, context in
            try Self.json(try await readable(context))
        }
        api.add(.get, "/api/v1/forms/{key}/submissions/{id}/print", access: .authenticated, maxBodySize: 0, APIOperation(
            "printSubmission", summary: "Hồ sơ đã điền, dạng trang để in (người nộp, hoặc cán bộ cơ quan chủ quản)", tags: tags,
            parameters: [key, APIParameter("id", in: .path, description: "Mã hồ sơ")],
            responses: [APIResponse(200, "Trang HTML", contentType: "text/html", schema: ["type": "string"]), .problem(404, "Không có hoặc không được xem")]
        )) { _, context in
            let submission = try await readable(context)
            guard let form = try await store.form(submission.formKey), let version = try await store.version(submission.formKey, number: submission.version) else {
                throw Problem.notFound("Không có hồ sơ.")
            }
            let nonce = Self.nonce()
            return Self.html(try await renderer.printable(form: form, version: version, submission: submission, nonce: nonce), status: .ok, nonce: nonce)
        }
        api.add(.patch, "/api/v1/forms/{key}/submissions/{id}", access: .scope(Self.review), maxBodySize: 4 << 10, APIOperation(
            "setSubmissionStatus", summary: "Đổi trạng thái hồ sơ (cơ quan chủ quản)", tags: tags,
            parameters: [key, APIParameter("id", in: .path, description: "Mã hồ sơ")],
            requestBody: APIBody("Trạng thái mới", schema: ["type": "object", "required": ["status"], "properties": ["status": ["type": "string", "enum": ["received", "processing", "accepted", "rejected"]]]]),
            responses: [APIResponse(200, "Hồ sơ", schema: .ref("FormSubmission")), .problem(404, "Không có")]
        )) { request, context in
            let body = try await request.decodeJSON(as: StatusBody.self, context: context)
            let submission = try await readable(context, reviewerOnly: true)
            try await service.setStatus(submission.id, body.status, by: FormActor(context))
            return try Self.json(try await store.submission(submission.id)!)
        }
    }

    func page(_ formKey: String, _ version: FormVersion, data: JSONValue, errors: [SchemaViolation], notice: String?, status: HTTPResponse.Status) async throws -> Response {
        guard let form = try await store.form(formKey) else { throw FormService.noForm(formKey) }
        let nonce = Self.nonce()
        let text = try await renderer.render(.init(form: form, version: version, data: data, errors: errors, notice: notice, action: "/api/v1/forms/\(formKey)/render", nonce: nonce))
        return Self.html(text, status: status, nonce: nonce)
    }

    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// HTML with a policy that allows only this page's own style and script (by nonce) and posting back here.
    static func html(_ text: String, status: HTTPResponse.Status, nonce: String) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'nonce-\(nonce)'; script-src 'nonce-\(nonce)'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The submission, if this principal may see it: its submitter, or a reviewer of the owning agency.
    /// Anyone else gets 404, as if it did not exist.
    func readable(_ context: AppRequestContext, reviewerOnly: Bool = false) async throws -> FormSubmission {
        let formKey = try context.parameters.require("key")
        let id = try context.parameters.require("id")
        let principal = context.principal!
        guard let submission = try await store.submission(id), submission.formKey == formKey else {
            throw Problem.notFound("Không có hồ sơ “\(id)”.")
        }
        let reviewer = principal.scopes.contains(Self.review) && principal.agencyCode == submission.ownerAgency
        let owner = !reviewerOnly && submission.submitter.subject == principal.subject && submission.submitter.client == principal.clientID
        guard reviewer || owner else { throw Problem.notFound("Không có hồ sơ “\(id)”.") }
        return submission
    }
}
