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
            ("message", Templates.message), ("logout-confirm", Templates.logoutConfirm),
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

/// The SSO's cookies. `Secure` everywhere except in development (plain-HTTP loopback).
struct SSOCookies: Sendable {
    let secure: Bool
    static let session = "lgsp_sso"
    static let csrf = "lgsp_csrf"

    func set(_ name: String, _ value: String, maxAge: Int64? = nil) -> String {
        var parts = ["\(name)=\(value)", "Path=/sso", "HttpOnly", "SameSite=Lax"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    func clear(_ name: String) -> String {
        set(name, "", maxAge: 0)
    }

    /// A cookie's value from the request's `Cookie` headers.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix(name + "=") {
                    let value = String(trimmed.dropFirst(name.count + 1))
                    return value.isEmpty ? nil : value
                }
            }
        }
        return nil
    }
}
