import Hummingbird

/// Answers every error with `application/problem+json` (RFC 9457), `instance` = the request id.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ProblemMapping.problem(for: error, logger: context.logger).response(requestID: context.requestID)
        }
    }
}
