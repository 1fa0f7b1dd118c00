import Core
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// `GET /openapi.json`: the OpenAPI 3.1 document of every route, built once when the router is built.
enum OpenAPIRoutes {
    static func register(on api: APIRouter) {
        let cache = DocumentCache()
        api.add(.get, "/openapi.json", access: .anonymous, maxBodySize: 0, APIOperation(
            "getOpenAPI",
            summary: "Mô tả toàn bộ API theo OpenAPI 3.1",
            tags: ["system"],
            responses: [APIResponse(200, "Tài liệu OpenAPI 3.1", schema: ["type": "object"])]
        )) { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: cache.document(api)))
            )
        }
    }

    static func document(for api: APIRouter) -> JSONValue {
        OpenAPIDocument.make(
            from: api,
            title: "LGSP Đắk Lắk — Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Đắk Lắk",
            version: LGSPVersion.current,
            description: "API của các dịch vụ dùng chung: đăng nhập một lần, danh mục dùng chung, biểu mẫu điện tử, lưu trữ tạm thời và hồ sơ, trục kết nối. Lỗi trả về theo RFC 9457 (application/problem+json); mọi phản hồi có X-Request-Id."
        )
    }

    /// Encodes the document on first request; the route table does not change after the router is built.
    final class DocumentCache: Sendable {
        private let data = Mutex<Data?>(nil)

        func document(_ api: APIRouter) -> Data {
            data.withLock { data in
                if let data { return data }
                let encoded = (try? OpenAPIRoutes.document(for: api).encoded()) ?? Data()
                data = encoded
                return encoded
            }
        }
    }
}
