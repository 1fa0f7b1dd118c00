/// What `/openapi.json` says about one route. Every route is registered with one (`APIRouter.add`), so
/// the document cannot miss a route.
public struct APIOperation: Sendable {
    public var operationID: String
    /// Vietnamese, one line.
    public var summary: String
    public var description: String?
    public var tags: [String]
    public var parameters: [APIParameter]
    public var requestBody: APIBody?
    /// Success and expected error responses. Every operation also documents the problem+json `default`.
    public var responses: [APIResponse]

    public init(
        _ operationID: String,
        summary: String,
        description: String? = nil,
        tags: [String],
        parameters: [APIParameter] = [],
        requestBody: APIBody? = nil,
        responses: [APIResponse]
    ) {
        self.operationID = operationID
        self.summary = summary
        self.description = description
        self.tags = tags
        self.parameters = parameters
        self.requestBody = requestBody
        self.responses = responses
    }
}

public struct APIParameter: Sendable {
    public enum Location: String, Sendable {
        case path, query, header
    }

    public var name: String
    public var location: Location
    public var description: String
    public var required: Bool
    public var schema: JSONValue

    public init(_ name: String, in location: Location, description: String, required: Bool = false, schema: JSONValue = ["type": "string"]) {
        self.name = name
        self.location = location
        self.description = description
        self.required = location == .path ? true : required
        self.schema = schema
    }
}

public struct APIBody: Sendable {
    public var description: String
    public var contentType: String
    public var schema: JSONValue
    public var required: Bool

    public init(_ description: String, contentType: String = "application/json", schema: JSONValue, required: Bool = true) {
        self.description = description
        self.contentType = contentType
        self.schema = schema
        self.required = required
    }
}

public struct APIResponse: Sendable {
    public var status: Int
    public var description: String
    public var contentType: String?
    public var schema: JSONValue?
    public var headers: [String: String]

    public init(_ status: Int, _ description: String, contentType: String? = "application/json", schema: JSONValue? = nil, headers: [String: String] = [:]) {
        self.status = status
        self.description = description
        self.contentType = schema == nil && contentType == "application/json" ? nil : contentType
        self.schema = schema
        self.headers = headers
    }

    /// A problem+json error response.
    public static func problem(_ status: Int, _ description: String) -> APIResponse {
        APIResponse(status, description, contentType: "application/problem+json", schema: .ref("Problem"))
    }
}

extension JSONValue {
    /// `{"$ref": "#/components/schemas/<name>"}`
    public static func ref(_ name: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }
}
