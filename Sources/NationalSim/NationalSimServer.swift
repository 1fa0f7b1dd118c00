import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Serves the national stand-ins on their own port (`lgsp sim`; tests start one in-process on an
/// ephemeral port).
public enum NationalSimServer {
    static func application(
        _ vdxp: VDXPSimulator, dictionary: NationalDictionary?, ndxp: NationalDataServices?, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (String) -> Void
    ) -> some ApplicationProtocol {
        let router = vdxp.routes()
        dictionary?.addRoutes(to: router)
        ndxp?.addRoutes(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let url = "http://\(host):\(bound)"
                if vdxp.baseURL.isEmpty || vdxp.baseURL.hasSuffix(":0") { vdxp.baseURL = url }
                onRunning(url)
            },
            logger: logger
        )
    }

    /// Serves until SIGINT/SIGTERM.
    public static func run(
        _ vdxp: VDXPSimulator, dictionary: NationalDictionary? = nil, ndxp: NationalDataServices? = nil, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (String) -> Void
    ) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [application(vdxp, dictionary: dictionary, ndxp: ndxp, host: host, port: port, logger: logger, onRunning: onRunning)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        try await group.run()
    }

    /// A stand-in running in this process, for tests.
    public struct Running: Sendable {
        public let url: String
        let group: ServiceGroup
        let task: Task<Void, any Error>

        public func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    public static func start(
        _ vdxp: VDXPSimulator, dictionary: NationalDictionary? = nil, ndxp: NationalDataServices? = nil, host: String = "127.0.0.1", port: Int = 0,
        logger: Logger
    ) async throws -> Running {
        let bound = NIOLockedValueBox<String?>(nil)
        let group = ServiceGroup(configuration: .init(
            services: [
                application(vdxp, dictionary: dictionary, ndxp: ndxp, host: host, port: port, logger: logger, onRunning: { url in bound.withLockedValue { $0 = url } }),
            ],
            logger: logger
        ))
        let task = Task { try await group.run() }
        for _ in 0..<500 {
            if let url = bound.withLockedValue({ $0 }) { return Running(url: url, group: group, task: task) }
            try await Task.sleep(for: .milliseconds(10))
        }
        await group.triggerGracefulShutdown()
        throw SimulatorStartError()
    }

    struct SimulatorStartError: Error, CustomStringConvertible {
        var description: String { "the national stand-in did not start listening" }
    }
}
