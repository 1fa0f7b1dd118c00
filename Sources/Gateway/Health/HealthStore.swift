import Core
import Foundation
import SQLKit

/// `gw_health_checks` (every check, kept at least three months: R-PL01-2.3.2) and `gw_health_state`
/// (each polled service's latest check, its run of failures or successes, and when it is next due).
struct HealthStore: Sendable {
    let database: Database

    /// A service's state, as `GET …/health` shows it.
    struct State: Sendable, Equatable {
        var current: HealthCheck?
        /// Checks in a row that failed (or succeeded); one of the two is 0.
        var failures: Int
        var successes: Int
        var atRisk: Bool

        static let unknown = State(current: nil, failures: 0, successes: 0, atRisk: false)
    }

    /// Published or deprecated services with a probe, not suspended, whose next check is due at `now`.
    func due(at now: String) async throws -> [RegisteredService] {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: ServiceStore.columns) FROM gw_services s JOIN gw_systems y ON y.id = s.system_id
            LEFT JOIN gw_health_state h ON h.service_id = s.id
            WHERE s.status IN ('published', 'deprecated') AND s.health IS NOT NULL AND s.suspended_at IS NULL
              AND (h.next_due IS NULL OR h.next_due <= \(bind: now))
            ORDER BY s.code, s.version
            """
        ).all().map(ServiceStore.decode).filter { $0.health != nil }
    }

    /// Takes the probe of `service` due at `now` for this process, moving its next check to `next`;
    /// false when another process took it first.
    func claim(_ service: String, now: String, next: String) async throws -> Bool {
        let moved = try await database.sql.raw(
            """
            UPDATE gw_health_state SET next_due = \(bind: next)
            WHERE service_id = \(bind: service) AND next_due <= \(bind: now) RETURNING service_id
            """
        ).all()
        if !moved.isEmpty { return true }
        let inserted = try await database.sql.raw(
            """
            INSERT INTO gw_health_state (service_id, next_due, failures, successes, at_risk)
            VALUES (\(bind: service), \(bind: next), 0, 0, 0)
            ON CONFLICT (service_id) DO NOTHING RETURNING service_id
            """
        ).all()
        return !inserted.isEmpty
    }

    /// Makes the next check of `service` due at `time` (its probe changed: the new URL or interval
    /// applies at once instead of at the time the old interval had set). Inside the caller's transaction.
    static func makeDue(_ service: String, at time: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE gw_health_state SET next_due = \(bind: time) WHERE service_id = \(bind: service)").run()
    }

    func state(service id: String, _ sql: (any SQLDatabase)? = nil, forUpdate: Bool = false) async throws -> State {
        let lock = forUpdate && database.engine == .postgres ? " FOR UPDATE" : ""
        guard let row = try await (sql ?? database.sql).raw(
            "SELECT * FROM gw_health_state WHERE service_id = \(bind: id)\(unsafeRaw: lock)"
        ).first() else { return .unknown }
        return try Self.decodeState(row)
    }

    /// Every polled service's state, in one query (the operators' board).
    func states() async throws -> [String: State] {
        var states: [String: State] = [:]
        for row in try await database.sql.raw("SELECT * FROM gw_health_state").all() {
            states[try row.decode(column: "service_id", as: String.self)] = try Self.decodeState(row)
        }
        return states
    }

    /// Stores a check and the state it leads to, in the caller's transaction.
    func record(_ check: HealthCheck, state: State, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_health_checks (service_id, at, outcome, http_status, latency_ms, error)
            VALUES (\(bind: check.serviceId), \(bind: check.at), \(bind: check.outcome.rawValue), \(bind: check.httpStatus), \(bind: check.latencyMs), \(bind: check.error))
            """
        ).run()
        try await sql.raw(
            """
            UPDATE gw_health_state SET last_at = \(bind: check.at), last_outcome = \(bind: check.outcome.rawValue), last_http_status = \(bind: check.httpStatus),
                last_latency_ms = \(bind: check.latencyMs), last_error = \(bind: check.error), failures = \(bind: state.failures),
                successes = \(bind: state.successes), at_risk = \(bind: state.atRisk ? 1 : 0)
            WHERE service_id = \(bind: check.serviceId)
            """
        ).run()
    }

    /// A service's checks, newest first.
    func checks(service id: String, from: String? = nil, to: String? = nil, limit: Int = 100) async throws -> [HealthCheck] {
        var query = SQLQueryString("SELECT service_id, at, outcome, http_status, latency_ms, error FROM gw_health_checks WHERE service_id = \(bind: id)")
        query.and("at", ">=", from)
        query.and("at", "<", to)
        query.appendInterpolation(unsafeRaw: " ORDER BY at DESC, id DESC LIMIT \(max(1, min(limit, 1000)))")
        return try await database.sql.raw(query).all().map(Self.decode)
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

    static func decodeState(_ row: any SQLRow) throws -> State {
        var current: HealthCheck?
        if let at = try row.decode(column: "last_at", as: String?.self), let outcome = try row.decode(column: "last_outcome", as: String?.self) {
            current = HealthCheck(
                serviceId: try row.decode(column: "service_id", as: String.self), at: at, outcome: HealthCheck.Outcome(rawValue: outcome) ?? .down,
                httpStatus: try row.decode(column: "last_http_status", as: Int?.self), latencyMs: try row.decode(column: "last_latency_ms", as: Double?.self) ?? 0,
                error: try row.decode(column: "last_error", as: String?.self)
            )
        }
        return State(
            current: current, failures: try row.decode(column: "failures", as: Int.self), successes: try row.decode(column: "successes", as: Int.self),
            atRisk: try row.decode(column: "at_risk", as: Int.self) != 0
        )
    }
}
