import Core
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/sso/…`: accounts, clients and keys, for holders of the `sso.admin` scope; and a person's own
/// password change.
struct AdminController: Sendable {
    let accounts: AccountService
    let clients: ClientService
    let keys: SigningKeys

    struct Page<Item: Encodable & Sendable>: ResponseEncodable {
        let items: [Item]
        let next: String?
    }

    struct SecretAnswer: ResponseEncodable {
        let secret: String
        let otpauthUri: String
    }

    struct PasswordChange: Decodable {
        let password: String
    }

    struct OwnPasswordChange: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    func register(on api: APIRouter) {
        let admin = RouteAccess.scope(Scopes.ssoAdmin)
        let tags = ["sso-admin"]
        api.addTag("sso-admin", description: "Quản trị tài khoản, ứng dụng và khóa của SSO (phạm vi sso.admin)")
        api.addSchema("Account", Self.accountSchema)
        api.addSchema("Client", Self.clientSchema)
        let id = APIParameter("id", in: .path, description: "Mã")
        let paging = [
            APIParameter("limit", in: .query, description: "Số mục tối đa (1–500, mặc định 100)", schema: ["type": "integer", "minimum": 1, "maximum": 500]),
            APIParameter("after", in: .query, description: "Tiếp sau mục có mã này (giá trị next của trang trước)"),
        ]

        api.add(.get, "/api/v1/sso/users", access: admin, maxBodySize: 0, APIOperation(
            "listUsers", summary: "Danh sách tài khoản", tags: tags,
            parameters: paging + [
                APIParameter("kind", in: .query, description: "citizen hoặc official"),
                APIParameter("q", in: .query, description: "Tìm theo tên đăng nhập hoặc họ tên"),
            ],
            responses: [APIResponse(200, "Một trang tài khoản", schema: Self.page("Account"))]
        )) { request, _ in
            let query = request.queryFields
            let limit = try Self.limit(query)
            let kind = try query["kind"].map { text -> Account.Kind in
                guard let kind = Account.Kind(rawValue: text) else {
                    throw Problem.validation([.init(pointer: "/query/kind", message: "kind phải là citizen hoặc official.")])
                }
                return kind
            }
            let items = try await accounts.list(kind: kind, query: query["q"], after: query["after"], limit: limit + 1)
            return Page(items: Array(items.prefix(limit)), next: items.count > limit ? items[limit - 1].id : nil)
        }
        api.add(.post, "/api/v1/sso/users", access: admin, maxBodySize: 16 << 10, APIOperation(
            "createUser", summary: "Tạo tài khoản (mật khẩu theo quy định tại Phụ lục 01, mục 2.2b)", tags: tags,
            requestBody: APIBody("Tài khoản mới", schema: Self.newAccountSchema),
            responses: [APIResponse(201, "Đã tạo", schema: .ref("Account")), .problem(409, "Tài khoản đã tồn tại"), .problem(422, "Dữ liệu không hợp lệ")]
        )) { request, context in
            let input = try await request.decodeJSON(as: AccountService.NewAccount.self, context: context)
            return try Self.created(try await accounts.create(input, by: AdminActor(context)), request: request, context: context)
        }
        api.add(.get, "/api/v1/sso/users/{id}", access: admin, maxBodySize: 0, APIOperation(
            "getUser", summary: "Một tài khoản", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Tài khoản", schema: .ref("Account")), .problem(404, "Không có")]
        )) { _, context in
            try await accounts.find(try context.parameters.require("id"))
        }
        api.add(.patch, "/api/v1/sso/users/{id}", access: admin, maxBodySize: 16 << 10, APIOperation(
            "updateUser", summary: "Sửa, vô hiệu hóa hoặc kích hoạt lại tài khoản", tags: tags, parameters: [id],
            requestBody: APIBody("Các trường cần sửa", schema: ["type": "object"]),
            responses: [APIResponse(200, "Tài khoản sau khi sửa", schema: .ref("Account")), .problem(404, "Không có"), .problem(422, "Dữ liệu không hợp lệ")]
        )) { request, context in
            let changes = try await request.decodeJSON(as: AccountService.AccountChanges.self, context: context)
            return try await accounts.update(try context.parameters.require("id"), changes, by: AdminActor(context))
        }
        api.add(.put, "/api/v1/sso/users/{id}/password", access: admin, maxBodySize: 4 << 10, APIOperation(
            "resetUserPassword", summary: "Đặt lại mật khẩu (kết thúc mọi phiên đăng nhập của tài khoản)", tags: tags, parameters: [id],
            requestBody: APIBody("Mật khẩu mới", schema: ["type": "object", "required": ["password"], "properties": ["password": ["type": "string"]]]),
            responses: [APIResponse(204, "Đã đặt", contentType: nil), .problem(422, "Mật khẩu không đạt quy định")]
        )) { request, context in
            let change = try await request.decodeJSON(as: PasswordChange.self, context: context)
            try await accounts.setPassword(try context.parameters.require("id"), password: change.password, currentPassword: nil, by: AdminActor(context))
            return HTTPResponse.Status.noContent
        }
        api.add(.post, "/api/v1/sso/users/{id}/totp", access: admin, maxBodySize: 0, APIOperation(
            "enrollUserTOTP", summary: "Đăng ký xác thực hai lớp (TOTP) mới cho tài khoản", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Bí mật TOTP (chỉ hiện một lần)", schema: ["type": "object", "required": ["secret", "otpauthUri"]])]
        )) { request, context in
            let (secret, uri) = try await accounts.enrollTOTP(try context.parameters.require("id"), by: AdminActor(context))
            return try Self.noStore(SecretAnswer(secret: secret, otpauthUri: uri), request: request, context: context)
        }
        api.add(.delete, "/api/v1/sso/users/{id}/totp", access: admin, maxBodySize: 0, APIOperation(
            "removeUserTOTP", summary: "Gỡ xác thực hai lớp của tài khoản", tags: tags, parameters: [id],
            responses: [APIResponse(204, "Đã gỡ", contentType: nil)]
        )) { _, context in
            try await accounts.removeTOTP(try context.parameters.require("id"), by: AdminActor(context))
            return HTTPResponse.Status.noContent
        }
        api.add(.put, "/api/v1/sso/me/password", access: .authenticated, maxBodySize: 4 << 10, APIOperation(
            "changeOwnPassword", summary: "Người dùng tự đổi mật khẩu", tags: ["sso"],
            requestBody: APIBody("Mật khẩu hiện tại và mới", schema: [
                "type": "object", "required": ["currentPassword", "newPassword"],
                "properties": ["currentPassword": ["type": "string"], "newPassword": ["type": "string"]],
            ]),
            responses: [APIResponse(204, "Đã đổi", contentType: nil), .problem(422, "Mật khẩu hiện tại sai hoặc mật khẩu mới không đạt quy định")]
        )) { request, context in
            guard let principal = context.principal, principal.kind == .user else {
                throw Problem(.forbidden, detail: "Chỉ người dùng mới đổi được mật khẩu của mình.")
            }
            let change = try await request.decodeJSON(as: OwnPasswordChange.self, context: context)
            try await accounts.setPassword(
                principal.subject, password: change.newPassword, currentPassword: change.currentPassword, keepingSession: principal.sessionID,
                by: AdminActor(context)
            )
            return HTTPResponse.Status.noContent
        }

        api.add(.get, "/api/v1/sso/clients", access: admin, maxBodySize: 0, APIOperation(
            "listClients", summary: "Danh sách ứng dụng (client)", tags: tags, parameters: paging,
            responses: [APIResponse(200, "Một trang client", schema: Self.page("Client"))]
        )) { request, _ in
            let query = request.queryFields
            let limit = try Self.limit(query)
            let items = try await clients.list(after: query["after"], limit: limit + 1)
            return Page(items: Array(items.prefix(limit)), next: items.count > limit ? items[limit - 1].id : nil)
        }
        api.add(.post, "/api/v1/sso/clients", access: admin, maxBodySize: 64 << 10, APIOperation(
            "createClient", summary: "Đăng ký ứng dụng (client); secret chỉ hiện trong câu trả lời này", tags: tags,
            requestBody: APIBody("Client mới", schema: ["type": "object", "required": ["name", "type"]]),
            responses: [
                APIResponse(201, "Đã tạo", schema: ["type": "object", "required": ["client"], "properties": ["client": .ref("Client"), "clientSecret": ["type": "string"]]]),
                .problem(409, "Mã client đã tồn tại"), .problem(422, "Dữ liệu không hợp lệ"),
            ]
        )) { request, context in
            let input = try await request.decodeJSON(as: ClientService.NewClient.self, context: context)
            return try Self.created(try await clients.create(input, by: AdminActor(context)), request: request, context: context)
        }
        api.add(.get, "/api/v1/sso/clients/{id}", access: admin, maxBodySize: 0, APIOperation(
            "getClient", summary: "Một client", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Client", schema: .ref("Client")), .problem(404, "Không có")]
        )) { _, context in
            try await clients.find(try context.parameters.require("id"))
        }
        api.add(.patch, "/api/v1/sso/clients/{id}", access: admin, maxBodySize: 64 << 10, APIOperation(
            "updateClient", summary: "Sửa hoặc vô hiệu hóa client", tags: tags, parameters: [id],
            requestBody: APIBody("Các trường cần sửa", schema: ["type": "object"]),
            responses: [APIResponse(200, "Client sau khi sửa", schema: .ref("Client")), .problem(404, "Không có"), .problem(422, "Dữ liệu không hợp lệ")]
        )) { request, context in
            let changes = try await request.decodeJSON(as: ClientService.ClientChanges.self, context: context)
            return try await clients.update(try context.parameters.require("id"), changes, by: AdminActor(context))
        }
        api.add(.post, "/api/v1/sso/clients/{id}/secret", access: admin, maxBodySize: 0, APIOperation(
            "rotateClientSecret", summary: "Cấp secret mới cho client (secret cũ hết hiệu lực ngay)", tags: tags, parameters: [id],
            responses: [APIResponse(200, "Secret mới (chỉ hiện một lần)", schema: ["type": "object"])]
        )) { request, context in
            try Self.noStore(try await clients.rotateSecret(try context.parameters.require("id"), by: AdminActor(context)), request: request, context: context)
        }

        api.add(.get, "/api/v1/sso/keys", access: admin, maxBodySize: 0, APIOperation(
            "listSigningKeys", summary: "Các khóa ký token", tags: tags,
            responses: [APIResponse(200, "Khóa (không có phần bí mật)", schema: ["type": "array", "items": ["type": "object"]])]
        )) { _, _ in
            KeyList(keys: try await keys.list())
        }
        api.add(.post, "/api/v1/sso/keys/rotate", access: admin, maxBodySize: 0, APIOperation(
            "rotateSigningKey", summary: "Tạo khóa ký mới; khóa cũ vẫn công bố đến khi token nó ký hết hạn", tags: tags,
            responses: [APIResponse(200, "Khóa mới", schema: ["type": "object"])]
        )) { _, context in
            let key = try await keys.rotate()
            try await accounts.provider.audit.record(AdminActor(context).event("sso.key.rotated", type: "signing_key", id: key.kid))
            return KeyAnswer(key: key)
        }
    }

    struct KeyList: ResponseEncodable {
        let keys: [SigningKeys.KeyInfo]
    }

    struct KeyAnswer: ResponseEncodable {
        let key: SigningKeys.KeyInfo
    }

    static func limit(_ query: FormFields) throws -> Int {
        guard let text = query["limit"] else { return 100 }
        guard let value = Int(text), (1...500).contains(value) else {
            throw Problem.validation([.init(pointer: "/query/limit", message: "limit phải từ 1 đến 500.")])
        }
        return value
    }

    static func noStore(_ value: some Encodable, request: Request, context: AppRequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(value, from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func created(_ value: some Encodable, request: Request, context: AppRequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(value, from: request, context: context)
        response.status = .created
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func page(_ item: String) -> JSONValue {
        ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref(item)], "next": ["type": ["string", "null"]]]]
    }

    static let accountSchema: JSONValue = [
        "type": "object",
        "required": ["id", "kind", "username", "name", "roles", "disabled"],
        "properties": [
            "id": ["type": "string"], "kind": ["type": "string", "enum": ["citizen", "official"]], "username": ["type": "string"],
            "personalId": ["type": "string"], "taxCode": ["type": "string"], "name": ["type": "string"], "email": ["type": "string"],
            "agencyCode": ["type": "string"], "roles": ["type": "array", "items": ["type": "string"]], "totpRequired": ["type": "boolean"],
            "hasTotp": ["type": "boolean"], "disabled": ["type": "boolean"], "createdAt": ["type": "string", "format": "date-time"],
            "updatedAt": ["type": "string", "format": "date-time"], "passwordChangedAt": ["type": "string", "format": "date-time"],
        ],
    ]

    static let newAccountSchema: JSONValue = [
        "type": "object",
        "required": ["kind", "name", "password"],
        "properties": [
            "kind": ["type": "string", "enum": ["citizen", "official"]], "username": ["type": "string"], "personalId": ["type": "string"],
            "taxCode": ["type": "string"], "name": ["type": "string"], "email": ["type": "string"], "agencyCode": ["type": "string"],
            "roles": ["type": "array", "items": ["type": "string"]], "password": ["type": "string"], "totpRequired": ["type": "boolean"],
        ],
    ]

    static let clientSchema: JSONValue = [
        "type": "object",
        "required": ["clientId", "name", "type", "tokenEndpointAuthMethod", "grantTypes", "scopes", "disabled"],
        "properties": [
            "clientId": ["type": "string"], "name": ["type": "string"], "type": ["type": "string", "enum": ["public", "confidential"]],
            "tokenEndpointAuthMethod": ["type": "string", "enum": ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"]],
            "redirectUris": ["type": "array", "items": ["type": "string"]], "postLogoutRedirectUris": ["type": "array", "items": ["type": "string"]],
            "grantTypes": ["type": "array", "items": ["type": "string", "enum": ["authorization_code", "refresh_token", "client_credentials"]]],
            "scopes": ["type": "array", "items": ["type": "string"]], "agencyCode": ["type": "string"], "jwks": ["type": "object"],
            "disabled": ["type": "boolean"],
        ],
    ]
}

extension Account: ResponseEncodable {}
extension Client: ResponseEncodable {}
extension ClientService.Created: ResponseEncodable {}
