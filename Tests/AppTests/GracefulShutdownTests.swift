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

/// Behaviour that only shows over a real socket.
@Suite struct LiveServerTests {
    static func withLiveServer(
        configure: @escaping (inout Configuration) -> Void = { _ in },
        _ body: @escaping @Sendable (String, HTTPClient) async throws -> Void
    ) async throws {
        try await TestPlatform.with(configure: configure, extraModules: { _ in [EchoModule()] }) { platform in
            let address = NIOLockedValueBox<String?>(nil)
            let group = PlatformServer(platform: platform).makeServiceGroup { bound in address.withLockedValue { $0 = bound } }
            let serving = Task { try await group.run() }
            var base: String?
            for _ in 0..<200 where base == nil {
                try await Task.sleep(for: .milliseconds(20))
                base = address.withLockedValue { $0 }
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await body("http://\(try #require(base))", client)
            } catch {
                try? await client.shutdown()
                await group.triggerGracefulShutdown()
                throw error
            }
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await serving.value
        }
    }

    /// A chunked body (no Content-Length) over the route's limit is cut off with 413.
    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        try await Self.withLiveServer { base, client in
            var request = HTTPClientRequest(url: base + "/test/echo")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            let chunks = (0..<8).map { _ in ByteBuffer(string: String(repeating: " ", count: 512)) }
            request.body = .stream(chunks.async, length: .unknown)
            let response = try await client.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 413)
            #expect(response.headers["Content-Type"].first?.hasPrefix("application/problem+json") == true)

            // Within the limit, chunked works.
            var small = HTTPClientRequest(url: base + "/test/echo")
            small.method = .POST
            small.headers.add(name: "Content-Type", value: "application/json")
            small.body = .stream([ByteBuffer(string: "{\"name\":"), ByteBuffer(string: "\"Lan\"}")].async, length: .unknown)
            let ok = try await client.execute(small, timeout: .seconds(10))
            #expect(ok.status.code == 200)
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an AsyncSequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
