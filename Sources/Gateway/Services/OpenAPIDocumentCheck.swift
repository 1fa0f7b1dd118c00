import Core
import Foundation

/// Checks what providers upload: an OpenAPI 3.0 or 3.1 document (JSON) and a test collection (Postman
/// collection v2.0/v2.1, the format most agency teams already export). Each problem names the JSON
/// pointer it is at.
enum OpenAPIDocumentCheck {
    static let operations = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func problems(_ body: Data) -> [Problem.FieldError] {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: body), case .object(let root) = document else {
            return [.init(pointer: "", message: "Tài liệu OpenAPI phải là một đối tượng JSON.")]
        }
        var errors: [Problem.FieldError] = []
        guard case .string(let version)? = root["openapi"], version.hasPrefix("3.0.") || version.hasPrefix("3.1.") else {
            return [.init(pointer: "/openapi", message: "Cần trường “openapi” với phiên bản 3.0.x hoặc 3.1.x.")]
        }
        let is30 = version.hasPrefix("3.0.")
        if case .object(let info)? = root["info"] {
            if case .string(let title)? = info["title"], !title.isEmpty {} else { errors.append(.init(pointer: "/info/title", message: "Cần tiêu đề (info.title).")) }
            if case .string? = info["version"] {} else { errors.append(.init(pointer: "/info/version", message: "Cần phiên bản tài liệu (info.version).")) }
        } else {
            errors.append(.init(pointer: "/info", message: "Cần đối tượng “info”."))
        }
        guard case .object(let paths)? = root["paths"] else {
            errors.append(.init(pointer: "/paths", message: "Cần đối tượng “paths” mô tả các đường dẫn của dịch vụ."))
            return errors
        }
        if paths.isEmpty { errors.append(.init(pointer: "/paths", message: "Cần ít nhất một đường dẫn.")) }
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            let pointer = "/paths/" + escape(path)
            guard path.hasPrefix("/") else {
                errors.append(.init(pointer: pointer, message: "Đường dẫn phải bắt đầu bằng “/”."))
                continue
            }
            guard case .object(let operationsByMethod) = item else {
                errors.append(.init(pointer: pointer, message: "Mỗi đường dẫn là một đối tượng."))
                continue
            }
            for method in operations {
                guard let operation = operationsByMethod[method] else { continue }
                guard case .object(let fields) = operation else {
                    errors.append(.init(pointer: "\(pointer)/\(method)", message: "Mỗi thao tác là một đối tượng."))
                    continue
                }
                if let responses = fields["responses"] {
                    if case .object(let byStatus) = responses, !byStatus.isEmpty {} else {
                        errors.append(.init(pointer: "\(pointer)/\(method)/responses", message: "“responses” liệt kê ít nhất một mã trả về."))
                    }
                } else if is30 {
                    errors.append(.init(pointer: "\(pointer)/\(method)/responses", message: "OpenAPI 3.0 bắt buộc “responses”."))
                }
            }
        }
        return errors
    }

    /// A Postman collection: `info.name`, `info.schema` naming collection v2.x, and an `item` array.
    static func collectionProblems(_ body: Data) -> [Problem.FieldError] {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: body), case .object(let root) = document else {
            return [.init(pointer: "", message: "Bộ kiểm thử phải là một đối tượng JSON (Postman collection v2.x).")]
        }
        var errors: [Problem.FieldError] = []
        if case .object(let info)? = root["info"] {
            if case .string(let name)? = info["name"], !name.isEmpty {} else { errors.append(.init(pointer: "/info/name", message: "Cần tên bộ kiểm thử.")) }
            if case .string(let schema)? = info["schema"], schema.contains("collection/v2") {} else {
                errors.append(.init(pointer: "/info/schema", message: "Cần “schema” của Postman collection v2.0 hoặc v2.1."))
            }
        } else {
            errors.append(.init(pointer: "/info", message: "Cần đối tượng “info”."))
        }
        if case .array(let items)? = root["item"], !items.isEmpty {} else { errors.append(.init(pointer: "/item", message: "Cần ít nhất một yêu cầu kiểm thử (item).")) }
        return errors
    }

    /// The OpenAPI path templates, for naming calls in the transaction log without their values.
    static func pathTemplates(_ text: String) -> [String] {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object(let root) = document,
              case .object(let paths)? = root["paths"] else { return [] }
        return paths.keys.sorted()
    }

    /// RFC 6901.
    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
