import Core
import HTTPTypes
import Hummingbird

/// `/gw/{service}/{version}/{path…}`: every method goes through `ProxyHandler`, which checks the token
/// itself so that refused calls are logged too.
struct ProxyController: Sendable {
    let handler: ProxyHandler

    /// The largest body any service may accept; each service sets its own below it.
    static let maxBodySize = 1 << 30

    func register(on api: APIRouter) {
        api.addTag("Trục kết nối", description: "Gọi dịch vụ của bên cung cấp qua nền tảng: token SSO của hệ thống (client credentials, phạm vi gateway.call), quyền truy cập đã được duyệt, giới hạn tốc độ và hạn mức ngày; mọi lời gọi được ghi nhật ký giao dịch.")
        let handler = self.handler
        let parameters = [
            APIParameter("service", in: .path, description: "Mã dịch vụ", required: true),
            APIParameter("version", in: .path, description: "Phiên bản", required: true),
            APIParameter("path", in: .path, description: "Đường dẫn tại dịch vụ gốc (một hoặc nhiều đoạn)", required: true),
        ]
        let responses = [
            APIResponse(200, "Câu trả lời của dịch vụ gốc, nguyên trạng", contentType: nil), .problem(401, "Thiếu hoặc sai token"),
            .problem(403, "Chưa được cấp quyền"), .problem(404, "Không có dịch vụ/phiên bản"), .problem(413, "Nội dung quá lớn"),
            .problem(429, "Vượt tốc độ hoặc hạn mức ngày (Retry-After)"), .problem(502, "Dịch vụ gốc lỗi"), .problem(503, "Dịch vụ tạm dừng"),
            .problem(504, "Dịch vụ gốc không trả lời kịp"),
        ]
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            api.add(method, "/gw/{service}/{version}/{path+}", access: .anonymous, maxBodySize: Self.maxBodySize, APIOperation(
                "proxy\(method.rawValue.capitalized)", summary: "Gọi dịch vụ \(method.rawValue) qua trục kết nối", tags: ["Trục kết nối"],
                parameters: parameters, responses: responses
            )) { request, context in
                try await handler.handle(request, context)
            }
        }
    }
}
