import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The write side of `/api/v1/catalogs` (scope `catalogs.admin`): catalogs, drafts, imports, edits,
/// mappings, publication, retirement, synchronization on demand.
struct CatalogAdminController: Sendable {
    let service: CatalogService
    let sync: CatalogSync
    let dispatcher: WebhookDispatcher

    static let importLimit = 32 << 20

    func register(on api: APIRouter) {
        let admin = RouteAccess.scope(CatalogReader.adminScope)
        let tags = ["catalogs-admin"]
        api.addTag("catalogs-admin", description: "Quản trị danh mục dùng chung (phạm vi catalogs.admin): tạo, bản nháp, nhập, sửa, công bố, ngừng sử dụng, đồng bộ")
        let key = APIParameter("key", in: .path, description: "Khóa danh mục")
        let version = APIParameter("version", in: .path, description: "Số phiên bản")
        let upload = APIBody("Tệp CSV (tiêu đề code,display,displayEn,parent,level,validFrom,validTo,status,property.<tên>) hoặc JSON (tài liệu xuất, {\"concepts\": […]} hoặc mảng)", contentType: "text/csv", schema: ["type": "string"])
        let invalid = APIResponse.problem(422, "Dữ liệu không hợp lệ (danh sách lỗi kèm dòng và lý do)")
        let conflict = APIResponse.problem(409, "Phiên bản không phải bản nháp, hoặc đã có bản nháp")

        api.add(.post, "/api/v1/catalogs", access: admin, maxBodySize: 64 << 10, APIOperation(
            "createCatalog", summary: "Tạo danh mục", tags: tags, requestBody: APIBody("Danh mục mới", schema: .ref("NewCatalog")),
            responses: [APIResponse(201, "Đã tạo", schema: .ref("Catalog")), .problem(409, "Đã có"), invalid]
        )) { request, context in
            let input = try await request.decodeJSON(as: CatalogService.NewCatalog.self, context: context)
            let catalog = try await service.createCatalog(input, by: CatalogActor(context))
            return try Self.json(catalog, status: .created, location: "/api/v1/catalogs/\(catalog.key)")
        }
        api.add(.patch, "/api/v1/catalogs/{key}", access: admin, maxBodySize: 64 << 10, APIOperation(
            "updateCatalog", summary: "Sửa mô tả, nguồn, quyền đọc mở, nguồn đồng bộ của danh mục", tags: tags, parameters: [key],
            requestBody: APIBody("Các trường cần sửa (null để xóa trường không bắt buộc)", schema: ["type": "object"]),
            responses: [APIResponse(200, "Danh mục sau khi sửa", schema: .ref("Catalog")), .problem(404, "Không có"), invalid]
        )) { request, context in
            let changes = try await request.decodeJSON(as: [String: JSONValue].self, context: context)
            return try Self.json(try await service.updateCatalog(try context.parameters.require("key"), changes: changes, by: CatalogActor(context)))
        }
        api.add(.post, "/api/v1/catalogs/{key}/versions", access: admin, maxBodySize: 16 << 10, APIOperation(
            "createDraft", summary: "Tạo bản nháp phiên bản mới (mặc định chép từ phiên bản hiện hành)", tags: tags, parameters: [key],
            requestBody: APIBody("Bản nháp", schema: .ref("NewDraft"), required: false),
            responses: [APIResponse(201, "Đã tạo", schema: .ref("Version")), conflict, invalid]
        )) { request, context in
            let key = try context.parameters.require("key")
            let input = request.headers[.contentLength] == "0" ? CatalogService.NewDraft() : try await Self.optionalJSON(request, context, as: CatalogService.NewDraft.self) ?? CatalogService.NewDraft()
            let draft = try await service.createDraft(key, input, by: CatalogActor(context))
            return try Self.json(VersionDocument(draft, current: false), status: .created, location: "/api/v1/catalogs/\(key)/versions/\(draft.number)")
        }
        api.add(.patch, "/api/v1/catalogs/{key}/versions/{version}", access: admin, maxBodySize: 16 << 10, APIOperation(
            "updateDraft", summary: "Sửa nhãn, ghi chú, ngày hiệu lực của bản nháp", tags: tags, parameters: [key, version],
            requestBody: APIBody("Các trường cần sửa", schema: ["type": "object", "properties": ["label": ["type": "string"], "note": ["type": "string"], "effectiveFrom": ["type": "string", "format": "date"], "effectiveTo": ["type": "string", "format": "date"]]]),
            responses: [APIResponse(200, "Bản nháp", schema: .ref("Version")), conflict, invalid]
        )) { request, context in
            let changes = try await request.decodeJSON(as: CatalogService.DraftChanges.self, context: context)
            let updated = try await service.updateDraft(try context.parameters.require("key"), number: try Self.number(context), changes, by: CatalogActor(context))
            return try Self.json(VersionDocument(updated, current: false))
        }
        api.add(.delete, "/api/v1/catalogs/{key}/versions/{version}", access: admin, maxBodySize: 0, APIOperation(
            "deleteDraft", summary: "Xóa bản nháp (phiên bản đã công bố không xóa được)", tags: tags, parameters: [key, version],
            responses: [APIResponse(204, "Đã xóa", contentType: nil), conflict, .problem(404, "Không có")]
        )) { _, context in
            try await service.deleteDraft(try context.parameters.require("key"), number: try Self.number(context), by: CatalogActor(context))
            return Response(status: .noContent)
        }
        api.add(.put, "/api/v1/catalogs/{key}/versions/{version}/concepts", access: admin, maxBodySize: Self.importLimit, APIOperation(
            "replaceConcepts", summary: "Nhập toàn bộ mã của bản nháp từ CSV hoặc JSON (thay thế)",
            description: "Kiểm tra cả tệp trước: mã trùng, mã cha không có, vòng lặp cha–con, ngày sai… Có lỗi thì không lưu gì và trả danh sách lỗi kèm dòng.",
            tags: tags, parameters: [key, version], requestBody: upload,
            responses: [APIResponse(200, "Đã nhập", schema: .ref("ImportResult")), conflict, invalid, .problem(415, "Không phải CSV hay JSON")]
        )) { request, context in
            try await importConcepts(request, context, merge: false)
        }
        api.add(.post, "/api/v1/catalogs/{key}/versions/{version}/concepts", access: admin, maxBodySize: Self.importLimit, APIOperation(
            "mergeConcepts", summary: "Thêm hoặc thay các mã trong bản nháp từ CSV hoặc JSON (gộp)", tags: tags, parameters: [key, version], requestBody: upload,
            responses: [APIResponse(200, "Đã nhập", schema: .ref("ImportResult")), conflict, invalid, .problem(415, "Không phải CSV hay JSON")]
        )) { request, context in
            try await importConcepts(request, context, merge: true)
        }
        api.add(.put, "/api/v1/catalogs/{key}/versions/{version}/concepts/{code}", access: admin, maxBodySize: 64 << 10, APIOperation(
            "putDraftConcept", summary: "Thêm hoặc sửa một mã của bản nháp", tags: tags,
            parameters: [key, version, APIParameter("code", in: .path, description: "Mã")],
            requestBody: APIBody("Mã", schema: .ref("Concept")),
            responses: [APIResponse(200, "Đã sửa", schema: .ref("Concept")), APIResponse(201, "Đã thêm", schema: .ref("Concept")), conflict, invalid]
        )) { request, context in
            var concept = try await request.decodeJSON(as: Concept.self, context: context)
            let code = try context.parameters.require("code")
            guard concept.code == code else {
                throw Problem.validation([.init(pointer: "/code", message: "Mã trong nội dung (\(concept.code)) khác mã trên địa chỉ (\(code)).")])
            }
            concept.code = code
            let (stored, created) = try await service.putConcept(try context.parameters.require("key"), number: try Self.number(context), concept, by: CatalogActor(context))
            return try Self.json(stored, status: created ? .created : .ok)
        }
        api.add(.delete, "/api/v1/catalogs/{key}/versions/{version}/concepts/{code}", access: admin, maxBodySize: 0, APIOperation(
            "deleteDraftConcept", summary: "Xóa một mã khỏi bản nháp (không xóa được mã còn mã con)", tags: tags,
            parameters: [key, version, APIParameter("code", in: .path, description: "Mã")],
            responses: [APIResponse(204, "Đã xóa", contentType: nil), conflict, .problem(404, "Không có")]
        )) { _, context in
            try await service.deleteConcept(
                try context.parameters.require("key"), number: try Self.number(context), code: try context.parameters.require("code"), by: CatalogActor(context)
            )
            return Response(status: .noContent)
        }
        api.add(.put, "/api/v1/catalogs/{key}/versions/{version}/mappings/{target}", access: admin, maxBodySize: Self.importLimit, APIOperation(
            "putMapping", summary: "Đặt ánh xạ của bản nháp tới một danh mục khác (CSV source,target,kind[,comment] hoặc JSON)", tags: tags,
            parameters: [key, version, APIParameter("target", in: .path, description: "Danh mục đích")],
            requestBody: APIBody("Ánh xạ", schema: .ref("ConceptMap")),
            responses: [APIResponse(200, "Đã lưu", schema: .ref("ConceptMap")), conflict, invalid]
        )) { request, context in
            let (format, data) = try await Self.upload(request, context)
            let parsed = try MappingImport.parse(data, format: format)
            let map = try await service.putMapping(
                try context.parameters.require("key"), number: try Self.number(context), target: try context.parameters.require("target"),
                elements: parsed.elements, description: parsed.description, targetVersion: parsed.targetVersion, by: CatalogActor(context)
            )
            return try Self.json(map)
        }
        api.add(.delete, "/api/v1/catalogs/{key}/versions/{version}/mappings/{target}", access: admin, maxBodySize: 0, APIOperation(
            "deleteMapping", summary: "Bỏ ánh xạ của bản nháp tới một danh mục", tags: tags,
            parameters: [key, version, APIParameter("target", in: .path, description: "Danh mục đích")],
            responses: [APIResponse(204, "Đã bỏ", contentType: nil), conflict, .problem(404, "Không có")]
        )) { _, context in
            try await service.deleteMapping(
                try context.parameters.require("key"), number: try Self.number(context), target: try context.parameters.require("target"), by: CatalogActor(context)
            )
            return Response(status: .noContent)
        }
        api.add(.post, "/api/v1/catalogs/{key}/versions/{version}/publish", access: admin, maxBodySize: 16 << 10, APIOperation(
            "publishVersion", summary: "Công bố bản nháp (nguyên tử; ETag đổi ngay; gửi webhook)", tags: tags, parameters: [key, version],
            requestBody: APIBody("Tùy chọn: ngày có hiệu lực", schema: ["type": "object", "properties": ["effectiveFrom": ["type": "string", "format": "date"]]], required: false),
            responses: [APIResponse(200, "Đã công bố", schema: .ref("PublishResult")), conflict, invalid]
        )) { request, context in
            struct Body: Decodable { let effectiveFrom: Day? }
            let body = try await Self.optionalJSON(request, context, as: Body.self)
            let result = try await service.publish(
                try context.parameters.require("key"), number: try Self.number(context), effectiveFrom: body?.effectiveFrom, by: CatalogActor(context)
            )
            dispatcher.wake()
            return try Self.json(PublishDocument(version: result.version, previousVersion: result.previous, summary: result.diff.summary))
        }
        api.add(.post, "/api/v1/catalogs/{key}/versions/{version}/retire", access: admin, maxBodySize: 0, APIOperation(
            "retireVersion", summary: "Ngừng sử dụng một phiên bản đã công bố (vẫn đọc được khi chỉ định số phiên bản)", tags: tags,
            parameters: [key, version],
            responses: [APIResponse(200, "Đã ngừng", schema: .ref("Version")), conflict, .problem(404, "Không có")]
        )) { _, context in
            let retired = try await service.retire(try context.parameters.require("key"), number: try Self.number(context), by: CatalogActor(context))
            dispatcher.wake()
            return try Self.json(VersionDocument(retired, current: false))
        }
        api.add(.post, "/api/v1/catalogs/{key}/sync", access: admin, maxBodySize: 0, APIOperation(
            "syncCatalog", summary: "Đồng bộ ngay một danh mục với từ điển dữ liệu quốc gia", tags: tags, parameters: [key],
            responses: [APIResponse(200, "Kết quả (updated, unchanged, failed, skipped)", schema: .ref("SyncReport")), .problem(404, "Không có")]
        )) { _, context in
            let key = try context.parameters.require("key")
            guard try await service.store.catalog(key) != nil else { throw CatalogService.noCatalog(key) }
            let report = await sync.sync(key, by: CatalogActor(context))
            if report.outcome == "updated" { dispatcher.wake() }
            return try Self.json(report)
        }
        api.add(.post, "/api/v1/catalogs/sync", access: admin, maxBodySize: 0, APIOperation(
            "syncAllCatalogs", summary: "Đồng bộ ngay mọi danh mục có nguồn", tags: tags,
            responses: [APIResponse(200, "Kết quả từng danh mục", schema: ["type": "object", "properties": ["items": ["type": "array", "items": .ref("SyncReport")]]])]
        )) { _, context in
            let reports = try await sync.syncAll(by: CatalogActor(context))
            if reports.contains(where: { $0.outcome == "updated" }) { dispatcher.wake() }
            return try Self.json(["items": reports])
        }
    }

    struct PublishDocument: Encodable {
        let version: VersionInfo
        let previousVersion: Int?
        let summary: VersionDiff.Summary
    }

    func importConcepts(_ request: Request, _ context: AppRequestContext, merge: Bool) async throws -> Response {
        let (format, data) = try await Self.upload(request, context)
        let parsed = try ConceptImport.parse(data, format: format)
        let result = try await service.importConcepts(
            try context.parameters.require("key"), number: try Self.number(context), upload: parsed, merge: merge, by: CatalogActor(context)
        )
        return try Self.json(result)
    }

    /// The upload's format from `Content-Type` (CSV or JSON) and its bytes.
    static func upload(_ request: Request, _ context: AppRequestContext) async throws -> (ConceptImport.Format, Data) {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let format: ConceptImport.Format
        switch mediaType {
        case "text/csv", "application/csv": format = .csv
        case "application/json": format = .json
        default:
            throw Problem(.unsupportedMediaType, detail: "Gửi text/csv hoặc application/json (đã nhận “\(mediaType)”).")
        }
        let buffer = try await request.body.collect(upTo: context.maxBodySize)
        return (format, Data(buffer: buffer))
    }

    static func optionalJSON<T: Decodable>(_ request: Request, _ context: AppRequestContext, as type: T.Type) async throws -> T? {
        let buffer = try await request.body.collect(upTo: context.maxBodySize)
        guard buffer.readableBytes > 0 else { return nil }
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw Problem(.unsupportedMediaType, detail: "Nội dung phải là application/json.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Problem.validation([.init(pointer: ConceptImport.path(error), message: ConceptImport.describe(error))])
        } catch {
            throw Problem(.malformedJSON, detail: "Nội dung không phải JSON hợp lệ.")
        }
    }

    static func number(_ context: AppRequestContext) throws -> Int {
        let text = try context.parameters.require("version")
        guard let number = Int(text), number > 0 else {
            throw Problem.validation([.init(pointer: "/path/version", message: "Phiên bản là số nguyên dương.")])
        }
        return number
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, location: String? = nil) throws -> Response {
        try JSONResponse.make(value, status: status, location: location)
    }
}
