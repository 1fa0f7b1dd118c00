import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import LGSPTesting
import Logging
import Prometheus

@testable import App

/// A whole platform on a fresh database (SQLite, or PostgreSQL with LGSP_TEST_DATABASE_URL) and data folder.
enum TestPlatform {
    static func with<T: Sendable>(
        configure: (inout Configuration) -> Void = { _ in },
        extraModules: @escaping @Sendable (PlatformServices) -> [any PlatformModule] = { _ in [] },
        _ body: (Platform) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (location, cleanup) = try await TestDatabase.makeLocation()
        var configuration = Configuration()
        configuration.dataDirectory = directory.path
        configuration.environment = .test
        configuration.port = 0
        configuration.publicURL = "http://lgsp.test"
        // The whole suite runs at once: a blob probe may wait seconds for the file-system threads.
        configuration.healthCheckTimeout = .seconds(15)
        configuration.sso.bcryptCost = 4
        // Catalog seeds only where a test asks for them (`seedDirectory = TestPlatform.seedData`).
        configuration.seedDirectory = directory.path + "/no-seed"
        if case .postgres(let postgres) = location {
            configuration.databaseURL = postgres.url
        }
        configure(&configuration)
        let platform = try await Platform.open(configuration, logger: TestDatabase.logger, extraModules: extraModules)
        do {
            try await platform.migrate()
            try await platform.prepare()
            let result = try await body(platform)
            await platform.close()
            await cleanup()
            return result
        } catch {
            await platform.close()
            await cleanup()
            throw error
        }
    }

    /// Runs `body` against the platform's real router (no socket).
    static func withClient<T: Sendable>(
        configure: (inout Configuration) -> Void = { _ in },
        extraModules: @escaping @Sendable (PlatformServices) -> [any PlatformModule] = { _ in [] },
        _ body: @escaping @Sendable (any TestClientProtocol, Platform) async throws -> T
    ) async throws -> T {
        try await with(configure: configure, extraModules: extraModules) { platform in
            let app = PlatformServer(platform: platform).makeApplication()
            return try await app.test(.router) { client in try await body(client, platform) }
        }
    }
}

extension TestPlatform {
    /// The repository's `seed-data` folder, wherever the tests run from.
    static let seedData: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("seed-data").path
}

extension PostgresLocation {
    /// Back to a URL (tests hand a schema-scoped location to the platform as configuration).
    var url: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = host
        components.port = port
        components.path = "/" + (database ?? "")
        var items = [URLQueryItem(name: "sslmode", value: tls == .require ? "require" : tls == .disable ? "disable" : "prefer")]
        if let searchPath { items.append(URLQueryItem(name: "search_path", value: searchPath)) }
        components.queryItems = items
        return components.string!
    }
}

extension TestResponse {
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)) }
}
