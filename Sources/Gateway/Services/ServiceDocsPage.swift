import Core
import Foundation

/// A service's developer documentation as one Vietnamese HTML page (R-PL01-3.1-doc): how to call it
/// through the gateway, what each operation takes and answers with examples, the states, the OpenAPI
/// operations, the lifecycle dates, the contact, and what the gateway itself may answer. No script; the
/// one style sheet carries the response's CSP nonce.
enum ServiceDocsPage {
    static let statusNames: [RegisteredService.Status: String] = [
        .draft: "Bản nháp", .published: "Đang cung cấp", .deprecated: "Lỗi thời (vẫn hoạt động đến ngày ngừng hỗ trợ)", .retired: "Đã ngừng",
    ]

    static let gatewayAnswers: [(Int, String)] = [
        (401, "Thiếu access token hoặc token không hợp lệ."),
        (403, "Hệ thống chưa được cấp quyền, quyền đang tạm dừng, hoặc phương thức/đường dẫn không nằm trong quyền được cấp."),
        (404, "Không có dịch vụ, phiên bản hoặc môi trường này."),
        (413, "Nội dung yêu cầu vượt giới hạn của dịch vụ."),
        (429, "Vượt tốc độ hoặc hạn mức ngày được cấp; xem tiêu đề Retry-After."),
        (502, "Dịch vụ gốc không gọi được."),
        (503, "Dịch vụ đang tạm dừng (bảo trì, sự cố)."),
        (504, "Dịch vụ gốc không trả lời kịp."),
    ]

    static func render(_ service: RegisteredService, openAPI: String?, providerName: String?, baseURL: String, nonce: String) -> String {
        let title = "\(service.name) — \(service.code) \(service.version)"
        var html = """
            <!doctype html>
            <html lang="vi">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title.htmlEscaped)</title>
            <style nonce="\(nonce)">
            body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
            code,pre{font-family:ui-monospace,monospace;background:#f4f4f4}pre{padding:.75rem;overflow:auto}
            table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
            .status{font-weight:bold}.warn{background:#fff4e5;padding:.5rem;border-left:4px solid #e08a00}
            </style>
            </head>
            <body>
            <main>
            <h1>\(title.htmlEscaped)</h1>

            """
        html += "<p class=\"status\">Trạng thái: \((statusNames[service.status] ?? service.status.rawValue).htmlEscaped)"
        if let published = service.publishedAt { html += " — công bố \(day(published))" }
        html += "</p>\n"
        if let provider = providerName { html += "<p>Bên cung cấp: \(provider.htmlEscaped)</p>\n" }
        if service.status == .deprecated {
            html += "<p class=\"warn\">Phiên bản này đã lỗi thời"
            if let successor = service.successorVersion { html += "; hãy chuyển sang phiên bản <code>\(successor.htmlEscaped)</code>" }
            if let sunset = service.sunsetAt { html += ". Hoạt động đến \(day(sunset))" }
            html += ".</p>\n"
        }
        if let retireAt = service.retireAt, service.status != .retired {
            html += "<p class=\"warn\">Dịch vụ sẽ ngừng cung cấp từ \(day(retireAt))"
            if let reason = service.retireReason { html += ": \(reason.htmlEscaped)" }
            html += "</p>\n"
        }
        if let reason = service.suspendedReason, service.suspendedAt != nil {
            html += "<p class=\"warn\">Đang tạm dừng: \(reason.htmlEscaped)</p>\n"
        }
        if let description = service.description { html += "<p>\(description.htmlEscaped)</p>\n" }
        if let purpose = service.purpose { html += "<h2>Mục đích</h2>\n<p>\(purpose.htmlEscaped)</p>\n" }

        let base = "\(baseURL)/gw/\(service.code)/\(service.version)"
        html += """
            <h2>Cách gọi</h2>
            <p>Địa chỉ: <code>\(base.htmlEscaped)/…</code> — phần sau là đường dẫn tại dịch vụ gốc.</p>
            <p>Xác thực với nền tảng: access token của hệ thống (OAuth 2.0 client credentials tại <code>\(baseURL.htmlEscaped)/sso/token</code>, phạm vi <code>gateway.call</code>), gửi trong <code>Authorization: Bearer …</code>. Môi trường (thử nghiệm, chính thức) là môi trường của client cấp token. Chỉ gọi được sau khi bên cung cấp duyệt yêu cầu sử dụng.</p>

            """
        if let documentation = service.documentation {
            html += "<p>Cơ chế xác thực của dịch vụ: \(documentation.authentication.htmlEscaped)</p>\n"
            html += "<p>Kiểu nội dung: <code>\(documentation.contentType.htmlEscaped)</code></p>\n"
            html += "<h2>Các thao tác</h2>\n"
            for operation in documentation.operations {
                html += "<h3><code>\(operation.method.htmlEscaped) \(operation.path.htmlEscaped)</code></h3>\n<p>\(operation.summary.htmlEscaped)</p>\n"
                html += "<p>Gọi qua nền tảng: <code>\(operation.method.htmlEscaped) \(base.htmlEscaped)\(operation.path.htmlEscaped)</code></p>\n"
                if let headers = operation.headers, !headers.isEmpty {
                    html += "<table><caption>Tiêu đề</caption><tr><th scope=\"col\">Tên</th><th scope=\"col\">Ý nghĩa</th><th scope=\"col\">Bắt buộc</th></tr>\n"
                    for header in headers {
                        html += "<tr><td><code>\(header.name.htmlEscaped)</code></td><td>\(header.description.htmlEscaped)</td><td>\(header.required == true ? "Có" : "Không")</td></tr>\n"
                    }
                    html += "</table>\n"
                }
                if let example = operation.requestExample { html += "<p>Ví dụ yêu cầu:</p>\n<pre>\(pretty(example).htmlEscaped)</pre>\n" }
                if let example = operation.responseExample { html += "<p>Ví dụ trả lời:</p>\n<pre>\(pretty(example).htmlEscaped)</pre>\n" }
                if let responses = operation.responses, !responses.isEmpty {
                    html += "<table><caption>Mã trả lời</caption><tr><th scope=\"col\">Mã</th><th scope=\"col\">Ý nghĩa</th></tr>\n"
                    for response in responses { html += "<tr><td>\(response.status)</td><td>\(response.meaning.htmlEscaped)</td></tr>\n" }
                    html += "</table>\n"
                }
            }
            if let states = documentation.states, !states.isEmpty {
                html += "<h2>Các trạng thái</h2>\n<dl>\n"
                for state in states { html += "<dt><code>\(state.name.htmlEscaped)</code></dt><dd>\(state.meaning.htmlEscaped)</dd>\n" }
                html += "</dl>\n"
            }
        }
        if let openAPI, let operations = openAPIOperations(openAPI), !operations.isEmpty {
            html += "<h2>OpenAPI</h2>\n<p>Tài liệu đầy đủ: <code>GET \(baseURL.htmlEscaped)/api/v1/gateway/services/\(service.id.htmlEscaped)/openapi</code></p>\n"
            html += "<table><tr><th scope=\"col\">Phương thức</th><th scope=\"col\">Đường dẫn</th><th scope=\"col\">Mô tả</th><th scope=\"col\">Mã trả lời</th></tr>\n"
            for operation in operations {
                html += "<tr><td>\(operation.method.htmlEscaped)</td><td><code>\(operation.path.htmlEscaped)</code></td><td>\(operation.summary.htmlEscaped)</td><td>\(operation.statuses.joined(separator: ", ").htmlEscaped)</td></tr>\n"
            }
            html += "</table>\n"
        }
        if service.hasTestCollection {
            html += "<p>Bộ kiểm thử (Postman collection): <code>GET \(baseURL.htmlEscaped)/api/v1/gateway/services/\(service.id.htmlEscaped)/test-collection</code></p>\n"
        }
        html += "<h2>Câu trả lời của nền tảng</h2>\n<p>Ngoài câu trả lời của dịch vụ gốc, nền tảng có thể tự trả lời (application/problem+json):</p>\n"
        html += "<table><tr><th scope=\"col\">Mã</th><th scope=\"col\">Khi nào</th></tr>\n"
        for (status, meaning) in gatewayAnswers { html += "<tr><td>\(status)</td><td>\(meaning.htmlEscaped)</td></tr>\n" }
        html += "</table>\n<p>Mỗi câu trả lời mang <code>X-LGSP-Request-Id</code>; hãy nêu mã này khi cần hỗ trợ.</p>\n"
        if let contact = service.contact {
            html += "<h2>Đầu mối kỹ thuật</h2>\n<p>\(contact.name.htmlEscaped)"
            if let role = contact.role { html += ", \(role.htmlEscaped)" }
            if let email = contact.email { html += " — <a href=\"mailto:\(email.htmlEscaped)\">\(email.htmlEscaped)</a>" }
            if let phone = contact.phone { html += " — \(phone.htmlEscaped)" }
            html += "</p>\n"
        }
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    static func day(_ timestamp: String) -> String {
        Timestamp.date(from: timestamp).map { VietnamTime.isoDay(of: $0) } ?? timestamp
    }

    static func pretty(_ value: JSONValue) -> String {
        (try? value.encoded(pretty: true)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    struct Operation {
        let method: String
        let path: String
        let summary: String
        let statuses: [String]
    }

    static func openAPIOperations(_ text: String) -> [Operation]? {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object(let root) = document,
              case .object(let paths)? = root["paths"] else { return nil }
        var operations: [Operation] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard case .object(let methods) = item else { continue }
            for method in OpenAPIDocumentCheck.operations {
                guard case .object(let fields)? = methods[method] else { continue }
                var summary = ""
                if case .string(let text)? = fields["summary"] { summary = text } else if case .string(let text)? = fields["description"] { summary = text }
                var statuses: [String] = []
                if case .object(let responses)? = fields["responses"] { statuses = responses.keys.sorted() }
                operations.append(Operation(method: method.uppercased(), path: path, summary: summary, statuses: statuses))
            }
        }
        return operations
    }
}
