import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The read side of `/api/v1/catalogs`: catalogs, concepts (paging, filters, search), `$lookup`,
/// `$validate-code`, `$translate`, versions, diffs and exports. Answers come from the in-memory indexes,
/// with strong ETags and 304s.
struct CatalogReadController: Sendable {
    let reader: CatalogReader
    let cache: CatalogCache
    let syncStates: @Sendable () async throws -> [String: SyncState]

    static let maxLimit = 1000
    static let defaultLimit = 100

    func register(on api: APIRouter) {
        let tags = ["catalogs"]
        let access = RouteAccess.optionalToken([CatalogReader.readScope])
        api.addTag("catalogs", description: "Danh mục dùng chung: tra cứu, kiểm tra mã, chuyển đổi mã cũ – mới, phiên bản, xuất dữ liệu. Danh mục mở đọc không cần token; danh mục khác cần phạm vi catalogs.read.")
        for (name, schema) in CatalogSchemas.all { api.addSchema(name, schema) }
        let key = APIParameter("key", in: .path, description: "Khóa danh mục, ví dụ dan-toc, don-vi-hanh-chinh")
        let versionQuery = [
            APIParameter("version", in: .query, description: "Số phiên bản (mặc định: phiên bản hiện hành)", schema: ["type": "string"]),
            APIParameter("at", in: .query, description: "Ngày YYYY-MM-DD: dùng phiên bản có hiệu lực ngày đó và chỉ tính các mã có hiệu lực ngày đó", schema: ["type": "string", "format": "date"]),
        ]
        let conditional = APIParameter("If-None-Match", in: .header, description: "ETag đã có; trả 304 nếu không đổi")
        let notModified = APIResponse(304, "Không đổi so với ETag đã gửi", contentType: nil)
        let etagHeader = ["ETag": "Thẻ phiên bản của nội dung (mạnh)"]

        api.add(.get, "/api/v1/catalogs", access: access, maxBodySize: 0, APIOperation(
            "listCatalogs", summary: "Danh sách danh mục", tags: tags, parameters: [conditional],
            responses: [APIResponse(200, "Các danh mục đọc được", schema: ["type": "object", "properties": ["items": ["type": "array", "items": .ref("Catalog")]]], headers: etagHeader), notModified]
        )) { request, context in
            try await listCatalogs(request, context)
        }
        api.add(.get, "/api/v1/catalogs/{key}", access: access, maxBodySize: 0, APIOperation(
            "getCatalog", summary: "Một danh mục: mô tả, nguồn, phiên bản hiện hành", tags: tags, parameters: [key, conditional],
            responses: [APIResponse(200, "Danh mục", schema: .ref("Catalog"), headers: etagHeader), notModified, .problem(404, "Không có")]
        )) { request, context in
            let entry = try await reader.entry(try context.parameters.require("key"), principal: context.principal)
            let body = catalogDocument(entry, principal: context.principal, states: nil)
            return try HTTPCaching.respond(
                request, etag: HTTPCaching.etag(entryTag(entry), variant: "catalog"), open: entry.info.open, contentType: HTTPCaching.jsonType
            ) { try HTTPCaching.json(body) }
        }
        api.add(.get, "/api/v1/catalogs/{key}/concepts", access: access, maxBodySize: 0, APIOperation(
            "listConcepts", summary: "Các mã của một phiên bản: phân trang, lọc, tìm kiếm không dấu",
            description: "Tìm kiếm (q) bỏ qua dấu và hoa thường, khớp đầu từ: “buon ma” tìm thấy “Buôn Ma Thuột”. Trả JSON, CSV hoặc XML theo Accept hoặc ?format=.",
            tags: tags,
            parameters: [key] + versionQuery + [
                APIParameter("q", in: .query, description: "Từ khóa tìm theo tên (không dấu, đầu từ) hoặc mã"),
                APIParameter("parent", in: .query, description: "Chỉ các mã con trực tiếp của mã này (ví dụ 66: các xã, phường của Đắk Lắk); rỗng: các mã cấp cao nhất"),
                APIParameter("level", in: .query, description: "Chỉ các mã ở cấp này (province, commune…)"),
                APIParameter("status", in: .query, description: "active, deprecated hoặc inactive"),
                APIParameter("limit", in: .query, description: "Số mục tối đa (1–1000, mặc định 100)", schema: ["type": "integer", "minimum": 1, "maximum": 1000]),
                APIParameter("offset", in: .query, description: "Bỏ qua bao nhiêu mục đầu", schema: ["type": "integer", "minimum": 0]),
                APIParameter("format", in: .query, description: "json, csv hoặc xml"),
                APIParameter("bom", in: .query, description: "true: thêm BOM UTF-8 vào CSV (để Excel đọc đúng tiếng Việt)"),
                conditional,
            ],
            responses: [
                APIResponse(200, "Một trang mã", schema: .ref("ConceptPage"), headers: etagHeader),
                APIResponse(200, "CSV", contentType: "text/csv", schema: ["type": "string"]),
                notModified, .problem(404, "Không có danh mục hoặc phiên bản"), .problem(406, "Định dạng không hỗ trợ"),
            ]
        )) { request, context in
            try await listConcepts(request, context)
        }
        api.add(.get, "/api/v1/catalogs/{key}/concepts/{code}", access: access, maxBodySize: 0, APIOperation(
            "getConcept", summary: "Một mã", tags: tags,
            parameters: [key, APIParameter("code", in: .path, description: "Mã")] + versionQuery + [conditional],
            responses: [APIResponse(200, "Mã", schema: .ref("Concept"), headers: etagHeader), notModified, .problem(404, "Không có mã")]
        )) { request, context in
            let (entry, index) = try await reader.index(try context.parameters.require("key"), try CatalogReader.selector(request.queryFields), principal: context.principal)
            let code = try context.parameters.require("code")
            guard let position = index.positions[code] else {
                throw Problem.notFound("Mã “\(code)” không có trong danh mục “\(entry.info.name)” (phiên bản \(index.version.number)).")
            }
            return HTTPCaching.respond(
                request, etag: HTTPCaching.etag(index.etagBase, suffix: code), open: entry.info.open, contentType: HTTPCaching.jsonType
            ) { index.lookupJSON[position] }
        }
        api.add(.get, "/api/v1/catalogs/{key}/$lookup", access: access, maxBodySize: 0, APIOperation(
            "lookupCode", summary: "Tra cứu một mã: tên, mã cha và các cấp trên, số mã con, ánh xạ có sẵn", tags: tags,
            parameters: [key, APIParameter("code", in: .query, description: "Mã", required: true)] + versionQuery + [conditional],
            responses: [APIResponse(200, "Thông tin mã", schema: .ref("Lookup"), headers: etagHeader), notModified, .problem(404, "Không có mã")]
        )) { request, context in
            try await lookup(request, context)
        }
        api.add(.get, "/api/v1/catalogs/{key}/$validate-code", access: access, maxBodySize: 0, APIOperation(
            "validateCode", summary: "Kiểm tra một mã (và tên, nếu gửi) có hợp lệ không", description: "Trả lời từ chỉ mục trong bộ nhớ; không bao giờ duyệt cả danh mục.",
            tags: tags,
            parameters: [key, APIParameter("code", in: .query, description: "Mã", required: true), APIParameter("display", in: .query, description: "Tên cần kiểm tra cùng mã (không phân biệt dấu, hoa thường)")]
                + versionQuery + [conditional],
            responses: [APIResponse(200, "Kết quả (result true/false, kèm lý do)", schema: .ref("Validation"), headers: etagHeader), notModified]
        )) { request, context in
            try await validate(request, context)
        }
        api.add(.get, "/api/v1/catalogs/{key}/$translate", access: access, maxBodySize: 0, APIOperation(
            "translateCode", summary: "Chuyển mã qua ánh xạ: mã cũ → mã mới (target), hoặc ngược lại mã mới → các mã cũ (source)", tags: tags,
            parameters: [
                key, APIParameter("code", in: .query, description: "Mã cần chuyển", required: true),
                APIParameter("target", in: .query, description: "Danh mục đích (ánh xạ của danh mục này tới danh mục đó)"),
                APIParameter("source", in: .query, description: "Danh mục nguồn (chiều ngược: ánh xạ của danh mục đó tới danh mục này)"),
                APIParameter("version", in: .query, description: "Phiên bản của danh mục chứa ánh xạ (mặc định: hiện hành)"),
                conditional,
            ],
            responses: [APIResponse(200, "Kết quả chuyển đổi", schema: .ref("Translation"), headers: etagHeader), notModified, .problem(404, "Không có ánh xạ")]
        )) { request, context in
            try await translate(request, context)
        }
        api.add(.get, "/api/v1/catalogs/{key}/versions", access: access, maxBodySize: 0, APIOperation(
            "listVersions", summary: "Các phiên bản của danh mục", tags: tags, parameters: [key, conditional],
            responses: [APIResponse(200, "Phiên bản (bản nháp chỉ hiện với catalogs.admin)", schema: ["type": "object", "properties": ["items": ["type": "array", "items": .ref("Version")]]], headers: etagHeader), notModified]
        )) { request, context in
            let entry = try await reader.entry(try context.parameters.require("key"), principal: context.principal)
            let admin = CatalogReader.isAdmin(context.principal)
            let current = entry.current(on: .today())?.id
            let items = entry.versions.filter { admin || $0.info.status != .draft }.map { VersionDocument($0.info, current: $0.id == current) }
            return try HTTPCaching.respond(
                request, etag: HTTPCaching.etag(entryTag(entry), variant: "versions|\(admin)"), open: entry.info.open, contentType: HTTPCaching.jsonType
            ) { try HTTPCaching.json(["items": items]) }
        }
        api.add(.get, "/api/v1/catalogs/{key}/versions/{version}", access: access, maxBodySize: 0, APIOperation(
            "getVersion", summary: "Một phiên bản và các ánh xạ của nó", tags: tags,
            parameters: [key, APIParameter("version", in: .path, description: "Số phiên bản hoặc current"), conditional],
            responses: [APIResponse(200, "Phiên bản", schema: .ref("Version"), headers: etagHeader), notModified, .problem(404, "Không có")]
        )) { request, context in
            let entry = try await reader.entry(try context.parameters.require("key"), principal: context.principal)
            let version = try reader.version(entry, try CatalogReader.selector(path: try context.parameters.require("version")), principal: context.principal)
            let index = try await cache.index(for: version)
            let current = entry.current(on: .today())?.id == version.id
            var document = VersionDocument(index.version, current: current)
            document.mappings = index.mappings.values.map { MappingSummary(target: $0.map.target, targetVersion: $0.map.targetVersion, description: $0.map.description, elements: $0.map.elements.count) }
                .sorted { $0.target < $1.target }
            return try HTTPCaching.respond(
                request, etag: HTTPCaching.etag(index.etagBase, variant: "version|\(current)|\(version.info.status.rawValue)|\(version.info.retiredAt ?? "")|\(entryTag(entry))"),
                open: entry.info.open, contentType: HTTPCaching.jsonType
            ) { try HTTPCaching.json(document) }
        }
        api.add(.get, "/api/v1/catalogs/{key}/versions/{version}/export", access: access, maxBodySize: 0, APIOperation(
            "exportVersion", summary: "Xuất toàn bộ một phiên bản (JSON, CSV hoặc XML)",
            description: "JSON xuất ra nhập lại được nguyên vẹn (cả ánh xạ); CSV nhập lại được các mã. ?bom=true để Excel đọc đúng tiếng Việt.",
            tags: tags,
            parameters: [
                key, APIParameter("version", in: .path, description: "Số phiên bản hoặc current"),
                APIParameter("format", in: .query, description: "json, csv hoặc xml (mặc định theo Accept)"),
                APIParameter("bom", in: .query, description: "true: thêm BOM UTF-8 vào CSV"), conditional,
            ],
            responses: [
                APIResponse(200, "Tài liệu xuất", schema: .ref("ExportDocument"), headers: etagHeader),
                APIResponse(200, "CSV", contentType: "text/csv", schema: ["type": "string"]),
                APIResponse(200, "XML", contentType: "application/xml", schema: ["type": "string"]),
                notModified, .problem(406, "Định dạng không hỗ trợ"),
            ]
        )) { request, context in
            let entry = try await reader.entry(try context.parameters.require("key"), principal: context.principal)
            let version = try reader.version(entry, try CatalogReader.selector(path: try context.parameters.require("version")), principal: context.principal)
            let index = try await cache.index(for: version)
            return try export(request, entry: entry, index: index, positions: Array(index.concepts.indices), mappings: index.mappings.values.map(\.map).sorted { $0.target < $1.target })
        }
        api.add(.get, "/api/v1/catalogs/{key}/versions/{version}/mappings/{target}", access: access, maxBodySize: 0, APIOperation(
            "getMapping", summary: "Ánh xạ của một phiên bản tới danh mục khác", tags: tags,
            parameters: [key, APIParameter("version", in: .path, description: "Số phiên bản hoặc current"), APIParameter("target", in: .path, description: "Danh mục đích"), conditional],
            responses: [APIResponse(200, "Ánh xạ", schema: .ref("ConceptMap"), headers: etagHeader), notModified, .problem(404, "Không có")]
        )) { request, context in
            let entry = try await reader.entry(try context.parameters.require("key"), principal: context.principal)
            let version = try reader.version(entry, try CatalogReader.selector(path: try context.parameters.require("version")), principal: context.principal)
            let index = try await cache.index(for: version)
            let target = try context.parameters.require("target")
            guard let map = index.mappings[target]?.map else {
                throw Problem.notFound("Phiên bản \(version.info.number) của “\(entry.info.key)” không có ánh xạ tới “\(target)”.")
            }
            let format = try ExportFormat.negotiate(request)
            return try HTTPCaching.respond(
                request, etag: HTTPCaching.etag(index.etagBase, variant: "mapping|\(target)|\(format.rawValue)"), open: entry.info.open,
                contentType: format.contentType, vary: "Accept"
            ) {
                switch format {
                case .csv:
                    var buffer = ByteBuffer(string: CSVTable.line(["source", "target", "kind", "comment"]))
                    for element in map.elements { buffer.writeString(CSVTable.line([element.source, element.target, element.kind.rawValue, element.comment ?? ""])) }
                    return buffer
                case .json, .xml:
                    guard format == .json else { throw Problem(.notAcceptable, detail: "Ánh xạ xuất được JSON hoặc CSV.") }
                    return try HTTPCaching.json(map)
                }
            }
        }
        api.add(.get, "/api/v1/catalogs/{key}/diff", access: access, maxBodySize: 0, APIOperation(
            "diffVersions", summary: "So sánh hai phiên bản: mã thêm, mã bỏ, mã đổi (kèm trường đổi)", tags: tags,
            parameters: [
                key, APIParameter("from", in: .query, description: "Phiên bản cũ (mặc định: phiên bản đã công bố ngay trước to)"),
                APIParameter("to", in: .query, description: "Phiên bản mới (mặc định: hiện hành)"), conditional,
            ],
            responses: [APIResponse(200, "Khác biệt", schema: .ref("Diff"), headers: etagHeader), notModified, .problem(404, "Không có phiên bản")]
        )) { request, context in
            try await diff(request, context)
        }
    }

    // MARK: Handlers

    func listCatalogs(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let snapshot = try await cache.snapshot()
        let canRead = CatalogReader.canRead(context.principal)
        let states = CatalogReader.isAdmin(context.principal) ? try? await syncStates() : nil
        let entries = snapshot.keys.compactMap { snapshot.catalogs[$0] }.filter { $0.info.open || canRead }
        let items = entries.map { catalogDocument($0, principal: context.principal, states: states) }
        let variant = "list|\(canRead)|\(states.map { CatalogStore.json($0) } ?? "")|" + entries.map(entryTag).joined(separator: ",")
        return try HTTPCaching.respond(
            request, etag: HTTPCaching.etag("catalogs", variant: variant), open: !canRead, contentType: HTTPCaching.jsonType
        ) { try HTTPCaching.json(["items": items]) }
    }

    func listConcepts(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let query = request.queryFields
        let selector = try CatalogReader.selector(query)
        let (entry, index) = try await reader.index(try context.parameters.require("key"), selector, principal: context.principal)
        var errors: [Problem.FieldError] = []
        let limit = Int(query["limit"] ?? String(Self.defaultLimit)) ?? -1
        if !(1...Self.maxLimit).contains(limit) {
            errors.append(.init(pointer: "/query/limit", message: "limit từ 1 đến \(Self.maxLimit)."))
        }
        let offset = Int(query["offset"] ?? "0") ?? -1
        if offset < 0 { errors.append(.init(pointer: "/query/offset", message: "offset là số nguyên không âm.")) }
        let status = try query["status"].map { text -> ConceptStatus in
            guard let status = ConceptStatus(rawValue: text) else {
                throw Problem.validation([.init(pointer: "/query/status", message: "status là active, deprecated hoặc inactive.")])
            }
            return status
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let format = try ExportFormat.negotiate(request)
        // `parent=` present but empty: the top level.
        let parentFilter: String? = query.pairs.first { $0.0 == "parent" }?.1
        let level = query["level"]
        let day: Day? = if case .at(let day) = selector { day } else { nil }
        let etag = HTTPCaching.etag(index.etagBase, variant: "concepts|\(format.rawValue)|\(Self.canonical(query))")
        return HTTPCaching.respond(request, etag: etag, open: entry.info.open, contentType: format.contentType, vary: "Accept") {
            func allowed(_ position: Int) -> Bool {
                let concept = index.concepts[position]
                if let status, concept.status != status { return false }
                if let level, concept.level != level { return false }
                if let day, !concept.validity.contains(day) { return false }
                if let parentFilter, (concept.parent ?? "") != parentFilter { return false }
                return true
            }
            var positions: [Int]
            if let q = query["q"] {
                positions = index.search.search(q, limitTo: allowed)
            } else if let parentFilter {
                positions = (index.children[parentFilter] ?? []).filter(allowed)
            } else if status == nil, level == nil, day == nil {
                positions = Array(index.concepts.indices)
            } else {
                positions = index.concepts.indices.filter(allowed)
            }
            let total = positions.count
            if format != .json {
                // Files are the whole filtered set (no paging): an export.
                let concepts = positions.map { index.concepts[$0] }
                return format == .csv
                    ? CatalogExport.csv(concepts, byteOrderMark: query["bom"] == "true" || query["bom"] == "1")
                    : CatalogExport.xml(catalog: entry.info, version: index.version, concepts: concepts, mappings: nil)
            }
            let page = positions.dropFirst(offset).prefix(limit)
            var buffer = ByteBuffer()
            buffer.reserveCapacity(page.count * 220 + 256)
            buffer.writeString("{\"catalog\":\(CatalogIndex.jsonString(entry.info.key)),\"version\":\(index.version.number),\"total\":\(total),\"offset\":\(offset),\"limit\":\(limit),\"items\":[")
            for (n, position) in page.enumerated() {
                if n > 0 { buffer.writeString(",") }
                var item = index.conceptJSON[position]
                buffer.writeBuffer(&item)
            }
            buffer.writeString("]")
            if offset + limit < total {
                var next = query.pairs.filter { $0.0 != "offset" }
                next.append(("offset", String(offset + limit)))
                let path = "/api/v1/catalogs/\(entry.info.key)/concepts?" + next.map { "\(FormFields.encode($0.0))=\(FormFields.encode($0.1))" }.joined(separator: "&")
                buffer.writeString(",\"next\":\(CatalogIndex.jsonString(path))")
            }
            buffer.writeString("}")
            return buffer
        }
    }

    func lookup(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let query = request.queryFields
        guard let code = query["code"] else {
            throw Problem.validation([.init(pointer: "/query/code", message: "Thiếu mã (code).")])
        }
        let (entry, index) = try await reader.index(try context.parameters.require("key"), try CatalogReader.selector(query), principal: context.principal)
        guard let concept = index.concept(code) else {
            throw Problem.notFound("Mã “\(code)” không có trong danh mục “\(entry.info.name)” (phiên bản \(index.version.number)).")
        }
        let document = LookupDocument(
            catalog: entry.info.key, catalogName: entry.info.name, version: index.version.number, concept: concept,
            ancestors: index.ancestors(of: code).map { .init(code: $0.code, display: $0.display, level: $0.level) },
            childCount: index.children[code]?.count ?? 0,
            mappings: index.mappings.keys.sorted()
        )
        return try HTTPCaching.respond(
            request, etag: HTTPCaching.etag(index.etagBase, variant: "lookup|\(code)"), open: entry.info.open, contentType: HTTPCaching.jsonType
        ) { try HTTPCaching.json(document) }
    }

    func validate(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let query = request.queryFields
        guard let code = query["code"] else {
            throw Problem.validation([.init(pointer: "/query/code", message: "Thiếu mã (code).")])
        }
        let selector = try CatalogReader.selector(query)
        let (entry, index) = try await reader.index(try context.parameters.require("key"), selector, principal: context.principal)
        let day: Day = if case .at(let day) = selector { day } else { .today() }
        var result = CatalogCodeLookup.check(code, in: index, catalogName: entry.info.name, on: day)
        var outcome = result.outcome.rawValue
        if result.isValid, let display = query["display"], let actual = result.display,
            VietnameseText.searchKey(display) != VietnameseText.searchKey(actual)
        {
            outcome = "display-mismatch"
            result = CodeValidation(
                outcome: .valid, catalog: result.catalog, code: code, version: result.version, display: actual,
                message: "Tên “\(display)” không khớp: mã “\(code)” là “\(actual)”."
            )
        }
        // The answer depends on the day: it is part of the tag.
        let etag = HTTPCaching.etag(index.etagBase, variant: "validate|\(code)|\(query["display"] ?? "")|\(day)")
        return HTTPCaching.respond(request, etag: etag, open: entry.info.open, contentType: HTTPCaching.jsonType) {
            // Fields as `ValidationDocument` documents them, in key order.
            var json = JSONObjectWriter()
            json.field("catalog", entry.info.key)
            json.field("code", code)
            json.field("day", day.text)
            json.field("display", result.display)
            json.field("message", result.message)
            json.field("outcome", outcome)
            json.field("result", outcome == "valid")
            json.field("version", result.version)
            return json.finish()
        }
    }

    func translate(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let query = request.queryFields
        let key = try context.parameters.require("key")
        guard let code = query["code"] else {
            throw Problem.validation([.init(pointer: "/query/code", message: "Thiếu mã (code).")])
        }
        let target = query["target"]
        let source = query["source"]
        guard (target == nil) != (source == nil) else {
            throw Problem.validation([.init(pointer: "/query/target", message: "Cần đúng một trong hai: target (mã của danh mục này → danh mục đích) hoặc source (mã của danh mục này ← danh mục nguồn).")])
        }
        let selector = try CatalogReader.selector(query)
        if let target {
            let (entry, index) = try await reader.index(key, selector, principal: context.principal)
            guard let mapping = index.mappings[target] else {
                let available = index.mappings.keys.sorted()
                throw Problem.notFound("Phiên bản \(index.version.number) của “\(key)” không có ánh xạ tới “\(target)”" + (available.isEmpty ? "." : "; có ánh xạ tới: \(available.joined(separator: ", "))."))
            }
            let targetEntry = try await reader.entry(target, principal: context.principal)
            let targetIndex = try await indexOrNil(targetEntry, number: mapping.map.targetVersion)
            let targetCurrent = try await currentIndex(targetEntry)
            let elements = mapping.bySource[code] ?? []
            let document = TranslationDocument(
                result: !elements.isEmpty, direction: "forward", catalog: key, version: index.version.number, code: code,
                display: index.concept(code)?.display, target: target, targetVersion: mapping.map.targetVersion,
                matches: elements.map { element in
                    TranslationDocument.Match(
                        code: element.target, display: targetIndex?.concept(element.target)?.display, kind: element.kind.rawValue,
                        kindName: element.kind.vietnamese, relationship: element.kind.fhirRelationship, comment: element.comment,
                        inCurrentTarget: targetCurrent?.concept(element.target) != nil
                    )
                },
                message: elements.isEmpty
                    ? (index.concept(code) == nil ? "Mã “\(code)” không có trong danh mục “\(entry.info.name)”." : "Mã “\(code)” không có trong ánh xạ tới “\(target)”.")
                    : nil
            )
            let etag = HTTPCaching.etag(index.etagBase, variant: "translate|\(code)|\(target)|\(targetCurrent?.etagBase ?? "")")
            return try HTTPCaching.respond(request, etag: etag, open: entry.info.open && targetEntry.info.open, contentType: HTTPCaching.jsonType) {
                try HTTPCaching.json(document)
            }
        }
        // Reverse: the source catalog's map into this one, read from its target side.
        let sourceKey = source!
        let entry = try await reader.entry(key, principal: context.principal)
        let (sourceEntry, sourceIndex) = try await reader.index(sourceKey, selector, principal: context.principal)
        guard let mapping = sourceIndex.mappings[key] else {
            throw Problem.notFound("Phiên bản \(sourceIndex.version.number) của “\(sourceKey)” không có ánh xạ tới “\(key)”.")
        }
        let thisIndex = try await indexOrNil(entry, number: mapping.map.targetVersion)
        let elements = mapping.byTarget[code] ?? []
        let document = TranslationDocument(
            result: !elements.isEmpty, direction: "reverse", catalog: key, version: mapping.map.targetVersion, code: code,
            display: thisIndex?.concept(code)?.display, target: sourceKey, targetVersion: sourceIndex.version.number,
            matches: elements.sorted { $0.source < $1.source }.map { element in
                TranslationDocument.Match(
                    code: element.source, display: sourceIndex.concept(element.source)?.display, kind: element.kind.rawValue,
                    kindName: element.kind.vietnamese, relationship: element.kind.fhirRelationship, comment: element.comment, inCurrentTarget: nil
                )
            },
            message: elements.isEmpty ? "Không mã nào của “\(sourceEntry.info.name)” được ánh xạ tới mã “\(code)”." : nil
        )
        let etag = HTTPCaching.etag(sourceIndex.etagBase, variant: "translate-reverse|\(code)|\(key)|\(thisIndex?.etagBase ?? "")")
        return try HTTPCaching.respond(request, etag: etag, open: entry.info.open && sourceEntry.info.open, contentType: HTTPCaching.jsonType) {
            try HTTPCaching.json(document)
        }
    }

    func diff(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let query = request.queryFields
        let entry = try await reader.entry(try context.parameters.require("key"), principal: context.principal)
        func number(_ name: String) throws -> Int? {
            guard let text = query[name] else { return nil }
            if text == "current" { return entry.current(on: .today())?.info.number }
            guard let value = Int(text), value > 0 else {
                throw Problem.validation([.init(pointer: "/query/\(name)", message: "\(name) là số phiên bản.")])
            }
            return value
        }
        let toVersion = try reader.version(entry, try number("to").map { .number($0) } ?? .current, principal: context.principal)
        let fromVersion: StoredVersion
        if let from = try number("from") {
            fromVersion = try reader.version(entry, .number(from), principal: context.principal)
        } else {
            guard let previous = entry.versions.last(where: { $0.info.number < toVersion.info.number && $0.info.status != .draft }) else {
                throw Problem.notFound("Phiên bản \(toVersion.info.number) là phiên bản đầu tiên; không có gì để so sánh.")
            }
            fromVersion = previous
        }
        let old = try await cache.index(for: fromVersion)
        let new = try await cache.index(for: toVersion)
        let etag = HTTPCaching.etag(new.etagBase, variant: "diff|\(old.etagBase)")
        return try HTTPCaching.respond(request, etag: etag, open: entry.info.open, contentType: HTTPCaching.jsonType) {
            let diff = VersionDiff(from: old.concepts, to: new.concepts)
            return try HTTPCaching.json(DiffDocument(catalog: entry.info.key, from: old.version.number, to: new.version.number, diff: diff))
        }
    }

    // MARK: Helpers

    func export(_ request: Request, entry: CatalogEntry, index: CatalogIndex, positions: [Int], mappings: [ConceptMap]) throws -> Response {
        let format = try ExportFormat.negotiate(request)
        let bom = request.queryFields["bom"] == "true" || request.queryFields["bom"] == "1"
        let etag = HTTPCaching.etag(index.etagBase, variant: "export|\(format.rawValue)|\(bom)|\(entryTag(entry))")
        let filename = "\(entry.info.key)-v\(index.version.number).\(format.rawValue)"
        return try HTTPCaching.respond(
            request, etag: etag, open: entry.info.open, contentType: format.contentType, vary: "Accept",
            extraHeaders: [.contentDisposition: "attachment; filename=\"\(filename)\""]
        ) {
            switch format {
            case .json: return try CatalogExport.json(catalog: entry.info, version: index.version, index: index, positions: positions, mappings: mappings)
            case .csv: return CatalogExport.csv(positions.map { index.concepts[$0] }, byteOrderMark: bom)
            case .xml: return CatalogExport.xml(catalog: entry.info, version: index.version, concepts: positions.map { index.concepts[$0] }, mappings: mappings)
            }
        }
    }

    func indexOrNil(_ entry: CatalogEntry, number: Int) async throws -> CatalogIndex? {
        guard let version = entry.version(number), version.info.status != .draft else { return nil }
        return try await cache.index(for: version)
    }

    func currentIndex(_ entry: CatalogEntry) async throws -> CatalogIndex? {
        guard let version = entry.current(on: .today()) else { return nil }
        return try await cache.index(for: version)
    }

    /// Changes whenever the catalog's description or any of its versions changes.
    func entryTag(_ entry: CatalogEntry) -> String {
        "\(entry.info.key)@\(entry.info.updatedAt)|" + entry.versions.map { "\($0.info.number):\($0.info.status.rawValue):\($0.info.contentHash ?? $0.info.conceptCount.description)" }.joined(separator: ",")
            + "|\(entry.current(on: .today())?.info.number ?? 0)"
    }

    /// The query without paging-independent noise, sorted, for ETags.
    static func canonical(_ query: FormFields) -> String {
        query.pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    func catalogDocument(_ entry: CatalogEntry, principal: Principal?, states: [String: SyncState]?) -> CatalogDocument {
        let current = entry.current(on: .today())
        return CatalogDocument(
            info: entry.info, currentVersion: current?.info.number, currentLabel: current?.info.label, conceptCount: current?.info.conceptCount,
            effectiveFrom: current?.info.effectiveFrom?.text, effectiveTo: current?.info.effectiveTo?.text,
            versions: entry.versions.filter { $0.info.status != .draft }.count,
            draft: CatalogReader.isAdmin(principal) ? entry.draft?.info.number : nil,
            sync: states?[entry.info.key]
        )
    }
}
