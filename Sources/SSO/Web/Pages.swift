import Core
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders the SSO's pages with the security headers a login page needs.
struct Pages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in [
            ("header", Templates.header), ("footer", Templates.footer), ("login", Templates.login), ("otp", Templates.otp),
            ("message", Templates.message), ("logout-confirm", Templates.logoutConfirm), ("continue", Templates.confirmContinue),
        ] {
            // The templates are constants of this module: a parse error is a programming error.
            try! library.register(text, named: name)
        }
        self.library = library
    }

    /// `formTargets`: origins a form on the page may end up at (after its POST the browser is redirected
    /// to the client), for the `form-action` directive.
    func render(
        _ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, cookies: [String] = [], formTargets: [String] = []
    ) -> Response {
        let html = library.render(values, withTemplate: template) ?? ""
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' \(formTargets.joined(separator: " ")); frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        for cookie in cookies {
            headers.append(HTTPField(name: .setCookie, value: cookie))
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func message(title: String, message: String, status: HTTPResponse.Status, link: String? = nil, linkText: String? = nil, cookies: [String] = []) -> Response {
        var values: [String: Any] = ["title": title, "message": message]
        if let link { values["link"] = link; values["linkText"] = linkText ?? link }
        return render("message", values, status: status, cookies: cookies)
    }
}

/// The SSO's cookies: `HttpOnly`, `SameSite=Lax`, `Path=/`. Outside development they are `Secure` and
/// carry the `__Host-` prefix, which browsers only accept from this exact host over HTTPS — a sibling
/// subdomain cannot plant one ("cookie tossing"). A name sent twice is treated as absent.
struct SSOCookies: Sendable {
    let secure: Bool
    static let session = "lgsp_sso"
    static let csrf = "lgsp_csrf"

    func name(_ base: String) -> String {
        secure ? "__Host-" + base : base
    }

    func set(_ base: String, _ value: String, maxAge: Int64? = nil) -> String {
        var parts = ["\(name(base))=\(value)", "Path=/", "HttpOnly", "SameSite=Lax"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    func clear(_ base: String) -> String {
        set(base, "", maxAge: 0)
    }

    /// The cookie's value from the request's `Cookie` headers; nil when absent, empty or sent more than once.
    func value(_ base: String, in request: Request) -> String? {
        let wanted = name(base)
        var found: [String] = []
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix(wanted + "=") {
                    found.append(String(trimmed.dropFirst(wanted.count + 1)))
                }
            }
        }
        guard found.count == 1, let value = found.first, !value.isEmpty else { return nil }
        return value
    }
}
