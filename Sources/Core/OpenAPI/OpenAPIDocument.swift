/// Builds the OpenAPI 3.1 document for every route registered on an `APIRouter`.
public enum OpenAPIDocument {
    public static func make(from api: APIRouter, title: String, version: String, description: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for route in api.routes {
            var item = paths[route.path]?.objectValue ?? [:]
            item[route.method.rawValue.lowercased()] = operation(route)
            paths[route.path] = .object(item)
        }
        let usedTags = Set(api.routes.flatMap(\.operation.tags))
        let tags: [JSONValue] = usedTags.sorted().map { name in
            var tag: [String: JSONValue] = ["name": .string(name)]
            if let description = api.tags[name] { tag["description"] = .string(description) }
            return .object(tag)
        }
        return [
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": [
                "title": .string(title),
                "version": .string(version),
                "description": .string(description),
                "license": ["name": "Apache-2.0", "identifier": "Apache-2.0"],
            ],
            "servers": [["url": "/"]],
            "tags": .array(tags),
            "paths": .object(paths),
            "components": [
                "schemas": .object(api.schemas),
                "securitySchemes": [
                    "lgsp": [
                        "type": "openIdConnect",
                        "openIdConnectUrl": "/.well-known/openid-configuration",
                        "description": "Access token (JWT, ES256) do SSO của nền tảng cấp, gửi trong Authorization: Bearer",
                    ],
                ],
            ],
        ]
    }

    static func operation(_ route: APIRouter.Route) -> JSONValue {
        let op = route.operation
        var object: [String: JSONValue] = [
            "operationId": .string(op.operationID),
            "summary": .string(op.summary),
            "tags": .array(op.tags.map(JSONValue.string)),
        ]
        if let description = op.description { object["description"] = .string(description) }
        switch route.access {
        case .anonymous:
            object["security"] = []
        case .optionalToken(let scopes):
            // Anonymous, or a token (with these scopes for what is not public).
            object["security"] = [[:], ["lgsp": .array(scopes.sorted().map(JSONValue.string))]]
        case .authenticated:
            object["security"] = [["lgsp": []]]
        case .scopes(let scopes):
            object["security"] = [["lgsp": .array(scopes.sorted().map(JSONValue.string))]]
        }

        var parameters = op.parameters
        for name in pathParameters(route.path) where !parameters.contains(where: { $0.name == name && $0.location == .path }) {
            parameters.append(APIParameter(name, in: .path, description: name))
        }
        if !parameters.isEmpty {
            object["parameters"] = .array(parameters.map { parameter in
                [
                    "name": .string(parameter.name),
                    "in": .string(parameter.location.rawValue),
                    "description": .string(parameter.description),
                    "required": .bool(parameter.required),
                    "schema": parameter.schema,
                ]
            })
        }
        if let body = op.requestBody {
            object["requestBody"] = [
                "description": .string(body.description),
                "required": .bool(body.required),
                "content": .object([body.contentType: ["schema": body.schema]]),
            ]
        }
        var responses: [String: JSONValue] = [:]
        for response in op.responses {
            var entry: [String: JSONValue] = ["description": .string(response.description)]
            if let contentType = response.contentType {
                entry["content"] = .object([contentType: response.schema.map { ["schema": $0] } ?? [:]])
            }
            var headers: [String: JSONValue] = ["X-Request-Id": requestIDHeader]
            for (name, description) in response.headers {
                headers[name] = ["description": .string(description), "schema": ["type": "string"]]
            }
            entry["headers"] = .object(headers)
            responses[String(response.status)] = .object(entry)
        }
        responses["default"] = [
            "description": "Lỗi (RFC 9457)",
            "headers": ["X-Request-Id": requestIDHeader],
            "content": ["application/problem+json": ["schema": .ref("Problem")]],
        ]
        object["responses"] = .object(responses)
        return .object(object)
    }

    static let requestIDHeader: JSONValue = [
        "description": "Mã yêu cầu: lấy từ X-Request-Id hợp lệ của yêu cầu, hoặc được sinh mới",
        "schema": ["type": "string"],
    ]

    /// `{name}` segments of an OpenAPI path.
    public static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return nil }
            return String(segment.dropFirst().dropLast())
        }
    }
}
