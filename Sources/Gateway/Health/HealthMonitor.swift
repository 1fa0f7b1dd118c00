import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore

/// Collects the connection status of provider services (R-PL01-2.3.2): polls each published or
/// deprecated service's health URL at the interval agreed at registration, stores every result for at
/// least three months, and warns when a service is at risk of losing its connection — after
/// `riskAfter` failed checks in a row a `health-risk` notice goes to the consumers holding grants or
/// requests for it (and to the provider's event list and the audit log), and `health-recovered` when it
/// answers again.
struct HealthMonitor: Sendable {
    let database: Database
    let store: HealthStore
    let services: ServiceStore
    let audit: AuditLog
    let client: HTTPClient
    let logger: Logger

    /// Failed checks in a row that make a service "at risk".
    static let riskAfter = 3
    /// How long checks are kept: more than the three months the regulation asks.
    static let retentionDays = 100
    /// The longest a probe may take, whatever the interval.
    static let maxProbeSeconds = 10

    /// Probes polled at once, at most.
    static let concurrentProbes = 32

    /// Polls every service whose interval has passed since its last check (up to `concurrentProbes` at
    /// a time, each bounded by its timeout); returns the checks made.
    @discardableResult
    func checkDue(now: Date = Date()) async throws -> [HealthCheck] {
        let last = try await store.lastChecked()
        let due = try await services.polled().filter { service in
            guard let probe = service.health else { return false }
            guard let previous = last[service.id].flatMap(Timestamp.date(from:)) else { return true }
            // Stored times keep milliseconds: a check is due from a second before its interval has passed.
            return now.timeIntervalSince(previous) >= Double(probe.intervalSeconds) - 1
        }
        guard !due.isEmpty else { return [] }
        return try await withThrowingTaskGroup(of: HealthCheck.self) { group in
            var made: [HealthCheck] = []
            var running = 0
            for service in due {
                if running == Self.concurrentProbes, let check = try await group.next() {
                    made.append(check)
                    running -= 1
                }
                group.addTask { try await record(await probe(service, now: now), service: service) }
                running += 1
            }
            for try await check in group { made.append(check) }
            return made
        }
    }

    /// One GET of the service's health URL.
    func probe(_ service: RegisteredService, now: Date) async -> HealthCheck {
        let probe = service.health!
        let started = DispatchTime.now().uptimeNanoseconds
        func check(_ outcome: HealthCheck.Outcome, status: Int?, error: String?) -> HealthCheck {
            HealthCheck(
                serviceId: service.id, at: Timestamp.string(from: now), outcome: outcome, httpStatus: status,
                latencyMs: Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000, error: error
            )
        }
        var request = HTTPClientRequest(url: probe.url)
        request.headers.add(name: "User-Agent", value: "LGSP-DakLak-health/1")
        let timeout = TimeAmount.seconds(Int64(min(probe.intervalSeconds, Self.maxProbeSeconds)))
        do {
            let response = try await client.execute(request, timeout: timeout)
            // Read (and drop) at most a little of the body so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? check(.up, status: status, error: nil) : check(.down, status: status, error: "status")
        } catch {
            let timedOut = (error as? HTTPClientError).map { $0 == .deadlineExceeded || $0 == .readTimeout || $0 == .connectTimeout } ?? false
            return check(.down, status: nil, error: timedOut ? "timeout" : "unreachable")
        }
    }

    /// Stores a check and, when it crosses the risk line either way, the notice.
    private func record(_ check: HealthCheck, service: RegisteredService) async throws -> HealthCheck {
        try await database.transaction { [store, services, audit] sql in
            let before = try await store.checks(service: service.id, limit: Self.riskAfter, sql)
            try await store.insert(check, sql)
            let previousFailures = before.prefix { $0.outcome == .down }.count
            let event: String?
            switch check.outcome {
            case .down where previousFailures == Self.riskAfter - 1: event = "health-risk"
            case .up where previousFailures >= Self.riskAfter: event = "health-recovered"
            default: event = nil
            }
            guard let event else { return }
            var details: [String: JSONValue] = ["url": .string(service.health?.url ?? ""), "failuresInARow": .number(Double(Self.riskAfter))]
            if let error = check.error { details["error"] = .string(error) }
            if let status = check.httpStatus { details["httpStatus"] = .number(Double(status)) }
            if event == "health-recovered" { details["failuresInARow"] = .number(Double(previousFailures)) }
            try await services.event(ServiceEvent(
                serviceId: service.id, event: event, fromStatus: nil, toStatus: nil, at: check.at, actor: "system", details: .object(details)
            ), sql)
            try await audit.record(AuditEvent(
                action: "gateway.service.\(event)", outcome: event == "health-risk" ? .failure : .success, subject: "system",
                objectType: "service", objectID: service.id, details: ["code": service.code, "version": service.version]
            ), in: sql)
        }
        if check.outcome == .down {
            logger.warning("Dịch vụ không trả lời kiểm tra kết nối", metadata: [
                "service": "\(service.code)/\(service.version)", "error": "\(check.error ?? "")", "status": "\(check.httpStatus.map(String.init) ?? "-")",
            ])
        }
        return check
    }

    /// Deletes checks older than the retention period.
    @discardableResult
    func purge(now: Date = Date()) async throws -> Int {
        try await store.purge(before: Timestamp.string(from: now.addingTimeInterval(-Double(Self.retentionDays) * 86_400)))
    }
}
