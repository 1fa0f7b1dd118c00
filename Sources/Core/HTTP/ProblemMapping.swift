import Foundation
import Hummingbird
import Logging

/// Turns any error a route throws into the `Problem` the client sees. Nothing internal (stack traces,
/// SQL, file paths) reaches the client; unexpected errors are logged with the request id instead.
public enum ProblemMapping {
    public static func problem(for error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            return problem(forStatus: error.status, headers: error.headers)
        case let error as any HTTPResponseError:
            return problem(forStatus: error.status, headers: [:])
        case let error as DecodingError:
            return problem(for: error)
        case let error as BlobStoreError:
            switch error {
            case .tooLarge(let limit):
                return Problem(
                    .contentTooLarge, detail: "Nội dung vượt quá giới hạn \(limit) byte.",
                    extensions: ["limit": String(limit)]
                )
            }
        case let error as DatabaseUnavailableError:
            logger.error("Cơ sở dữ liệu không sẵn sàng", metadata: ["error": .string(error.description)])
            var headers = HTTPFields()
            headers[.retryAfter] = "5"
            return Problem(.serviceUnavailable, detail: "Cơ sở dữ liệu tạm thời không khả dụng, vui lòng thử lại sau.", headers: headers)
        case is CancellationError:
            return Problem(.serviceUnavailable, detail: "Yêu cầu đã bị hủy.")
        default:
            logger.error(
                "Lỗi không mong đợi khi xử lý yêu cầu",
                metadata: ["error.type": .string(String(reflecting: type(of: error))), "error": .string(SafeErrorDescription.describe(error))]
            )
            return Problem(.internalError, detail: "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau hoặc liên hệ quản trị viên với mã yêu cầu.")
        }
    }

    static func problem(forStatus status: HTTPResponse.Status, headers: HTTPFields) -> Problem {
        let type = ProblemType.forStatus(status)
        let detail: String
        switch status {
        case .notFound: detail = "Không có tài nguyên nào tại địa chỉ này."
        case .contentTooLarge: detail = "Nội dung yêu cầu vượt quá kích thước cho phép."
        case .methodNotAllowed: detail = "Địa chỉ này không hỗ trợ phương thức đã dùng."
        case .unsupportedMediaType: detail = "Kiểu nội dung của yêu cầu không được hỗ trợ."
        default: detail = type.title
        }
        return Problem(type, detail: detail, headers: headers)
    }

    /// Malformed JSON is 400; well-formed JSON with the wrong shape is a 422 pointing at the field.
    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return Problem(.malformedJSON, detail: "Nội dung gửi lên không phải JSON hợp lệ.")
        case .dataCorrupted(let context):
            return .validation([.init(pointer: pointer(context.codingPath), message: "Giá trị không hợp lệ.")])
        case .keyNotFound(let key, let context):
            return .validation([.init(pointer: pointer(context.codingPath + [key]), message: "Thiếu trường bắt buộc.")])
        case .valueNotFound(_, let context):
            return .validation([.init(pointer: pointer(context.codingPath), message: "Giá trị không được để trống (null).")])
        case .typeMismatch(let type, let context):
            return .validation([.init(pointer: pointer(context.codingPath), message: "Sai kiểu dữ liệu: cần \(describe(type)).")])
        @unknown default:
            return Problem(.badRequest, detail: "Nội dung yêu cầu không hợp lệ.")
        }
    }

    /// RFC 6901 JSON Pointer for a coding path.
    public static func pointer(_ path: [any CodingKey]) -> String {
        path.map { key in
            let token = key.intValue.map(String.init) ?? key.stringValue
            return "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined()
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "chuỗi"
        case is Bool.Type: return "giá trị đúng/sai"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: return "số nguyên"
        case is Double.Type, is Float.Type: return "số"
        case is [Any].Type: return "mảng"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "mảng" }
            if name.hasPrefix("Dictionary") { return "đối tượng" }
            return "đối tượng"
        }
    }
}
