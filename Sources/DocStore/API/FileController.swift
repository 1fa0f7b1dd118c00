import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/files`: temporary content. tus 1.0.0 under `/api/v1/files/tus` (creation, creation-with-upload,
/// creation-defer-length, expiration, checksum, termination), a plain `POST` for small files, and reads
/// with `Range`. Every upload belongs to the token subject that created it; nobody else sees it.
struct FileController: Sendable {
    let uploads: UploadService
    let issuer: String
    let smallFileMaxSize: Int

    static let scope = "docstore.files"
    static let tags = ["Tệp tạm (tus)"]

    func register(on api: APIRouter) {
        api.addTag(Self.tags[0], description: "Lưu tạm và tải nội dung: tải lên tiếp tục được (tus 1.0.0), mã SHA-256 toàn tệp, hết hạn tự xóa.")
        let tags = Self.tags
        let id = APIParameter("id", in: .path, description: "Mã tệp tải lên (32 chữ số hex)", required: true)
        let tusHeader = APIParameter("Tus-Resumable", in: .header, description: "1.0.0", required: true)
        let uploads = self.uploads
        let maxSize = uploads.maxSize

        api.add(.options, "/api/v1/files/tus", access: .anonymous, maxBodySize: 0, APIOperation(
            "tusOptions", summary: "Khả năng tus của máy chủ (phiên bản, phần mở rộng, kích thước tối đa, thuật toán kiểm tra)", tags: tags,
            responses: [APIResponse(204, "Các tiêu đề Tus-*", contentType: nil)]
        )) { _, _ in
            Response(status: .noContent, headers: [
                Tus.resumable: Tus.version, Tus.versionHeader: Tus.version, Tus.extensionHeader: Tus.extensions,
                Tus.maxSize: String(maxSize), Tus.checksumAlgorithm: ChunkChecksum.supported,
            ])
        }

        api.add(.post, "/api/v1/files/tus", access: .scope(Self.scope), maxBodySize: Int(clamping: maxSize), APIOperation(
            "tusCreate", summary: "Tạo tệp tải lên (có thể kèm đoạn dữ liệu đầu tiên)", tags: tags,
            parameters: [
                tusHeader,
                APIParameter("Upload-Length", in: .header, description: "Kích thước tệp, byte", schema: ["type": "integer"]),
                APIParameter("Upload-Defer-Length", in: .header, description: "1: kích thước báo sau"),
                APIParameter("Upload-Metadata", in: .header, description: "filename, filetype, sha256 (tùy chọn: SHA-256 toàn tệp để kiểm tra)"),
            ],
            responses: [
                APIResponse(201, "Đã tạo; Location là địa chỉ tải lên", contentType: nil), .problem(412, "Sai phiên bản tus"),
                .problem(413, "Vượt Tus-Max-Size"),
            ]
        )) { request, context in
            try await Self.tus {
                try Tus.requireVersion(request)
                let length = try Tus.integer(request, Tus.uploadLength)
                let deferred = request.headers[Tus.deferLength]
                guard (length == nil) != (deferred == nil) else {
                    throw Problem(.badRequest, detail: "Cần đúng một trong hai tiêu đề Upload-Length hoặc Upload-Defer-Length: 1.")
                }
                if let deferred, deferred != "1" { throw Problem(.badRequest, detail: "Upload-Defer-Length chỉ nhận giá trị 1.") }
                let metadata = try UploadMetadata.parse(request.headers[Tus.uploadMetadata])
                let caller = Self.caller(context)
                let checksum = try ChunkChecksum.parse(request.headers[Tus.uploadChecksum])
                var record = try await uploads.create(length: length, metadata: metadata, by: caller)
                let withBody = request.headers[.contentType].map { $0.lowercased().hasPrefix(Tus.offsetContentType) } ?? false
                if withBody || length == 0 {
                    do {
                        record = try await uploads.append(record.id, offset: 0, declaredLength: nil, checksum: checksum, by: caller, body: request.body)
                    } catch let problem as Problem where problem.type != .contentTooLarge {
                        // The upload exists; the client learns where and resumes from Upload-Offset.
                        record = try await uploads.owned(record.id, by: caller.subject)
                    }
                }
                var headers: HTTPFields = [
                    .location: "\(issuer)/api/v1/files/tus/\(record.id)", Tus.uploadExpires: Tus.httpDate(record.expiresAt),
                    Tus.uploadOffset: String(record.received),
                ]
                if let digest = record.digest { headers[Tus.reprDigest] = Tus.reprDigest(hex: digest) }
                return Response(status: .created, headers: headers)
            }
        }

        api.add(.head, "/api/v1/files/tus/{id}", access: .scope(Self.scope), maxBodySize: 0, APIOperation(
            "tusHead", summary: "Vị trí đã nhận của tệp tải lên (để tải tiếp)", tags: tags, parameters: [id, tusHeader],
            responses: [APIResponse(200, "Upload-Offset, Upload-Length, Upload-Expires", contentType: nil), .problem(404, "Không có"), .problem(410, "Đã hết hạn")]
        )) { request, context in
            try await Self.tus {
                try Tus.requireVersion(request)
                let record = try await uploads.owned(try context.parameters.require("id"), by: context.principal!.subject)
                var headers: HTTPFields = [
                    Tus.uploadOffset: String(record.received), .cacheControl: "no-store", Tus.uploadExpires: Tus.httpDate(record.expiresAt),
                ]
                if let length = record.length { headers[Tus.uploadLength] = String(length) } else { headers[Tus.deferLength] = "1" }
                if !record.metadata.isEmpty { headers[Tus.uploadMetadata] = record.metadata }
                if let digest = record.digest { headers[Tus.reprDigest] = Tus.reprDigest(hex: digest) }
                return Response(status: .ok, headers: headers)
            }
        }

        api.add(.patch, "/api/v1/files/tus/{id}", access: .scope(Self.scope), maxBodySize: Int(clamping: maxSize), APIOperation(
            "tusPatch", summary: "Gửi tiếp một đoạn dữ liệu tại Upload-Offset", tags: tags,
            parameters: [
                id, tusHeader, APIParameter("Upload-Offset", in: .header, description: "Vị trí bắt đầu", required: true, schema: ["type": "integer"]),
                APIParameter("Upload-Checksum", in: .header, description: "sha256|sha1 và mã base64 của đoạn này"),
                APIParameter("Upload-Length", in: .header, description: "Kích thước tệp khi đã báo sau", schema: ["type": "integer"]),
            ],
            requestBody: APIBody("Đoạn dữ liệu", contentType: Tus.offsetContentType, schema: ["type": "string", "format": "binary"]),
            responses: [
                APIResponse(204, "Đã nhận; Upload-Offset mới (và Repr-Digest khi xong)", contentType: nil), .problem(409, "Sai vị trí"),
                .problem(415, "Sai Content-Type"), .problem(460, "Mã kiểm tra không khớp"),
            ]
        )) { request, context in
            try await Self.tus {
                try Tus.requireVersion(request)
                guard request.headers[.contentType].map({ $0.lowercased().hasPrefix(Tus.offsetContentType) }) == true else {
                    throw Problem(.unsupportedMediaType, detail: "PATCH cần Content-Type: \(Tus.offsetContentType).")
                }
                guard let offset = try Tus.integer(request, Tus.uploadOffset) else {
                    throw Problem(.badRequest, detail: "Thiếu tiêu đề Upload-Offset.")
                }
                let record = try await uploads.append(
                    try context.parameters.require("id"), offset: offset, declaredLength: try Tus.integer(request, Tus.uploadLength),
                    checksum: try ChunkChecksum.parse(request.headers[Tus.uploadChecksum]), by: Self.caller(context), body: request.body
                )
                var headers: HTTPFields = [Tus.uploadOffset: String(record.received), Tus.uploadExpires: Tus.httpDate(record.expiresAt)]
                if let digest = record.digest { headers[Tus.reprDigest] = Tus.reprDigest(hex: digest) }
                return Response(status: .noContent, headers: headers)
            }
        }

        api.add(.delete, "/api/v1/files/tus/{id}", access: .scope(Self.scope), maxBodySize: 0, APIOperation(
            "tusTerminate", summary: "Hủy tệp tải lên và xóa nội dung", tags: tags, parameters: [id, tusHeader],
            responses: [APIResponse(204, "Đã xóa", contentType: nil), .problem(404, "Không có")]
        )) { request, context in
            try await Self.tus {
                try Tus.requireVersion(request)
                try await uploads.terminate(try context.parameters.require("id"), by: Self.caller(context))
                return Response(status: .noContent)
            }
        }

        api.add(.post, "/api/v1/files", access: .scope(Self.scope), maxBodySize: smallFileMaxSize, APIOperation(
            "uploadFile", summary: "Tải lên một tệp nhỏ trong một yêu cầu", tags: tags,
            parameters: [
                APIParameter("name", in: .query, description: "Tên tệp (hoặc Content-Disposition: filename)"),
                APIParameter("sha256", in: .query, description: "SHA-256 toàn tệp để kiểm tra (tùy chọn)"),
            ],
            requestBody: APIBody("Nội dung tệp; Content-Type là loại tệp", contentType: "*/*", schema: ["type": "string", "format": "binary"]),
            responses: [APIResponse(201, "Đã lưu", schema: .ref("FileInfo")), .problem(413, "Tệp quá lớn"), .problem(460, "SHA-256 không khớp")]
        )) { request, context in
            var metadata = UploadMetadata(raw: "", values: [:])
            if let name = request.uri.queryParameters["name"].map(String.init) ?? request.headers[.contentDisposition].flatMap(Self.dispositionFileName) {
                metadata.name = try UploadMetadata.fileName(name)
            }
            if let type = request.headers[.contentType] {
                metadata.mediaType = try UploadMetadata.mediaType(type)
            }
            if let declared = request.uri.queryParameters["sha256"] {
                metadata.declaredSHA256 = try UploadMetadata.sha256(String(declared))
            }
            let caller = Self.caller(context)
            let created = try await uploads.create(length: nil, metadata: metadata, by: caller)
            do {
                // All or nothing: a body cut off is an error here, not a shorter file.
                let record = try await uploads.append(
                    created.id, offset: 0, declaredLength: nil, checksum: nil, by: caller, body: request.body, keepInterrupted: false
                )
                let done = try await uploads.finish(record, by: caller)
                return try JSONResponse.make(FileInfo(done), status: .created, location: "/api/v1/files/\(done.id)")
            } catch {
                try? await uploads.terminate(created.id, by: caller)
                throw error
            }
        }

        api.add(.get, "/api/v1/files/{id}/metadata", access: .scope(Self.scope), maxBodySize: 0, APIOperation(
            "fileMetadata", summary: "Thông tin tệp: tên, loại, kích thước, SHA-256, trạng thái, hạn", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Thông tin tệp", schema: .ref("FileInfo")), .problem(404, "Không có")]
        )) { _, context in
            try JSONResponse.make(FileInfo(try await uploads.owned(try context.parameters.require("id"), by: context.principal!.subject)))
        }

        api.add(.get, "/api/v1/files/{id}", access: .scope(Self.scope), maxBodySize: 0, APIOperation(
            "downloadFile", summary: "Tải về nội dung tệp (hỗ trợ Range)", tags: tags,
            parameters: [id, APIParameter("Range", in: .header, description: "bytes=đầu-cuối")],
            responses: [
                APIResponse(200, "Nội dung", contentType: "application/octet-stream"), APIResponse(206, "Một đoạn", contentType: "application/octet-stream"),
                .problem(404, "Không có"), .problem(409, "Chưa tải lên xong"), .problem(416, "Đoạn ngoài tệp"),
            ]
        )) { request, context in
            let record = try await uploads.owned(try context.parameters.require("id"), by: context.principal!.subject)
            let content = try await uploads.content(of: record)
            return try Self.download(content, name: record.name, mediaType: record.mediaType, request: request, uploads: uploads)
        }

        api.addSchema("FileInfo", [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "name": ["type": "string"], "mediaType": ["type": "string"],
                "status": ["type": "string", "enum": ["open", "complete"]], "length": ["type": "integer"], "received": ["type": "integer"],
                "size": ["type": "integer"], "sha256": ["type": "string"], "createdAt": ["type": "string"], "expiresAt": ["type": "string"],
                "completedAt": ["type": "string"], "consumedBy": ["type": "string"],
            ],
        ])
    }

    static func caller(_ context: AppRequestContext) -> UploadService.Caller {
        let principal = context.principal!
        return UploadService.Caller(subject: principal.subject, client: principal.clientID, agency: principal.agencyCode, requestID: context.requestID)
    }

    /// Runs a tus handler; every answer, errors included, carries `Tus-Resumable`.
    static func tus(_ body: () async throws -> Response) async throws -> Response {
        do {
            var response = try await body()
            response.headers[Tus.resumable] = Tus.version
            return response
        } catch var problem as Problem {
            problem.headers[Tus.resumable] = Tus.version
            if let offset = problem.extensions["offset"] { problem.headers[Tus.uploadOffset] = offset }
            throw problem
        }
    }

    static func dispositionFileName(_ header: String) -> String? {
        for part in header.split(separator: ";") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.lowercased().hasPrefix("filename*=utf-8''") {
                return String(item.dropFirst(17)).removingPercentEncoding
            }
            if item.lowercased().hasPrefix("filename=") {
                return String(item.dropFirst(9)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// A content answer: whole or one range, `ETag` = the SHA-256, `Content-Disposition` with the name.
    static func download(_ content: ContentRecord, name: String?, mediaType: String?, request: Request, uploads: UploadService) throws -> Response {
        let size = content.size
        let etag = "\"\(content.digest)\""
        var headers: HTTPFields = [
            .contentType: mediaType ?? "application/octet-stream", .eTag: etag, .acceptRanges: "bytes", .cacheControl: "private, no-cache",
            .init("X-Content-Type-Options")!: "nosniff",
        ]
        if let name {
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? "file"
            headers[.contentDisposition] = "attachment; filename*=UTF-8''\(encoded)"
        }
        if request.headers[.ifNoneMatch].map({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(etag) }) == true {
            return Response(status: .notModified, headers: headers)
        }
        var range = request.headers[.range].map { ByteRange.parse($0, size: size) } ?? .whole
        if let ifRange = request.headers[.ifRange], ifRange != etag { range = .whole }
        let status: HTTPResponse.Status
        let bytes: Range<Int64>
        switch range {
        case .whole:
            status = .ok
            bytes = 0..<size
        case .partial(let part):
            status = .partialContent
            bytes = part
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(size)"
        case .unsatisfiable:
            throw Problem(
                ProblemType(slug: "range-not-satisfiable", status: .rangeNotSatisfiable, title: "Đoạn yêu cầu nằm ngoài tệp"),
                detail: "Tệp có \(size) byte.", headers: [.contentRange: "bytes */\(size)"]
            )
        }
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(bytes.count)) { writer in
            try await uploads.stream(content, range: bytes) { buffer in try await writer.write(buffer) }
            try await writer.finish(nil)
        })
    }
}
