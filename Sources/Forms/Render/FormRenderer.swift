import Core
import Foundation

/// The presentation service: accessible Vietnamese HTML generated from a form's definition. Works
/// without JavaScript (a province choice refreshes the commune list by a round trip); with JavaScript the
/// refresh happens on change. Every input has its `<label for>`, required fields say so in words and in
/// `aria-required`, errors sit beside their fields (`aria-invalid`, `aria-describedby`) and in a summary
/// linking to them.
struct FormRenderer: Sendable {
    let codes: any CodeLookup

    struct Page {
        var form: FormInfo
        var version: FormVersion
        var data: JSONValue
        var errors: [SchemaViolation]
        var notice: String?
        var action: String
        var nonce: String
    }

    func render(_ page: Page) async throws -> String {
        let layout = FormLayout(schema: page.version.schema, title: page.form.title)
        let errors = Dictionary(grouping: page.errors, by: \.pointer).mapValues { $0.map(\.message) }
        var html = Self.head(title: layout.title, nonce: page.nonce)
        html += "<main>\n<h1>\(layout.title.htmlEscaped)</h1>\n"
        html += "<p class=\"meta\">Biểu mẫu <code>\(page.form.key.htmlEscaped)</code>, phiên bản \(page.version.number)"
        if let code = page.form.procedureCode { html += " — thủ tục \(code.htmlEscaped)" }
        html += ". Trường có dấu <abbr title=\"bắt buộc\">*</abbr> là bắt buộc.</p>\n"
        if let notice = page.notice { html += "<p class=\"notice\" role=\"status\">\(notice.htmlEscaped)</p>\n" }
        if !page.errors.isEmpty {
            html += "<div class=\"summary\" role=\"alert\" tabindex=\"-1\" id=\"loi\"><h2>Có \(page.errors.count) lỗi cần sửa</h2><ul>\n"
            let known = Set(Self.leaves(layout.fields).map(\.pointer))
            for error in page.errors {
                let target = Self.closest(error.pointer, in: known)
                let link = target.map { "#f-" + $0.dropFirst().split(separator: "/").joined(separator: "-") } ?? "#"
                html += "<li><a href=\"\(link.htmlEscaped)\">\(error.message.htmlEscaped)</a></li>\n"
            }
            html += "</ul></div>\n"
        }
        html += "<form method=\"post\" action=\"\(page.action.htmlEscaped)\" novalidate>\n"
        html += "<input type=\"hidden\" name=\"_version\" value=\"\(page.version.number)\">\n"
        for field in layout.fields {
            html += try await render(field, data: page.data, errors: errors)
        }
        html += "<div class=\"actions\"><button type=\"submit\">Kiểm tra và gửi</button></div>\n</form>\n</main>\n"
        html += Self.script(nonce: page.nonce)
        html += "</body>\n</html>\n"
        return html
    }

    func render(_ field: FormLayout.Field, data: JSONValue, errors: [String: [String]]) async throws -> String {
        let value = JSONPointer.resolve(field.path, in: data)
        let fieldErrors = errors[field.pointer] ?? []
        var isLines = false
        if case .lines = field.kind { isLines = true }
        let describedBy = [field.help == nil && !isLines ? nil : field.id + "-help", fieldErrors.isEmpty ? nil : field.id + "-loi"].compactMap { $0 }
        var attributes = "id=\"\(field.id)\" name=\"\(field.name.htmlEscaped)\""
        if field.required { attributes += " required aria-required=\"true\"" }
        if !fieldErrors.isEmpty { attributes += " aria-invalid=\"true\"" }
        if !describedBy.isEmpty { attributes += " aria-describedby=\"\(describedBy.joined(separator: " "))\"" }
        if let placeholder = field.placeholder { attributes += " placeholder=\"\(placeholder.htmlEscaped)\"" }
        let marker = field.required ? " <abbr title=\"bắt buộc\">*</abbr>" : ""
        let help = field.help.map { "<p class=\"help\" id=\"\(field.id)-help\">\($0.htmlEscaped)</p>\n" } ?? ""
        let messages = fieldErrors.isEmpty ? "" : "<p class=\"error\" id=\"\(field.id)-loi\">\(fieldErrors.map(\.htmlEscaped).joined(separator: "<br>"))</p>\n"
        let text = Self.text(value)
        let label = "<label for=\"\(field.id)\">\(field.label.htmlEscaped)\(marker)</label>\n"
        switch field.kind {
        case .group(let children):
            var html = "<fieldset id=\"\(field.id)\"><legend>\(field.label.htmlEscaped)\(marker)</legend>\n\(help)\(messages)"
            for child in children { html += try await render(child, data: data, errors: errors) }
            return html + "</fieldset>\n"
        case .checkbox:
            let checked = value == .bool(true) ? " checked" : ""
            return "<div class=\"field checkbox\"><input type=\"checkbox\" value=\"on\" \(attributes)\(checked)>\n\(label)\(help)\(messages)</div>\n"
        case .text(let inputType):
            return "<div class=\"field\">\(label)\(help)<input type=\"\(inputType)\" \(attributes) value=\"\(text.htmlEscaped)\">\n\(messages)</div>\n"
        case .number(let integer):
            return "<div class=\"field\">\(label)\(help)<input type=\"number\" inputmode=\"\(integer ? "numeric" : "decimal")\"\(integer ? " step=\"1\"" : "") \(attributes) value=\"\(text.htmlEscaped)\">\n\(messages)</div>\n"
        case .multiline:
            return "<div class=\"field\">\(label)\(help)<textarea rows=\"4\" \(attributes)>\(text.htmlEscaped)</textarea>\n\(messages)</div>\n"
        case .lines:
            let lines = value?.arrayValue?.map(Self.text).joined(separator: "\n") ?? text
            return "<div class=\"field\">\(label)<p class=\"help\" id=\"\(field.id)-help\">Mỗi dòng một mục.\(field.help.map { " " + $0.htmlEscaped } ?? "")</p><textarea rows=\"4\" \(attributes)>\(lines.htmlEscaped)</textarea>\n\(messages)</div>\n"
        case .choice(let options):
            var html = "<div class=\"field\">\(label)\(help)<select \(attributes)>\n<option value=\"\">— Chọn —</option>\n"
            for option in options {
                html += "<option value=\"\(option.htmlEscaped)\"\(option == text ? " selected" : "")>\(option.htmlEscaped)</option>\n"
            }
            return html + "</select>\n\(messages)</div>\n"
        case .catalog(let catalog, let parentField):
            var parentCode: String?
            if let parentField {
                parentCode = JSONPointer.resolve(Array(field.path.dropLast()) + [parentField], in: data)?.stringValue
            }
            let options: [CodeOption]
            if parentField != nil, parentCode == nil {
                options = []
            } else {
                options = try await codes.options(in: catalog, parent: parentCode, on: nil) ?? []
            }
            var html = "<div class=\"field\">\(label)\(help)"
            if parentField != nil && parentCode == nil {
                html += "<p class=\"help\">Chọn mục phía trên rồi bấm “Cập nhật danh sách” để có danh sách này.</p>\n"
            }
            let refreshes = field.parentOf
            html += "<select \(attributes)\(refreshes ? " data-refresh" : "")>\n<option value=\"\">— Chọn —</option>\n"
            for option in options {
                html += "<option value=\"\(option.code.htmlEscaped)\"\(option.code == text ? " selected" : "")>\(option.display.htmlEscaped)</option>\n"
            }
            html += "</select>\n"
            if refreshes {
                html += "<button type=\"submit\" name=\"_refresh\" value=\"\(field.name.htmlEscaped)\" class=\"refresh\">Cập nhật danh sách</button>\n"
            }
            return html + messages + "</div>\n"
        }
    }

    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .integer(let number)?: return String(number)
        case .number(let number)?: return String(number)
        case .bool(let flag)?: return flag ? "có" : "không"
        default: return ""
        }
    }

    static func leaves(_ fields: [FormLayout.Field]) -> [FormLayout.Field] {
        fields.flatMap { field -> [FormLayout.Field] in
            if case .group(let children) = field.kind { return [field] + leaves(children) }
            return [field]
        }
    }

    /// The field an error belongs to: its own pointer, or the nearest field above it.
    static func closest(_ pointer: String, in known: Set<String>) -> String? {
        var candidate = Substring(pointer)
        while !candidate.isEmpty {
            if known.contains(String(candidate)) { return String(candidate) }
            guard let slash = candidate.lastIndex(of: "/") else { break }
            candidate = candidate[..<slash]
        }
        return nil
    }

    static func head(title: String, nonce: String) -> String {
        """
        <!doctype html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title.htmlEscaped)</title>
        <style nonce="\(nonce)">
        body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1b1b1b}main{max-width:46rem;margin:0 auto;padding:1rem}
        .field{margin:0 0 1rem}label{display:block;font-weight:600}input[type=text],input[type=email],input[type=url],input[type=date],input[type=number],select,textarea{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}
        .checkbox{display:flex;gap:.5rem;align-items:flex-start}.checkbox label{font-weight:400}fieldset{margin:0 0 1rem;border:1px solid #999;padding:.5rem 1rem}
        legend{font-weight:700}.help,.meta{color:#444;margin:.2rem 0}.error{color:#b00020;font-weight:600;margin:.2rem 0}[aria-invalid=true]{border:2px solid #b00020}
        .summary{border:3px solid #b00020;padding:.5rem 1rem;margin-bottom:1rem}.notice{border:3px solid #1b6e20;padding:.5rem 1rem}abbr{color:#b00020;text-decoration:none}
        button{font-size:1rem;padding:.5rem 1rem}.refresh{margin-top:.3rem}
        @media print{.actions,.refresh,button{display:none}}
        </style>
        </head>
        <body>

        """
    }

    /// Progressive enhancement: a list that depends on another is refreshed as soon as that one changes.
    static func script(nonce: String) -> String {
        """
        <script nonce="\(nonce)">
        document.querySelectorAll('select[data-refresh]').forEach(function (select) {
          var button = select.parentNode.querySelector('button.refresh');
          if (button) { button.hidden = true; }
          select.addEventListener('change', function () { if (button) { select.form.requestSubmit(button); } });
        });
        var summary = document.getElementById('loi'); if (summary) { summary.focus(); }
        </script>

        """
    }
}


extension FormRenderer {
    /// A filled submission for printing: every field with its label and value (catalog codes with their
    /// names, as of the submission), the form version it was validated against, who sent it and when.
    func printable(form: FormInfo, version: FormVersion, submission: FormSubmission, nonce: String) async throws -> String {
        let layout = FormLayout(schema: version.schema, title: form.title)
        var html = Self.head(title: layout.title, nonce: nonce)
        html += "<main>\n<h1>\(layout.title.htmlEscaped)</h1>\n"
        html += "<p class=\"meta\">Hồ sơ <code>\(submission.id.htmlEscaped)</code> — biểu mẫu <code>\(form.key.htmlEscaped)</code> phiên bản \(version.number)"
        html += " — nộp lúc \(submission.submittedAt.htmlEscaped) — trạng thái \(submission.status.rawValue.htmlEscaped)</p>\n"
        html += try await rows(layout.fields, submission: submission)
        html += "<p class=\"meta\">Mã băm dữ liệu: <code>\(submission.dataHash.htmlEscaped)</code></p>\n</main>\n</body>\n</html>\n"
        return html
    }

    func rows(_ fields: [FormLayout.Field], submission: FormSubmission) async throws -> String {
        var html = "<dl>\n"
        for field in fields {
            let value = JSONPointer.resolve(field.path, in: submission.data)
            switch field.kind {
            case .group(let children):
                guard value != nil else { continue }
                html += "</dl>\n<h2>\(field.label.htmlEscaped)</h2>\n" + (try await rows(children, submission: submission)) + "<dl>\n"
            case .catalog(let catalog, _):
                guard let code = value?.stringValue else { continue }
                let date = Timestamp.date(from: submission.submittedAt)
                let answer = try await codes.validate(code: code, in: catalog, on: date)
                html += "<dt>\(field.label.htmlEscaped)</dt><dd>\((answer.display ?? code).htmlEscaped) (\(code.htmlEscaped))</dd>\n"
            case .lines:
                guard let items = value?.arrayValue else { continue }
                html += "<dt>\(field.label.htmlEscaped)</dt><dd>\(items.map { Self.text($0).htmlEscaped }.joined(separator: "<br>"))</dd>\n"
            default:
                guard let value else { continue }
                html += "<dt>\(field.label.htmlEscaped)</dt><dd>\(Self.text(value).htmlEscaped)</dd>\n"
            }
        }
        return html + "</dl>\n"
    }
}
