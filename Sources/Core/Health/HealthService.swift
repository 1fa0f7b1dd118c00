import Dispatch
import Logging

/// Runs the level-2 checks concurrently, each with a time limit, and reports every component.
public struct HealthService: Sendable {
    public let checks: [any HealthCheck]
    public let timeout: Duration
    let logger: Logger

    public init(checks: [any HealthCheck], timeout: Duration = .seconds(2), logger: Logger) {
        self.checks = checks
        self.timeout = timeout
        self.logger = logger
    }

    public struct ComponentStatus: Sendable, Codable, Equatable {
        public let name: String
        public let status: Status
        public let latencyMs: Double
        /// Vietnamese, generic: why it is down. Specifics go to the log.
        public let detail: String?
    }

    public enum Status: String, Sendable, Codable {
        case up, down
    }

    public struct Report: Sendable, Codable {
        public let status: Status
        public let time: String
        public let components: [ComponentStatus]
    }

    public func report() async -> Report {
        let results = await withTaskGroup(of: (Int, ComponentStatus).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await self.run(check)) }
            }
            var results = [ComponentStatus?](repeating: nil, count: checks.count)
            for await (index, status) in group {
                results[index] = status
            }
            return results.compactMap { $0 }
        }
        let allUp = results.allSatisfy { $0.status == .up }
        return Report(status: allUp ? .up : .down, time: Timestamp.now(), components: results)
    }

    func run(_ check: any HealthCheck) async -> ComponentStatus {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double {
            (Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000 * 1000).rounded() / 1000
        }
        do {
            try await withDeadline(timeout) { try await check.check() }
            return ComponentStatus(name: check.name, status: .up, latencyMs: elapsed(), detail: nil)
        } catch is DeadlineExceeded {
            logger.warning("Kiểm tra sức khỏe quá thời gian", metadata: ["component": .string(check.name)])
            return ComponentStatus(
                name: check.name, status: .down, latencyMs: elapsed(), detail: "Không phản hồi trong \(timeout.components.seconds) giây."
            )
        } catch {
            logger.warning(
                "Kiểm tra sức khỏe thất bại", metadata: ["component": .string(check.name), "error": .string(SafeErrorDescription.describe(error))]
            )
            return ComponentStatus(name: check.name, status: .down, latencyMs: elapsed(), detail: "Thành phần không hoạt động.")
        }
    }
}

/// Runs `body`, cancelling it and throwing `DeadlineExceeded` after `limit`.
public func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

public struct DeadlineExceeded: Error {}
