import Core
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Runs the HTTP server and, on graceful shutdown, lets in-flight requests finish before the database
/// is closed.
struct PlatformServer: Sendable {
    let platform: Platform

    func makeApplication(onRunning: @escaping @Sendable (String) -> Void = { _ in }) -> some ApplicationProtocol {
        let api = PlatformRouter.build(platform)
        let configuration = platform.configuration
        return Application(
            router: APIRouterResponderBuilder(api: api),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                onRunning(Self.describe(channel.localAddress, host: configuration.host))
            },
            logger: platform.logger
        )
    }

    /// Serves until a signal in `gracefulShutdownSignals` arrives or the task is cancelled.
    func run(
        gracefulShutdownSignals: [UnixSignal],
        onRunning: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        try await makeServiceGroup(gracefulShutdownSignals: gracefulShutdownSignals, onRunning: onRunning).run()
    }

    /// The server and the database's lifetime as one service group: `triggerGracefulShutdown()` (or a
    /// signal) stops accepting connections, waits for in-flight requests, then closes the database.
    func makeServiceGroup(
        gracefulShutdownSignals: [UnixSignal] = [],
        onRunning: @escaping @Sendable (String) -> Void = { _ in }
    ) -> ServiceGroup {
        ServiceGroup(configuration: .init(
            services: [
                // Services stop in reverse order: the server first, then the database.
                .init(service: DatabaseLifetime(platform: platform)),
                .init(service: BackgroundWork(platform: platform)),
                .init(service: makeApplication(onRunning: onRunning)),
            ],
            gracefulShutdownSignals: gracefulShutdownSignals,
            logger: platform.logger
        ))
    }

    static func describe(_ address: SocketAddress?, host: String) -> String {
        guard let address, let port = address.port else { return host }
        if case .v6 = address, let ip = address.ipAddress { return "[\(ip)]:\(port)" }
        return "\(address.ipAddress ?? host):\(port)"
    }
}

/// Keeps the database open while the server runs; closes it once the server has stopped.
struct DatabaseLifetime: Service {
    let platform: Platform

    func run() async throws {
        try? await gracefulShutdown()
        await platform.close()
        platform.logger.info("Đã đóng cơ sở dữ liệu")
    }
}

/// The modules' background work (scheduled synchronization, webhook deliveries); cancelled at graceful
/// shutdown, after the server has stopped and before the database closes.
struct BackgroundWork: Service {
    let platform: Platform

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for module in platform.modules {
                    group.addTask { try await module.runBackground() }
                }
                try await group.waitForAll()
            }
        }
    }
}

/// Lets `Application` build its responder from our `APIRouter`.
struct APIRouterResponderBuilder: HTTPResponderBuilder {
    let api: APIRouter
    func buildResponder() -> RouterResponder<AppRequestContext> { api.buildResponder() }
}
