import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A stand-in for the national data dictionary (danh mục dùng chung quốc gia): catalogs with versions,
/// their concepts page by page, ETags and 304s, built from the same seed files as the platform's own
/// catalogs. Tests (and `POST …/sim/…`) change a catalog to publish a new version, or inject faults.
public final class NationalDictionary: Sendable {
    public static let basePath = "/dictionary/v1"

    /// One catalog as the dictionary holds it: the description as JSON, its concepts as JSON objects.
    struct Entry: Sendable {
        var description: [String: JSONValue]
        var concepts: [JSONValue]
        var mappings: JSONValue?
        var version: Int
        var etag: String
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var faults = DictionaryFaults()
        var pageRequests = 0
    }

    private let state: NIOLockedValueBox<State>
    public let pageSize: Int
    let logger: Logger

    /// Loads `<directory>/index.json` and the seed files it lists (the platform's `seed-data/catalogs`).
    public init(directory: String, pageSize: Int = 500, logger: Logger = Logger(label: "lgsp.sim.dictionary")) throws {
        self.pageSize = pageSize
        self.logger = logger
        struct Index: Decodable { let catalogs: [String] }
        let index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("index.json"))))
        var state = State()
        for file in index.catalogs {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(file))))
            guard case .object(var object) = value, case .string(let key)? = object["key"], case .array(let concepts)? = object["concepts"] else {
                throw DictionaryError(description: "\(file): không đúng định dạng tệp danh mục")
            }
            let mappings = object["mappings"]
            object["concepts"] = nil
            object["mappings"] = nil
            var entry = Entry(description: object, concepts: concepts, mappings: mappings, version: 1, etag: "")
            entry.etag = Self.etag(entry)
            state.entries[key] = entry
            state.order.append(key)
        }
        self.state = NIOLockedValueBox(state)
    }

    struct DictionaryError: Error, CustomStringConvertible {
        let description: String
    }

    public var faults: DictionaryFaults {
        get { state.withLockedValue { $0.faults } }
        set { state.withLockedValue { $0.faults = newValue } }
    }

    /// Concept pages served so far (tests check that a 304 read no pages).
    public var pageRequests: Int { state.withLockedValue { $0.pageRequests } }

    public func version(of key: String) -> Int? {
        state.withLockedValue { $0.entries[key]?.version }
    }

    /// Publishes a new version of `key` whose concepts are `change` applied to the current ones.
    public func update(_ key: String, label: String? = nil, _ change: (inout [JSONValue]) -> Void) {
        state.withLockedValue { state in
            guard var entry = state.entries[key] else { return }
            change(&entry.concepts)
            entry.version += 1
            if let label, case .object(var version)? = entry.description["version"] {
                version["label"] = .string(label)
                entry.description["version"] = .object(version)
            }
            entry.etag = Self.etag(entry)
            state.entries[key] = entry
        }
    }

    static func etag(_ entry: Entry) -> String {
        let data = (try? JSONValue.array(entry.concepts).encoded()) ?? Data()
        let digest = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
        return "\"v\(entry.version)-\(digest)\""
    }

    // MARK: Routes

    public func addRoutes(to router: Router<BasicRequestContext>) {
        let base = Self.basePath
        router.get("\(base)/catalogs") { _, _ in try await self.list() }
        router.get("\(base)/catalogs/:key") { request, context in try await self.catalog(request, key: try context.parameters.require("key")) }
        router.get("\(base)/catalogs/:key/concepts") { request, context in try await self.page(request, key: try context.parameters.require("key")) }
        router.post("\(base)/sim/faults") { request, _ in
            let buffer = try await request.body.collect(upTo: 64 << 10)
            self.faults = try JSONDecoder().decode(DictionaryFaults.self, from: Data(buffer: buffer))
            return HTTPResponse.Status.noContent
        }
        // Replaces a catalog's concepts (a JSON array) and publishes that as a new version.
        router.put("\(base)/sim/catalogs/:key/concepts") { request, context in
            let key = try context.parameters.require("key")
            let buffer = try await request.body.collect(upTo: 32 << 20)
            guard case .array(let concepts) = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
                return Self.json(["error": "cần một mảng khái niệm"], status: .badRequest)
            }
            guard self.version(of: key) != nil else { return Self.json(["error": "không có danh mục"], status: .notFound) }
            self.update(key) { $0 = concepts }
            return Self.json(["version": .integer(Int64(self.version(of: key) ?? 0))])
        }
    }

    private func prelude() async throws -> Response? {
        let faults = self.faults
        if faults.delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(faults.delayMilliseconds)) }
        if faults.unavailable { return Self.json(["error": "Hệ thống đang bảo trì"], status: .serviceUnavailable) }
        return nil
    }

    func list() async throws -> Response {
        if let failure = try await prelude() { return failure }
        let items: [JSONValue] = state.withLockedValue { state in
            state.order.compactMap { key in
                state.entries[key].map { entry in
                    .object(["key": .string(key), "name": entry.description["name"] ?? .null, "version": .string(String(entry.version)), "etag": .string(entry.etag)])
                }
            }
        }
        return Self.json(["catalogs": .array(items)])
    }

    func catalog(_ request: Request, key: String) async throws -> Response {
        if let failure = try await prelude() { return failure }
        let (entry, faults) = state.withLockedValue { ($0.entries[key], $0.faults) }
        guard let entry else { return Self.json(["error": "không có danh mục"], status: .notFound) }
        if request.headers[.ifNoneMatch] == entry.etag {
            return Response(status: .notModified, headers: [.eTag: entry.etag])
        }
        let seedVersion: [String: JSONValue] = if case .object(let version)? = entry.description["version"] { version } else { [:] }
        var document: [String: JSONValue] = [
            "key": .string(key),
            "version": .string(String(entry.version)),
            "conceptCount": .integer(Int64(entry.concepts.count + (faults.wrongCount ? 1 : 0))),
            "pageCount": .integer(Int64((entry.concepts.count + pageSize - 1) / pageSize)),
        ]
        for field in ["name", "nameEn", "description", "ownerAgency"] { document[field] = entry.description[field] }
        if case .object(let source)? = entry.description["source"] { document["legalBasis"] = source["legalBasis"] }
        document["label"] = seedVersion["label"]
        document["effectiveFrom"] = seedVersion["effectiveFrom"]
        document["effectiveTo"] = seedVersion["effectiveTo"]
        if let mappings = entry.mappings { document["mappings"] = mappings }
        var response = Self.json(.object(document.filter { $0.value != .null }))
        response.headers[.eTag] = entry.etag
        return response
    }

    func page(_ request: Request, key: String) async throws -> Response {
        if let failure = try await prelude() { return failure }
        let (entry, faults) = state.withLockedValue { state -> (Entry?, DictionaryFaults) in
            state.pageRequests += 1
            return (state.entries[key], state.faults)
        }
        guard let entry else { return Self.json(["error": "không có danh mục"], status: .notFound) }
        guard let page = Int(request.uri.queryParameters["page"].map(String.init) ?? "1"), page >= 1 else {
            return Self.json(["error": "page không hợp lệ"], status: .badRequest)
        }
        if faults.failPage == page { return Self.json(["error": .string("Lỗi mô phỏng ở trang \(page)")], status: .internalServerError) }
        let pageCount = (entry.concepts.count + pageSize - 1) / pageSize
        let slice = entry.concepts.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let version = faults.changeVersionAtPage.map { page >= $0 } == true ? entry.version + 1 : entry.version
        var response = Self.json([
            "version": .string(String(version)), "page": .integer(Int64(page)), "pageCount": .integer(Int64(pageCount)),
            "concepts": .array(Array(slice)),
        ])
        response.headers[.eTag] = entry.etag
        return response
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: (try? value.encoded()) ?? Data()))
        )
    }
}
