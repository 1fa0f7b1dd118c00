import HTTPTypes
import Hummingbird
import NIOCore

/// The one way routes are added to the platform. Each route comes with its `APIOperation` (so
/// `/openapi.json` describes every route that exists) and a body-size limit (so no route reads an
/// unbounded body). When building, every known path answers the methods it lacks with 405 and an
/// `Allow` header, and `OPTIONS` with 204 and `Allow`.
public final class APIRouter: @unchecked Sendable {
    // Mutated only while the application is being assembled, on one task; read-only once built.
    private let router: Router<AppRequestContext>
    public private(set) var routes: [Route] = []
    public private(set) var schemas: [String: JSONValue] = [:]
    public private(set) var tags: [String: String] = [:]
    public let defaultMaxBodySize: Int
    private let authorization: BearerAuthorization
    private var built = false

    public struct Route: Sendable {
        public let method: HTTPRequest.Method
        /// OpenAPI form: `/api/v1/catalogs/{key}`.
        public let path: String
        /// As the router matches it: a trailing `{name+}` (the rest of the path, one or more segments)
        /// becomes Hummingbird's `**`.
        public let routerPath: String
        public let operation: APIOperation
        public let maxBodySize: Int
        public let access: RouteAccess
    }

    /// - Parameters:
    ///   - defaultMaxBodySize: limit for routes that do not declare one (`--max-body-size`)
    ///   - middlewares: applied to every route, outermost first
    ///   - tokenVerifier: verifies access tokens for routes that require one; without it they answer 401
    public init(
        defaultMaxBodySize: Int,
        middlewares: [any MiddlewareProtocol<Request, Response, AppRequestContext>],
        tokenVerifier: (any AccessTokenVerifier)? = nil
    ) {
        self.defaultMaxBodySize = defaultMaxBodySize
        self.authorization = BearerAuthorization(verifier: tokenVerifier)
        self.router = Router(context: AppRequestContext.self, options: [.autoGenerateHeadEndpoints])
        for middleware in middlewares {
            router.add(middleware: middleware)
        }
        addSchema("Problem", Self.problemSchema)
    }

    /// Adds a route. `path` uses `{name}` for parameters, as OpenAPI does. `access` says who may call
    /// it; the token is checked before the body is read.
    public func add<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method,
        _ path: String,
        access: RouteAccess,
        maxBodySize: Int? = nil,
        _ operation: APIOperation,
        handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Output
    ) {
        precondition(!built, "routes must be added before the router is built")
        precondition(
            !routes.contains { $0.method == method && $0.path == path }, "\(method) \(path) registered twice"
        )
        precondition(
            !routes.contains { $0.operation.operationID == operation.operationID },
            "operationId \(operation.operationID) used twice"
        )
        let limit = maxBodySize ?? defaultMaxBodySize
        var documented = path
        var routerPath = path
        if let open = path.range(of: "/{", options: .backwards), path.hasSuffix("+}") {
            documented = String(path[..<open.lowerBound]) + "/{" + path[open.upperBound...].dropLast(2) + "}"
            routerPath = String(path[..<open.lowerBound]) + "/**"
        }
        routes.append(Route(method: method, path: documented, routerPath: routerPath, operation: operation, maxBodySize: limit, access: access))
        let authorization = self.authorization
        router.on(RouterPath(routerPath), method: method) { request, context in
            var request = request
            var context = context
            try await authorization.authorize(access, request: request, context: &context)
            context.maxBodySize = limit
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                throw Self.tooLarge(limit)
            }
            // Without Content-Length a body can only come chunked (RFC 9112 §6.3); plain GETs skip the wrapper.
            if request.headers[.contentLength] == nil, request.headers[.transferEncoding] != nil {
                request.body = RequestBody(asyncSequence: LimitedBody(base: request.body, limit: limit))
            }
            return try await handler(request, context).response(from: request, context: context)
        }
    }

    public func addSchema(_ name: String, _ schema: JSONValue) {
        schemas[name] = schema
    }

    public func addTag(_ name: String, description: String) {
        tags[name] = description
    }

    /// Adds the 405/OPTIONS answers and returns the responder. Call once, after every route.
    public func buildResponder() -> RouterResponder<AppRequestContext> {
        if !built {
            built = true
            addMethodFallbacks()
        }
        return router.buildResponder()
    }

    private func addMethodFallbacks() {
        let all: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        var methodsByPath: [String: Set<HTTPRequest.Method>] = [:]
        var order: [String] = []
        for route in routes {
            if methodsByPath[route.routerPath] == nil { order.append(route.routerPath) }
            methodsByPath[route.routerPath, default: []].insert(route.method)
            if route.method == .get { methodsByPath[route.routerPath]?.insert(.head) }
        }
        for path in order {
            let allowed = methodsByPath[path]!.union([.options])
            let allowHeader = all.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
            for method in all where !methodsByPath[path]!.contains(method) {
                if method == .options {
                    router.on(RouterPath(path), method: .options) { _, _ in
                        Response(status: .noContent, headers: [.allow: allowHeader])
                    }
                } else if method == .head, methodsByPath[path]!.contains(.get) {
                    continue
                } else {
                    router.on(RouterPath(path), method: method) { request, _ -> Response in
                        throw Problem(
                            .methodNotAllowed,
                            detail: "Địa chỉ này không hỗ trợ phương thức \(request.method.rawValue); dùng: \(allowHeader).",
                            headers: [.allow: allowHeader]
                        )
                    }
                }
            }
        }
    }

    static func tooLarge(_ limit: Int) -> Problem {
        Problem(
            .contentTooLarge, detail: "Nội dung yêu cầu vượt quá giới hạn \(limit) byte của địa chỉ này.",
            extensions: ["limit": String(limit)]
        )
    }

    static let problemSchema: JSONValue = [
        "type": "object",
        "description": "Lỗi theo RFC 9457 (application/problem+json).",
        "required": ["type", "title", "status"],
        "properties": [
            "type": ["type": "string", "format": "uri-reference", "description": "Mã loại lỗi ổn định, ví dụ urn:lgsp:problem:not-found"],
            "title": ["type": "string", "description": "Tiêu đề ngắn, tiếng Việt"],
            "status": ["type": "integer"],
            "detail": ["type": "string", "description": "Giải thích cho lần lỗi này, tiếng Việt"],
            "instance": ["type": "string", "description": "Mã yêu cầu (X-Request-Id)"],
            "errors": [
                "type": "array",
                "items": [
                    "type": "object",
                    "required": ["pointer", "message"],
                    "properties": [
                        "pointer": ["type": "string", "description": "JSON Pointer (RFC 6901) tới trường lỗi"],
                        "message": ["type": "string"],
                        "line": ["type": "integer", "description": "Dòng trong tệp tải lên (CSV), tính cả dòng tiêu đề"],
                        "code": ["type": "string", "description": "Mã của bản ghi có lỗi"],
                    ],
                ],
            ],
        ],
    ]
}

/// A request body that fails with 413 once more than `limit` bytes arrive (bodies without
/// `Content-Length`: chunked transfer).
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += buffer.readableBytes
            if seen > limit { throw APIRouter.tooLarge(limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit)
    }
}
