import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Strong ETags and conditional GETs (RFC 9110 §8.8.3, §13.1.2). Every catalog read carries an ETag
/// derived from the version's content digest and what was asked; `If-None-Match` with a matching tag is
/// answered 304 without a body. Responses say `no-cache`: caches may keep them but must revalidate, so a
/// publish is visible at once.
enum HTTPCaching {
    /// `"<version>-<digest>[.<suffix>]"`. `suffix` must be ETag-safe (codes are).
    static func etag(_ base: String, suffix: String? = nil) -> String {
        "\"\(base)\(suffix.map { ".\($0)" } ?? "")\""
    }

    /// An ETag for a variant described by free text (query, format): a 64-bit FNV-1a of it is appended.
    /// The base already changes with the content; the variant part only tells representations of the same
    /// content apart, and must be the same in every process (so not `Hasher`, which is seeded per process).
    static func etag(_ base: String, variant: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in variant.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"\(base).\(String(repeating: "0", count: 16 - hex.count))\(hex)\""
    }

    /// True when `If-None-Match` lists `etag` (weak comparison, as the RFC prescribes for this header) or is `*`.
    static func matches(_ request: Request, _ etag: String) -> Bool {
        guard let header = request.headers[.ifNoneMatch] else { return false }
        if header == etag { return true }
        for raw in header.split(separator: ",") {
            var candidate = raw.trimmingCharacters(in: .whitespaces)
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            if candidate == etag { return true }
        }
        return false
    }

    static func cacheControl(open: Bool) -> String {
        open ? "public, no-cache" : "private, no-cache"
    }

    /// 304 when the client has it, else 200 with the body `make` builds.
    static func respond(
        _ request: Request, etag: String, open: Bool, contentType: String, vary: String? = nil, extraHeaders: HTTPFields = [:],
        make: () throws -> ByteBuffer
    ) rethrows -> Response {
        var headers = extraHeaders
        headers[.eTag] = etag
        headers[.cacheControl] = cacheControl(open: open)
        if let vary { headers[.vary] = vary }
        if matches(request, etag) {
            return Response(status: .notModified, headers: headers)
        }
        let body = try make()
        headers[.contentType] = contentType
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    static func json(_ value: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: try encoder.encode(value))
    }

    static let jsonType = "application/json; charset=utf-8"
}

/// The representation a request wants: `?format=` first, then `Accept` (with q-values).
enum ExportFormat: String, Sendable, CaseIterable {
    case json, csv, xml

    var contentType: String {
        switch self {
        case .json: return "application/json; charset=utf-8"
        case .csv: return "text/csv; charset=utf-8; header=present"
        case .xml: return "application/xml; charset=utf-8"
        }
    }

    static func negotiate(_ request: Request) throws -> ExportFormat {
        if let format = request.queryFields["format"] {
            guard let chosen = ExportFormat(rawValue: format.lowercased()) else {
                throw Problem.validation([.init(pointer: "/query/format", message: "Định dạng là json, csv hoặc xml.")])
            }
            return chosen
        }
        guard let accept = request.headers[.accept], !accept.isEmpty else { return .json }
        var best: (ExportFormat, Double)? = nil
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            let format: ExportFormat?
            switch parts[0] {
            case "application/json", "application/*", "*/*": format = .json
            case "text/csv", "application/csv": format = .csv
            case "application/xml", "text/xml": format = .xml
            case "text/*": format = .csv
            default: format = nil
            }
            // Ties keep the first listed.
            if let format, best == nil || quality > best!.1 {
                best = (format, quality)
            }
        }
        guard let best else {
            throw Problem(.notAcceptable, detail: "Chỉ trả được application/json, text/csv hoặc application/xml (hoặc dùng ?format=).")
        }
        return best.0
    }
}
