import HTTPTypes

/// A kind of problem a client can act on, with its stable `type` URI (RFC 9457), HTTP status and
/// Vietnamese title. Clients switch on `type`, never on `title` or `detail`.
public struct ProblemType: Sendable, Hashable {
    public let slug: String
    public let status: HTTPResponse.Status
    public let title: String

    public init(slug: String, status: HTTPResponse.Status, title: String) {
        self.slug = slug
        self.status = status
        self.title = title
    }

    public var uri: String { "urn:lgsp:problem:\(slug)" }

    public static let badRequest = ProblemType(slug: "bad-request", status: .badRequest, title: "Yêu cầu không hợp lệ")
    public static let malformedJSON = ProblemType(slug: "malformed-json", status: .badRequest, title: "Nội dung JSON không đúng cú pháp")
    public static let validation = ProblemType(slug: "validation", status: .unprocessableContent, title: "Dữ liệu không hợp lệ")
    public static let unauthorized = ProblemType(slug: "unauthorized", status: .unauthorized, title: "Chưa xác thực")
    public static let forbidden = ProblemType(slug: "forbidden", status: .forbidden, title: "Không có quyền truy cập")
    public static let notFound = ProblemType(slug: "not-found", status: .notFound, title: "Không tìm thấy")
    public static let methodNotAllowed = ProblemType(
        slug: "method-not-allowed", status: .methodNotAllowed, title: "Phương thức không được hỗ trợ"
    )
    public static let notAcceptable = ProblemType(slug: "not-acceptable", status: .notAcceptable, title: "Không có định dạng phù hợp")
    public static let conflict = ProblemType(slug: "conflict", status: .conflict, title: "Xung đột dữ liệu")
    public static let gone = ProblemType(slug: "gone", status: .gone, title: "Tài nguyên không còn tồn tại")
    public static let preconditionFailed = ProblemType(
        slug: "precondition-failed", status: .preconditionFailed, title: "Điều kiện tiên quyết không thỏa"
    )
    public static let contentTooLarge = ProblemType(slug: "content-too-large", status: .contentTooLarge, title: "Nội dung yêu cầu quá lớn")
    public static let unsupportedMediaType = ProblemType(
        slug: "unsupported-media-type", status: .unsupportedMediaType, title: "Kiểu nội dung không được hỗ trợ"
    )
    public static let tooManyRequests = ProblemType(slug: "too-many-requests", status: .tooManyRequests, title: "Quá nhiều yêu cầu")
    public static let internalError = ProblemType(slug: "internal", status: .internalServerError, title: "Lỗi hệ thống")
    public static let serviceUnavailable = ProblemType(
        slug: "service-unavailable", status: .serviceUnavailable, title: "Dịch vụ tạm thời không khả dụng"
    )
    /// The gateway's upstream failed (could not be reached, or broke off).
    public static let badGateway = ProblemType(slug: "bad-gateway", status: .badGateway, title: "Dịch vụ gốc gặp lỗi")
    /// The gateway's upstream did not answer in time.
    public static let gatewayTimeout = ProblemType(slug: "gateway-timeout", status: .gatewayTimeout, title: "Dịch vụ gốc không trả lời kịp")

    /// Every problem type Core defines (documented in OpenAPI).
    public static let all: [ProblemType] = [
        .badRequest, .malformedJSON, .validation, .unauthorized, .forbidden, .notFound, .methodNotAllowed,
        .notAcceptable, .conflict, .gone, .preconditionFailed, .contentTooLarge, .unsupportedMediaType,
        .tooManyRequests, .internalError, .serviceUnavailable, .badGateway, .gatewayTimeout,
    ]

    /// The type for a bare HTTP status (errors raised by the framework rather than by our code).
    public static func forStatus(_ status: HTTPResponse.Status) -> ProblemType {
        all.first { $0.status == status }
            ?? (status.code >= 500
                ? ProblemType(slug: "internal", status: status, title: "Lỗi hệ thống")
                : ProblemType(slug: "bad-request", status: status, title: "Yêu cầu không hợp lệ"))
    }
}
