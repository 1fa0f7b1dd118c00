import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id: a valid incoming `X-Request-Id` is kept (so a caller's id follows the call
/// through the platform), anything else is replaced by a new one. The id is in every log line of the
/// request and in the `X-Request-Id` response header.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let header = HTTPField.Name("X-Request-Id")!

    public init() {}

    public func handle(
        _ request: Request, context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = request.headers[Self.header].flatMap { Self.isValid($0) ? $0 : nil } ?? Self.generate()
        context.requestID = id
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(id)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemMapping.problem(for: error, logger: context.logger).response(requestID: id)
        }
        response.headers[Self.header] = id
        return response
    }

    /// 1 to 128 characters of `A-Z a-z 0-9 . _ : -`: safe to log and to echo in a header.
    public static func isValid(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
                UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    public static func generate() -> String {
        UUID().uuidString.lowercased()
    }
}
