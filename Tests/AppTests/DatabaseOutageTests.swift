import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LGSPTesting
import Testing

@testable import App

@Suite struct DatabaseOutageTests {
    /// PostgreSQL unreachable: routes that need the database answer 503 with Retry-After (not 500), level 2
    /// health names the database, level 1 stays up.
    @Test func anUnreachableDatabaseIs503() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = Configuration()
        configuration.dataDirectory = directory.path
        configuration.environment = .test
        configuration.databaseURL = "postgres://nobody:x@127.0.0.1:1/none?sslmode=disable"
        configuration.databaseTimeout = DurationValue(.milliseconds(500))
        let platform = try await Platform.open(configuration, logger: TestDatabase.logger, extraModules: { [EchoModule(services: $0)] })
        let app = PlatformServer(platform: platform).makeApplication()
        try await app.test(.router) { client in
            let route = try await client.execute(uri: "/test/db", method: .get)
            #expect(route.status == .serviceUnavailable)
            #expect(route.headers[.retryAfter] == "5")
            #expect(route.json?["type"] == "urn:lgsp:problem:service-unavailable")
            let level2 = try await client.execute(uri: "/health/services", method: .get)
            #expect(level2.status == .serviceUnavailable)
            #expect(level2.json?["components"]?.arrayValue?.first { $0["name"] == "database" }?["status"] == "down")
            let level1 = try await client.execute(uri: "/health", method: .get)
            #expect(level1.status == .ok)
        }
        await platform.close()
    }
}
