import Foundation
import HTTPTypes
import Hummingbird

/// An error a route throws to answer with `application/problem+json` (RFC 9457).
public struct Problem: Error, Sendable, CustomStringConvertible {
    public var type: ProblemType
    /// Vietnamese, for people; specific to this occurrence.
    public var detail: String?
    /// Validation errors: where (JSON Pointer into the request body, or `/query/name`, `/path/name`,
    /// `/header/name`) and what.
    public var errors: [FieldError]
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`…).
    public var headers: HTTPFields
    /// Extension members (RFC 9457 §3.2), e.g. `limit` for 413.
    public var extensions: [String: String]

    public init(
        _ type: ProblemType, detail: String? = nil, errors: [FieldError] = [], headers: HTTPFields = [:],
        extensions: [String: String] = [:]
    ) {
        self.type = type
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extensions = extensions
    }

    public struct FieldError: Sendable, Codable, Equatable {
        public let pointer: String
        public let message: String
        /// For uploaded files (CSV): the 1-based line the error is on (the header is line 1).
        public let line: Int?
        /// The record's own key when it has one (a concept's code), so people find it without counting.
        public let code: String?

        public init(pointer: String, message: String, line: Int? = nil, code: String? = nil) {
            self.pointer = pointer
            self.message = message
            self.line = line
            self.code = code
        }
    }

    public var description: String { "Problem(\(type.slug): \(detail ?? type.title))" }

    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, detail: detail) }
    public static func validation(_ errors: [FieldError], detail: String? = nil) -> Problem {
        Problem(.validation, detail: detail ?? "Có \(errors.count) lỗi trong dữ liệu gửi lên.", errors: errors)
    }

    /// The problem+json document.
    public struct Document: Codable, Sendable, Equatable {
        public let type: String
        public let title: String
        public let status: Int
        public let detail: String?
        public let instance: String?
        public let errors: [FieldError]?
    }

    func response(requestID: String) -> Response {
        var object: [String: Any] = [
            "type": type.uri,
            "title": type.title,
            "status": Int(type.status.code),
        ]
        if let detail { object["detail"] = detail }
        if !requestID.isEmpty { object["instance"] = requestID }
        if !errors.isEmpty {
            object["errors"] = errors.map { error -> [String: Any] in
                var item: [String: Any] = ["pointer": error.pointer, "message": error.message]
                if let line = error.line { item["line"] = line }
                if let code = error.code { item["code"] = code }
                return item
            }
        }
        for (key, value) in extensions where object[key] == nil {
            object[key] = value
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/problem+json; charset=utf-8"
        fields[.contentLength] = String(data.count)
        fields[.cacheControl] = "no-store"
        return Response(status: type.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
