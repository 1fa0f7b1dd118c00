import Core
import Hummingbird

/// Routes that exist only in tests, to drive the platform's request handling end to end.
struct EchoModule: PlatformModule {
    let name = "echo"
    let tablePrefix = "echo_"
    var database: Database? = nil

    init() {}
    init(services: PlatformServices) { self.database = services.database }

    struct Greeting: Codable, ResponseEncodable {
        let name: String
        let age: Int?
        let tags: [String]?
    }

    func registerRoutes(on api: APIRouter) {
        api.add(.post, "/test/echo", access: .anonymous, maxBodySize: 1024, APIOperation(
            "testEcho", summary: "Trả lại nội dung đã gửi", tags: ["test"],
            requestBody: APIBody("Lời chào", schema: ["type": "object"]),
            responses: [APIResponse(200, "Nội dung đã gửi", schema: ["type": "object"])]
        )) { request, context in
            try await request.decodeJSON(as: Greeting.self, context: context)
        }
        api.add(.get, "/test/slow", access: .anonymous, APIOperation(
            "testSlow", summary: "Trả lời sau 1,5 giây", tags: ["test"], responses: [APIResponse(200, "Xong")]
        )) { _, _ in
            try await Task.sleep(for: .milliseconds(1500))
            return "done"
        }
        api.add(.get, "/test/boom", access: .anonymous, APIOperation(
            "testBoom", summary: "Lỗi bất ngờ", tags: ["test"], responses: [APIResponse(200, "Không bao giờ")]
        )) { _, _ -> String in
            throw SecretLeakingError()
        }
        let database = self.database
        api.add(.get, "/test/db", access: .anonymous, APIOperation(
            "testDatabase", summary: "Một truy vấn cơ sở dữ liệu", tags: ["test"], responses: [APIResponse(200, "Trả lời của cơ sở dữ liệu")]
        )) { _, _ -> String in
            guard let database else { return "no database" }
            try await database.ping()
            return "ok"
        }
        api.add(.get, "/test/items/{id}", access: .anonymous, APIOperation(
            "testItem", summary: "Một mục", tags: ["test"], responses: [APIResponse(200, "Mục")]
        )) { _, context in
            context.parameters.get("id") ?? ""
        }
        api.add(.delete, "/test/items/{id}", access: .anonymous, APIOperation(
            "testDeleteItem", summary: "Xóa một mục", tags: ["test"], responses: [APIResponse(204, "Đã xóa")]
        )) { _, _ in
            HTTPResponse.Status.noContent
        }
    }
}

struct SecretLeakingError: Error, CustomStringConvertible {
    var description: String { "SELECT password FROM sso_users WHERE stacktrace = '/home/build/Sources/App.swift:42'" }
}
