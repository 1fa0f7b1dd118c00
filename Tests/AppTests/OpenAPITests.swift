import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import App

@Suite struct OpenAPITests {
    @Test func theDocumentIsOpenAPI31() async throws {
        try await TestPlatform.withClient { client, _ in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            let document = try #require(response.json)
            #expect(document["openapi"] == "3.1.0")
            #expect(document["info"]?["version"]?.stringValue == LGSPVersion.current)
            #expect(document["components"]?["schemas"]?["Problem"] != nil)
            let paths = try #require(document["paths"]?.objectValue)
            for path in ["/health", "/health/services", "/metrics", "/openapi.json"] {
                #expect(paths[path]?["get"] != nil, "\(path) is missing")
            }
        }
    }

    /// Every route that exists in the router is in the document, and every operation in the document
    /// exists. The router's table is read from Hummingbird itself, independently of `APIRouter`.
    @Test func everyRegisteredRouteIsDescribed() async throws {
        try await TestPlatform.with(extraModules: { _ in [EchoModule()] }) { platform in
            let api = PlatformRouter.build(platform)
            let responder = api.buildResponder()
            let routed = HummingbirdRouteInventory.routes(of: responder)
            #expect(!routed.isEmpty, "could not read Hummingbird's route table")
            // The table is Hummingbird's own: it holds the 405/OPTIONS answers APIRouter adds too.
            #expect(routed["/test/items/{id}"] == ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])

            let document = OpenAPIRoutes.document(for: api)
            let paths = try #require(document["paths"]?.objectValue)
            // Hummingbird's `**` (the rest of the path) is documented as a last `{name}` parameter.
            let documentedAs = Dictionary(api.routes.map { ($0.routerPath, $0.path) }, uniquingKeysWith: { first, _ in first })
            let inventory = Dictionary(routed.map { path, methods in (path.hasSuffix("/**") ? documentedAs[path] ?? path : path, methods) }, uniquingKeysWith: { $0.union($1) })
            for (path, _) in inventory {
                #expect(paths[path] != nil, "route \(path) exists but /openapi.json does not describe it")
            }
            var operationIDs = Set<String>()
            for (path, item) in paths {
                let methods = try #require(item.objectValue)
                for (method, operation) in methods {
                    let upper = method.uppercased()
                    #expect(inventory[path]?.contains(upper) == true, "\(upper) \(path) is described but not routed")
                    let id = try #require(operation["operationId"]?.stringValue)
                    #expect(operationIDs.insert(id).inserted, "operationId \(id) used twice")
                    #expect(operation["summary"]?.stringValue?.isEmpty == false)
                    #expect(operation["responses"]?["default"] != nil)
                    // Every {parameter} of the path is declared.
                    let declared = Set(operation["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
                    for name in OpenAPIDocument.pathParameters(path) {
                        #expect(declared.contains(name), "\(path) does not declare \(name)")
                    }
                }
            }
            #expect(Set(api.routes.map { "\($0.method.rawValue) \($0.path)" }).count == api.routes.count)
        }
    }
}

/// Reads the (path → methods) table out of a built Hummingbird router by reflection: independent of
/// how routes were added, so a route added around `APIRouter` would show up here and fail the test.
enum HummingbirdRouteInventory {
    static func routes(of responder: Any) -> [String: Set<String>] {
        guard let trie = child(responder, "trie"), let values = child(trie, "values") else { return [:] }
        var routes: [String: Set<String>] = [:]
        for value in Mirror(reflecting: values).children {
            // Optional<EndpointResponders>
            guard let endpoint = Mirror(reflecting: value.value).children.first?.value,
                let path = child(endpoint, "path"), let methods = child(endpoint, "methods")
            else { continue }
            let names = Mirror(reflecting: methods).children.compactMap { pair -> String? in
                guard let key = Mirror(reflecting: pair.value).children.first?.value as? HTTPRequest.Method else { return nil }
                return key.rawValue
            }
            routes["\(path)", default: []].formUnion(names)
        }
        return routes
    }

    static func child(_ value: Any, _ label: String) -> Any? {
        Mirror(reflecting: value).children.first { $0.label == label }?.value
    }
}
