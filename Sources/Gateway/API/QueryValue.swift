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
}
