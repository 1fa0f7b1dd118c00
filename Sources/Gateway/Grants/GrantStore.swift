import Core
import Foundation
import SQLKit

/// `gw_access_requests` and `gw_grants`.
struct GrantStore: Sendable {
    let database: Database

    static let requestColumns = """
        id, consumer_system_id, service_id, environment, purpose, scope_of_use, contact, status, received_at, deadline_at, decided_at,
        decided_by, decision_reason, grant_id
        """
    static let grantColumns = """
        id, request_id, consumer_system_id, service_id, environment, methods, paths, rate_per_second, burst, daily_quota, status, status_reason,
        created_at, updated_at
        """

    func insert(_ request: AccessRequest, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_access_requests (\(unsafeRaw: Self.requestColumns))
            VALUES (\(bind: request.id), \(bind: request.consumerSystemId), \(bind: request.serviceId), \(bind: request.environment.rawValue),
                \(bind: request.purpose), \(bind: request.scopeOfUse), \(bind: try MemberStore.json(request.contact)), \(bind: request.status.rawValue),
                \(bind: request.receivedAt), \(bind: request.deadlineAt), \(bind: request.decidedAt), \(bind: request.decidedBy),
                \(bind: request.decisionReason), \(bind: request.grantId))
            """
        ).run()
    }

    func decide(_ request: AccessRequest, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE gw_access_requests SET status = \(bind: request.status.rawValue), decided_at = \(bind: request.decidedAt),
                decided_by = \(bind: request.decidedBy), decision_reason = \(bind: request.decisionReason), grant_id = \(bind: request.grantId)
            WHERE id = \(bind: request.id)
            """
        ).run()
    }

    func request(_ id: String, _ sql: (any SQLDatabase)? = nil, forUpdate: Bool = false, now: Date = Date()) async throws -> AccessRequest? {
        let lock = forUpdate && database.engine == .postgres ? " FOR UPDATE" : ""
        return try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.requestColumns) FROM gw_access_requests WHERE id = \(bind: id)\(unsafeRaw: lock)")
            .first().map { try Self.decodeRequest($0, now: now) }
    }

    struct RequestFilter: Sendable {
        var status: AccessRequest.Status?
        var serviceId: String?
        /// Requests filed by this system or for services it provides.
        var involving: String?
        var overdueOnly = false
    }

    func requests(_ filter: RequestFilter, now: Date = Date()) async throws -> [AccessRequest] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.requestColumns) FROM gw_access_requests r WHERE 1 = 1")
        query.and("r.status", "=", filter.status?.rawValue)
        query.and("r.service_id", "=", filter.serviceId)
        query.involving(filter.involving, consumerColumn: "r.consumer_system_id", serviceColumn: "r.service_id")
        if filter.overdueOnly {
            query.appendInterpolation(unsafeRaw: " AND r.status = 'pending' AND r.deadline_at < ")
            query.appendInterpolation(bind: Timestamp.string(from: now))
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY r.received_at, r.id LIMIT 1000")
        return try await database.sql.raw(query).all().map { try Self.decodeRequest($0, now: now) }
    }

    /// A request still open or a grant not revoked for the same consumer, service and environment.
    func hasOpen(consumer: String, service: String, environment: Environment, _ sql: any SQLDatabase) async throws -> Bool {
        let pending = try await sql.raw(
            """
            SELECT id FROM gw_access_requests WHERE consumer_system_id = \(bind: consumer) AND service_id = \(bind: service)
              AND environment = \(bind: environment.rawValue) AND status = 'pending'
            """
        ).first()
        if pending != nil { return true }
        return try await sql.raw(
            """
            SELECT id FROM gw_grants WHERE consumer_system_id = \(bind: consumer) AND service_id = \(bind: service)
              AND environment = \(bind: environment.rawValue) AND status <> 'revoked'
            """
        ).first() != nil
    }

    func insert(_ grant: Grant, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_grants (\(unsafeRaw: Self.grantColumns))
            VALUES (\(bind: grant.id), \(bind: grant.requestId), \(bind: grant.consumerSystemId), \(bind: grant.serviceId),
                \(bind: grant.environment.rawValue), \(bind: try grant.methods.map(MemberStore.json)), \(bind: try grant.paths.map(MemberStore.json)),
                \(bind: grant.ratePerSecond), \(bind: grant.burst), \(bind: grant.dailyQuota), \(bind: grant.status.rawValue), \(bind: grant.statusReason),
                \(bind: grant.createdAt), \(bind: grant.updatedAt))
            """
        ).run()
    }

    func setStatus(_ grant: Grant, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE gw_grants SET status = \(bind: grant.status.rawValue), status_reason = \(bind: grant.statusReason), updated_at = \(bind: grant.updatedAt)
            WHERE id = \(bind: grant.id)
            """
        ).run()
    }

    func grant(_ id: String, _ sql: (any SQLDatabase)? = nil, forUpdate: Bool = false) async throws -> Grant? {
        let lock = forUpdate && database.engine == .postgres ? " FOR UPDATE" : ""
        return try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.grantColumns) FROM gw_grants WHERE id = \(bind: id)\(unsafeRaw: lock)").first().map(Self.decodeGrant)
    }

    /// The grant the proxy checks: the one not revoked for this consumer, service and environment.
    func liveGrant(consumer: String, service: String, environment: Environment) async throws -> Grant? {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.grantColumns) FROM gw_grants WHERE consumer_system_id = \(bind: consumer) AND service_id = \(bind: service)
              AND environment = \(bind: environment.rawValue) AND status <> 'revoked'
            """
        ).first().map(Self.decodeGrant)
    }

    struct GrantFilter: Sendable {
        var serviceId: String?
        var consumerSystemId: String?
        var involving: String?
        var status: Grant.Status?
    }

    func grants(_ filter: GrantFilter) async throws -> [Grant] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.grantColumns) FROM gw_grants g WHERE 1 = 1")
        query.and("g.service_id", "=", filter.serviceId)
        query.and("g.consumer_system_id", "=", filter.consumerSystemId)
        query.and("g.status", "=", filter.status?.rawValue)
        query.involving(filter.involving, consumerColumn: "g.consumer_system_id", serviceColumn: "g.service_id")
        query.appendInterpolation(unsafeRaw: " ORDER BY g.created_at, g.id LIMIT 1000")
        return try await database.sql.raw(query).all().map(Self.decodeGrant)
    }

    // MARK: Coding

    static func decodeRequest(_ row: any SQLRow, now: Date) throws -> AccessRequest {
        let status = AccessRequest.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending
        let deadline = try row.decode(column: "deadline_at", as: String.self)
        return AccessRequest(
            id: try row.decode(column: "id", as: String.self), consumerSystemId: try row.decode(column: "consumer_system_id", as: String.self),
            serviceId: try row.decode(column: "service_id", as: String.self),
            environment: Environment(rawValue: try row.decode(column: "environment", as: String.self)) ?? .test,
            purpose: try row.decode(column: "purpose", as: String.self), scopeOfUse: try row.decode(column: "scope_of_use", as: String.self),
            contact: try JSONDecoder().decode(Member.Contact.self, from: Data(try row.decode(column: "contact", as: String.self).utf8)),
            status: status, receivedAt: try row.decode(column: "received_at", as: String.self), deadlineAt: deadline,
            decidedAt: try row.decode(column: "decided_at", as: String?.self), decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decisionReason: try row.decode(column: "decision_reason", as: String?.self), grantId: try row.decode(column: "grant_id", as: String?.self),
            overdue: status == .pending && (Timestamp.date(from: deadline).map { now > $0 } ?? false)
        )
    }

    static func decodeGrant(_ row: any SQLRow) throws -> Grant {
        func list(_ column: String) throws -> [String]? {
            try row.decode(column: column, as: String?.self).map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        }
        return Grant(
            id: try row.decode(column: "id", as: String.self), requestId: try row.decode(column: "request_id", as: String.self),
            consumerSystemId: try row.decode(column: "consumer_system_id", as: String.self), serviceId: try row.decode(column: "service_id", as: String.self),
            environment: Environment(rawValue: try row.decode(column: "environment", as: String.self)) ?? .test,
            methods: try list("methods"), paths: try list("paths"), ratePerSecond: try row.decode(column: "rate_per_second", as: Double?.self),
            burst: try row.decode(column: "burst", as: Int?.self), dailyQuota: try row.decode(column: "daily_quota", as: Int?.self),
            status: Grant.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .revoked,
            statusReason: try row.decode(column: "status_reason", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self), updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }
}
