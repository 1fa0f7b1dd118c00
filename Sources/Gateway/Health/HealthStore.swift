import Core
import Foundation
import SQLKit

/// `gw_health_checks`: the connection status collected from providers' health URLs, kept at least three
/// months (R-PL01-2.3.2).
struct HealthStore: Sendable {
    let database: Database

    func insert(_ check: HealthCheck, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_health_checks (service_id, at, outcome, http_status, latency_ms, error)
            VALUES (\(bind: check.serviceId), \(bind: check.at), \(bind: check.outcome.rawValue), \(bind: check.httpStatus), \(bind: check.latencyMs), \(bind: check.error))
            """
        ).run()
    }

    /// When each service was last polled.
    func lastChecked() async throws -> [String: String] {
        let rows = try await database.sql.raw("SELECT service_id, MAX(at) AS last FROM gw_health_checks GROUP BY service_id").all()
        var last: [String: String] = [:]
        for row in rows {
            last[try row.decode(column: "service_id", as: String.self)] = try row.decode(column: "last", as: String.self)
        }
        return last
    }

    /// A service's checks, newest first.
    func checks(service id: String, from: String? = nil, to: String? = nil, limit: Int = 100, _ sql: (any SQLDatabase)? = nil) async throws -> [HealthCheck] {
        var query = SQLQueryString("SELECT service_id, at, outcome, http_status, latency_ms, error FROM gw_health_checks WHERE service_id = \(bind: id)")
        query.and("at", ">=", from)
        query.and("at", "<", to)
        query.appendInterpolation(unsafeRaw: " ORDER BY at DESC, id DESC LIMIT \(max(1, min(limit, 1000)))")
        return try await (sql ?? database.sql).raw(query).all().map(Self.decode)
    }

    /// A service's latest check and how many checks in a row, up to `HealthMonitor.riskAfter`, failed.
    func latest(service id: String) async throws -> (current: HealthCheck?, failuresInARow: Int) {
        let recent = try await checks(service: id, limit: HealthMonitor.riskAfter)
        return (recent.first, recent.prefix { $0.outcome == .down }.count)
    }

    /// Share of checks that found the service up since `from`, and how many there were.
    func availability(service id: String, since from: String) async throws -> (ratio: Double?, checks: Int) {
        let row = try await database.sql.raw(
            """
            SELECT COUNT(*) AS total, SUM(CASE WHEN outcome = 'up' THEN 1 ELSE 0 END) AS up
            FROM gw_health_checks WHERE service_id = \(bind: id) AND at >= \(bind: from)
            """
        ).first()
        let total = try row?.decode(column: "total", as: Int.self) ?? 0
        let up = try row?.decode(column: "up", as: Int?.self) ?? 0
        return (total == 0 ? nil : Double(up) / Double(total), total)
    }

    /// Deletes checks older than `cutoff`; returns how many went.
    @discardableResult
    func purge(before cutoff: String) async throws -> Int {
        let old = try await database.sql.raw("SELECT COUNT(*) AS n FROM gw_health_checks WHERE at < \(bind: cutoff)").first()?.decode(column: "n", as: Int.self) ?? 0
        if old > 0 { try await database.sql.raw("DELETE FROM gw_health_checks WHERE at < \(bind: cutoff)").run() }
        return old
    }

    static func decode(_ row: any SQLRow) throws -> HealthCheck {
        HealthCheck(
            serviceId: try row.decode(column: "service_id", as: String.self),
            at: try row.decode(column: "at", as: String.self),
            outcome: HealthCheck.Outcome(rawValue: try row.decode(column: "outcome", as: String.self)) ?? .down,
            httpStatus: try row.decode(column: "http_status", as: Int?.self),
            latencyMs: try row.decode(column: "latency_ms", as: Double.self),
            error: try row.decode(column: "error", as: String?.self)
        )
    }
}
