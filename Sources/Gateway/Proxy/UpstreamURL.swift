import Foundation

/// Upstream addresses. A service's base URL is fixed at registration; a call only appends a path to it,
/// built from decoded, checked segments — so no path trick (`..`, encoded slashes, a `@` or `//` that
/// would change the authority) reaches another host or leaves the base path (no SSRF).
enum UpstreamURL {
    /// `http(s)://host[:port][/path]` without user info, query or fragment, trailing `/` dropped; nil otherwise.
    static func base(_ text: String) -> String? {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              components.query == nil, components.fragment == nil else { return nil }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        if path.contains("//") || path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) { return nil }
        let port = components.port.map { ":\($0)" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host.lowercased()
        return "\(scheme)://\(hostPart)\(port)\(path)"
    }

    /// Any absolute http(s) URL without user info (token and health URLs).
    static func absolute(_ text: String) -> String? {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              components.fragment == nil, let url = components.url else { return nil }
        return url.absoluteString
    }

    /// The percent-encoded path segments of what follows `/gw/{service}/{version}/`, each decoded once and
    /// checked; nil when a segment is `.`/`..`, is empty in the middle, or decodes to something holding
    /// `/`, `\`, a control character or invalid UTF-8.
    static func segments(_ rest: String) -> [String]? {
        if rest.isEmpty { return [] }
        let raw = rest.split(separator: "/", omittingEmptySubsequences: false)
        var segments: [String] = []
        for (index, part) in raw.enumerated() {
            if part.isEmpty {
                // Only a trailing slash may give an empty segment.
                if index == raw.count - 1 { segments.append(""); continue }
                return nil
            }
            let decoded: String
            if part.utf8.contains(UInt8(ascii: "%")) {
                guard let text = String(part).removingPercentEncoding else { return nil }
                decoded = text
            } else {
                decoded = String(part)
            }
            // `..;x` is `..` to servers that drop path parameters (Tomcat, Jetty, Spring).
            let beforeParameters = decoded.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? decoded
            if decoded == "." || decoded == ".." || beforeParameters == "." || beforeParameters == ".." { return nil }
            if decoded.unicodeScalars.contains(where: { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) { return nil }
            segments.append(decoded)
        }
        return segments
    }

    /// Characters left as they are in a path segment: RFC 3986 pchar without `;`, which servers that
    /// read path parameters would strip (`;` is sent as `%3B`).
    static let segmentAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        set.insert(charactersIn: "-._~!$&'()*+,=:@")
        return set
    }()

    /// Bytes of `segmentAllowed`, checked without Foundation.
    static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "-._~!$&'()*+,=:@".utf8.contains(byte)
        }
    }

    /// `base` + the segments, each re-encoded, + the query as the consumer sent it (already encoded).
    static func join(base: String, segments: [String], query: String?) -> String {
        var url = base
        for segment in segments {
            url += "/"
            if segment.utf8.allSatisfy(isPlain) {
                url += segment
            } else {
                url += segment.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? ""
            }
        }
        if let query, !query.isEmpty { url += "?" + query }
        return url
    }
}
