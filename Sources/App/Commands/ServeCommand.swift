import ArgumentParser
import Core
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Áp dụng migration rồi phục vụ mọi dịch vụ trên một cổng HTTP.",
        discussion: "Dừng êm bằng SIGINT hoặc SIGTERM: không nhận kết nối mới, chờ các yêu cầu đang xử lý xong, rồi đóng cơ sở dữ liệu."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (configuration, logger) = try options.load()
        let registry = PrometheusCollectorRegistry()
        // Libraries that report through swift-metrics land in the same registry as our own metrics.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let platform: Platform
        do {
            platform = try await Platform.open(configuration, logger: logger, metrics: registry)
        } catch {
            throw fail("Không mở được kho dữ liệu: \(error)")
        }
        if case .dataFolder(let path, true) = platform.masterKeySource {
            logger.warning("Đã tạo khóa chính cho môi trường phát triển", metadata: ["path": .string(path)])
        }
        do {
            try await platform.migrate()
            try await platform.prepare()
            try await platform.blobs.sweepTemporaryFiles(olderThan: .seconds(24 * 3600))
            if configuration.environment == .development {
                try await DevelopmentBootstrap(platform: platform).run()
            }
        } catch {
            await platform.close()
            throw fail("\(error)")
        }
        let server = PlatformServer(platform: platform)
        try await server.run(gracefulShutdownSignals: [.sigterm, .sigint]) { address in
            // Written unbuffered: scripts wait for this line to know the server is up.
            FileHandle.standardOutput.write(Data(
                "LGSP Đắk Lắk đang chạy tại http://\(address) — dữ liệu: \(configuration.dataDirectory), cơ sở dữ liệu: \(configuration.databaseLocation.summary)\n".utf8
            ))
        }
    }
}

extension DatabaseLocation {
    /// Where the database is, without secrets.
    var summary: String {
        switch self {
        case .sqlite(let path): return "SQLite \(path)"
        case .postgres(let location): return location.redactedDescription
        }
    }
}
