import Core
import Hummingbird

/// Query parameters naming one of a fixed set of values (`?status=published`).
enum QueryValue {
    /// The value of `name` as `T`, nil when absent, a 422 pointing at it when it is none of `T`'s values.
    static func parse<T: RawRepresentable & CaseIterable>(_ request: Request, _ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
        guard let value = T(rawValue: String(text)) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.validation([.init(pointer: "/query/\(name)", message: "Giá trị không hợp lệ; dùng một trong: \(allowed).")])
        }
        return value
    }

    /// A point in time given as ISO 8601 or a day (`YYYY-MM-DD`, Vietnam time), as the database stores
    /// it; nil when absent; an error pointing at `name` when it is neither.
    static func instant(_ request: Request, _ name: String, errors: inout [Problem.FieldError]) -> String? {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let date = Timestamp.date(from: text) ?? VietnamTime.date(ofISODay: text) else {
            errors.append(.init(pointer: "/query/\(name)", message: "Thời điểm dạng ISO 8601 hoặc YYYY-MM-DD."))
            return nil
        }
        return Timestamp.string(from: date)
    }

    /// A count between 1 and `maximum` (`default` when absent).
    static func limit(_ request: Request, default value: Int, maximum: Int, errors: inout [Problem.FieldError]) -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return value }
        guard let limit = Int(String(text)), (1...maximum).contains(limit) else {
            errors.append(.init(pointer: "/query/limit", message: "Số nguyên từ 1 đến \(maximum)."))
            return value
        }
        return limit
    }
}
