import AsyncHTTPClient
import Core
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing

@testable import App

@Suite struct GracefulShutdownTests {
    /// A graceful shutdown (what SIGTERM/SIGINT trigger) lets a request in flight finish, then closes the
    /// database; new connections are refused.
    @Test func inFlightRequestsFinishBeforeTheDatabaseCloses() async throws {
        try await TestPlatform.with(extraModules: { _ in [EchoModule()] }) { platform in
            let address = NIOLockedValueBox<String?>(nil)
            let group = PlatformServer(platform: platform).makeServiceGroup { bound in
                address.withLockedValue { $0 = bound }
            }
            let serving = Task { try await group.run() }
            var base: String?
            for _ in 0..<200 where base == nil {
                try await Task.sleep(for: .milliseconds(20))
                base = address.withLockedValue { $0 }
            }
            let url = "http://\(try #require(base))"

            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let slow = Task {
                    let response = try await client.execute(HTTPClientRequest(url: url + "/test/slow"), timeout: .seconds(10))
                    return (response.status.code, String(buffer: try await response.body.collect(upTo: 1024)))
                }
                try await Task.sleep(for: .milliseconds(300))
                await group.triggerGracefulShutdown()
                let (status, body) = try await slow.value
                #expect(status == 200)
                #expect(body == "done")
                try await serving.value

                await #expect(throws: (any Error).self) {
                    _ = try await client.execute(HTTPClientRequest(url: url + "/health"), timeout: .seconds(2))
                }
                await #expect(throws: (any Error).self) { try await platform.database.ping() }
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}
