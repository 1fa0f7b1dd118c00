import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore

/// Collects the connection status of provider services (R-PL01-2.3.2): polls each published or
/// deprecated service's health URL at the interval agreed at registration (not while it is suspended
/// for maintenance), stores every result for at least three months, and warns when a service is at risk
/// of losing its connection — after `riskAfter` failed checks in a row a `health-risk` notice goes to the
/// consumers holding grants or requests for it (and to the provider's event list and the audit log), and
/// once it has answered `recoverAfter` times in a row, `health-recovered`. A service that fails now and
/// then but never `riskAfter` times running raises nothing, so notices do not flap.
///
/// Several processes may share the database: each probe is claimed first (`HealthStore.claim`), so a
/// service is probed once per interval whichever process gets to it.
struct HealthMonitor: Sendable {
    let database: Database
    let store: HealthStore
    let services: ServiceStore
    let audit: AuditLog
    let client: HTTPClient
    let logger: Logger

    /// Failed checks in a row that make a service "at risk".
    static let riskAfter = 3
    /// Successful checks in a row that end it.
    static let recoverAfter = 2
    /// How long checks are kept: more than the three months the regulation asks.
    static let retentionDays = 100
    /// The longest a probe may take, whatever the interval.
    static let maxProbeSeconds = 10
    /// Probes polled at once, at most.
    static let concurrentProbes = 32

    /// Polls every service due at `now` that this process can claim (up to `concurrentProbes` at a
    /// time, each bounded by its timeout); returns the checks made.
    @discardableResult
    func checkDue(now: Date = Date()) async throws -> [HealthCheck] {
        let stamp = Timestamp.string(from: now)
        var claimed: [RegisteredService] = []
        for service in try await store.due(at: stamp) {
            let next = Timestamp.string(from: now.addingTimeInterval(Double(service.health!.intervalSeconds)))
            if try await store.claim(service.id, now: stamp, next: next) { claimed.append(service) }
        }
        guard !claimed.isEmpty else { return [] }
        return await withTaskGroup(of: HealthCheck?.self) { group in
            var made: [HealthCheck] = []
            var running = 0
            for service in claimed {
                if running == Self.concurrentProbes, let check = await group.next() {
                    if let check { made.append(check) }
                    running -= 1
                }
                group.addTask {
                    do {
                        return try await record(try await probe(service, now: now), service: service)
                    } catch {
                        // Cancelled (shutdown) or the database failed: nothing is recorded, and the
                        // service is probed again at its next due time.
                        if !(error is CancellationError) {
                            logger.error("Không lưu được kết quả kiểm tra kết nối", metadata: ["service": "\(service.code)/\(service.version)", "error": "\(SafeErrorDescription.describe(error))"])
                        }
                        return nil
                    }
                }
                running += 1
            }
            for await check in group { if let check { made.append(check) } }
            return made
        }
    }

    /// One GET of the service's health URL. Throws only when the task is cancelled: a probe cut short
    /// by shutdown says nothing about the service.
    func probe(_ service: RegisteredService, now: Date) async throws -> HealthCheck {
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
            try Task.checkCancellation()
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? check(.up, status: status, error: nil) : check(.down, status: status, error: "status")
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            let timedOut = (error as? HTTPClientError).map { $0 == .deadlineExceeded || $0 == .readTimeout || $0 == .connectTimeout } ?? false
            return check(.down, status: nil, error: timedOut ? "timeout" : "unreachable")
        }
    }

    /// Stores a check with the state it leads to and, when the state crosses the risk line either
    /// way, the notice.
    private func record(_ check: HealthCheck, service: RegisteredService) async throws -> HealthCheck {
        let event: String? = try await database.transaction { [store, services, audit] sql in
            var state = try await store.state(service: service.id, sql, forUpdate: true)
            var event: String?
            switch check.outcome {
            case .down:
                state.failures += 1
                state.successes = 0
                if !state.atRisk, state.failures >= Self.riskAfter {
                    state.atRisk = true
                    event = "health-risk"
                }
            case .up:
                state.successes += 1
                state.failures = 0
                if state.atRisk, state.successes >= Self.recoverAfter {
                    state.atRisk = false
                    event = "health-recovered"
                }
            }
            try await store.record(check, state: state, sql)
            guard let event else { return nil }
            var details: [String: JSONValue] = ["url": .string(service.health?.url ?? "")]
            if event == "health-risk" {
                details["failuresInARow"] = .number(Double(state.failures))
                if let error = check.error { details["error"] = .string(error) }
                if let status = check.httpStatus { details["httpStatus"] = .number(Double(status)) }
            } else {
                details["successesInARow"] = .number(Double(state.successes))
            }
            try await services.event(ServiceEvent(
                serviceId: service.id, event: event, fromStatus: nil, toStatus: nil, at: check.at, actor: "system", details: .object(details)
            ), sql)
            try await audit.record(AuditEvent(
                action: "gateway.service.\(event)", outcome: event == "health-risk" ? .failure : .success, subject: "system",
                objectType: "service", objectID: service.id, details: ["code": service.code, "version": service.version]
            ), in: sql)
            return event
        }
        switch event {
        case "health-risk":
            logger.warning("Dịch vụ có nguy cơ mất kết nối", metadata: [
                "service": "\(service.code)/\(service.version)", "error": "\(check.error ?? "")", "status": "\(check.httpStatus.map(String.init) ?? "-")",
            ])
        case "health-recovered":
            logger.notice("Dịch vụ đã kết nối lại", metadata: ["service": "\(service.code)/\(service.version)"])
        default:
            break
        }
        return check
    }

    /// Deletes checks older than the retention period.
    @discardableResult
    func purge(now: Date = Date()) async throws -> Int {
        try await store.purge(before: Timestamp.string(from: now.addingTimeInterval(-Double(Self.retentionDays) * 86_400)))
    }
}
