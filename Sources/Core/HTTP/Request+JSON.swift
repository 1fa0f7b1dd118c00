import Foundation
import Hummingbird

extension Request {
    /// Decodes a JSON body of at most the route's limit. A body that is not JSON is 415, one that does not
    /// parse 400, one of the wrong shape 422 pointing at the field, one too large 413.
    public func decodeJSON<T: Decodable>(as type: T.Type, context: AppRequestContext) async throws -> T {
        if let contentType = headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
                throw Problem(.unsupportedMediaType, detail: "Nội dung phải là application/json (đã nhận \(mediaType)).")
            }
        }
        let buffer = try await body.collect(upTo: context.maxBodySize)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer: buffer))
    }

    /// Like `decodeJSON`, but an empty body (optional request bodies) gives nil.
    public func decodeJSONOrEmpty<T: Decodable>(as type: T.Type, context: AppRequestContext) async throws -> T? {
        let buffer = try await body.collect(upTo: context.maxBodySize)
        if buffer.readableBytes == 0 { return nil }
        if let contentType = headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
                throw Problem(.unsupportedMediaType, detail: "Nội dung phải là application/json (đã nhận \(mediaType)).")
            }
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer: buffer))
    }
}
