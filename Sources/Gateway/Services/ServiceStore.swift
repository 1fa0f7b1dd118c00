import Core
import Foundation
import SQLKit

/// `gw_services` and `gw_service_events`.
struct ServiceStore: Sendable {
    let database: Database

    static let columns = """
        s.id, s.system_id, s.code, s.version, s.name, s.description, s.purpose, s.status, s.upstreams, s.upstream_auth,
        s.upstream_secret IS NOT NULL AS has_secret, s.documentation, s.openapi IS NOT NULL AS has_openapi,
        s.test_collection IS NOT NULL AS has_test_collection, s.contact, s.health, s.security_commitment, s.timeout_ms,
        s.max_request_bytes, s.published_at, s.deprecated_at, s.sunset_at, s.successor_version, s.retire_notice_at, s.retire_at,
        s.retire_reason, s.retired_at, s.suspended_at, s.suspended_reason, s.created_at, s.updated_at, y.member_id
        """

    func insert(_ service: RegisteredService, secret: String?, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_services (id, system_id, code, version, name, search_text, description, purpose, status, upstreams, upstream_auth,
                upstream_secret, documentation, contact, health, security_commitment, timeout_ms, max_request_bytes, created_at, updated_at)
            VALUES (\(bind: service.id), \(bind: service.systemId), \(bind: service.code), \(bind: service.version), \(bind: service.name),
                \(bind: Self.searchText(service)), \(bind: service.description), \(bind: service.purpose), \(bind: service.status.rawValue),
                \(bind: try Self.json(service.upstreams)), \(bind: try Self.json(service.upstreamAuth)), \(bind: secret),
                \(bind: try service.documentation.map(Self.json)), \(bind: try service.contact.map(Self.json)), \(bind: try service.health.map(Self.json)),
                \(bind: try service.securityCommitment.map(Self.json)), \(bind: service.timeoutMs), \(bind: service.maxRequestBytes),
                \(bind: service.createdAt), \(bind: service.updatedAt))
            """
        ).run()
    }

    /// Writes every field but the OpenAPI document, the test collection and (unless `secret` is given) the secret.
    func update(_ service: RegisteredService, secret: String?? = .none, _ sql: any SQLDatabase) async throws {
        var query = SQLQueryString(
            """
            UPDATE gw_services SET system_id = \(bind: service.systemId), name = \(bind: service.name), search_text = \(bind: Self.searchText(service)),
                description = \(bind: service.description), purpose = \(bind: service.purpose), status = \(bind: service.status.rawValue),
                upstreams = \(bind: try Self.json(service.upstreams)), upstream_auth = \(bind: try Self.json(service.upstreamAuth)),
                documentation = \(bind: try service.documentation.map(Self.json)), contact = \(bind: try service.contact.map(Self.json)),
                health = \(bind: try service.health.map(Self.json)), security_commitment = \(bind: try service.securityCommitment.map(Self.json)),
                timeout_ms = \(bind: service.timeoutMs), max_request_bytes = \(bind: service.maxRequestBytes),
                published_at = \(bind: service.publishedAt), deprecated_at = \(bind: service.deprecatedAt), sunset_at = \(bind: service.sunsetAt),
                successor_version = \(bind: service.successorVersion), retire_notice_at = \(bind: service.retireNoticeAt),
                retire_at = \(bind: service.retireAt), retire_reason = \(bind: service.retireReason), retired_at = \(bind: service.retiredAt),
                suspended_at = \(bind: service.suspendedAt), suspended_reason = \(bind: service.suspendedReason), updated_at = \(bind: service.updatedAt)
            """
        )
        if case .some(let secret) = secret {
            query.appendInterpolation(unsafeRaw: ", upstream_secret = ")
            query.appendInterpolation(bind: secret)
        }
        query.appendInterpolation(unsafeRaw: " WHERE id = ")
        query.appendInterpolation(bind: service.id)
        try await sql.raw(query).run()
    }

    func setOpenAPI(_ id: String, _ text: String, at: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE gw_services SET openapi = \(bind: text), updated_at = \(bind: at) WHERE id = \(bind: id)").run()
    }

    func setTestCollection(_ id: String, _ text: String, at: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE gw_services SET test_collection = \(bind: text), updated_at = \(bind: at) WHERE id = \(bind: id)").run()
    }

    func openAPI(_ id: String) async throws -> String? {
        try await database.sql.raw("SELECT openapi FROM gw_services WHERE id = \(bind: id)").first()?.decode(column: "openapi", as: String?.self)
    }

    func testCollection(_ id: String) async throws -> String? {
        try await database.sql.raw("SELECT test_collection FROM gw_services WHERE id = \(bind: id)").first()?.decode(column: "test_collection", as: String?.self)
    }

    /// The sealed upstream secret (opened only by the proxy).
    func sealedSecret(_ id: String) async throws -> String? {
        try await database.sql.raw("SELECT upstream_secret FROM gw_services WHERE id = \(bind: id)").first()?.decode(column: "upstream_secret", as: String?.self)
    }

    func service(_ id: String, _ sql: (any SQLDatabase)? = nil, forUpdate: Bool = false) async throws -> RegisteredService? {
        let lock = forUpdate && database.engine == .postgres ? " FOR UPDATE OF s" : ""
        return try await (sql ?? database.sql).raw(
            "SELECT \(unsafeRaw: Self.columns) FROM gw_services s JOIN gw_systems y ON y.id = s.system_id WHERE s.id = \(bind: id)\(unsafeRaw: lock)"
        ).first().map(Self.decode)
    }

    func service(code: String, version: String, _ sql: (any SQLDatabase)? = nil) async throws -> RegisteredService? {
        try await (sql ?? database.sql).raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM gw_services s JOIN gw_systems y ON y.id = s.system_id
            WHERE s.code = \(bind: code) AND s.version = \(bind: version)
            """
        ).first().map(Self.decode)
    }

    func versions(code: String, _ sql: (any SQLDatabase)? = nil) async throws -> [RegisteredService] {
        try await (sql ?? database.sql).raw(
            "SELECT \(unsafeRaw: Self.columns) FROM gw_services s JOIN gw_systems y ON y.id = s.system_id WHERE s.code = \(bind: code) ORDER BY s.created_at, s.id"
        ).all().map(Self.decode)
    }

    struct Filter: Sendable {
        var query: String?
        var statuses: [RegisteredService.Status]?
        var systemId: String?
        var memberId: String?
        var limit = 200
    }

    /// Search ignores accents and case (R-7.1a-registry).
    func services(_ filter: Filter) async throws -> [RegisteredService] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM gw_services s JOIN gw_systems y ON y.id = s.system_id WHERE 1 = 1")
        for term in VietnameseText.searchTerms(filter.query ?? "") {
            query.appendInterpolation(unsafeRaw: " AND s.search_text LIKE ")
            query.appendInterpolation(bind: "%" + term + "%")
        }
        if let statuses = filter.statuses, !statuses.isEmpty {
            query.appendInterpolation(unsafeRaw: " AND s.status IN (")
            for (index, status) in statuses.enumerated() {
                if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                query.appendInterpolation(bind: status.rawValue)
            }
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.and("s.system_id", "=", filter.systemId)
        query.and("y.member_id", "=", filter.memberId)
        query.appendInterpolation(unsafeRaw: " ORDER BY s.code, s.version LIMIT \(max(1, min(filter.limit, 1000)))")
        return try await database.sql.raw(query).all().map(Self.decode)
    }

    /// Published and deprecated services with a health probe (every one of them, not a page): what the
    /// health monitor polls, unless suspended.
    func polled() async throws -> [RegisteredService] {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM gw_services s JOIN gw_systems y ON y.id = s.system_id
            WHERE s.status IN ('published', 'deprecated') AND s.health IS NOT NULL ORDER BY s.code, s.version
            """
        ).all().map(Self.decode).filter { $0.health != nil }
    }

    /// Services whose announced retirement date has come.
    func dueForRetirement(at now: String) async throws -> [String] {
        try await database.sql.raw(
            "SELECT id FROM gw_services WHERE status IN ('published', 'deprecated') AND retire_at IS NOT NULL AND retire_at <= \(bind: now)"
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    func event(_ event: ServiceEvent, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_service_events (service_id, event, from_status, to_status, at, actor, details)
            VALUES (\(bind: event.serviceId), \(bind: event.event), \(bind: event.fromStatus), \(bind: event.toStatus), \(bind: event.at),
                \(bind: event.actor), \(bind: String(decoding: try event.details.encoded(), as: UTF8.self)))
            """
        ).run()
    }

    func events(service id: String) async throws -> [ServiceEvent] {
        try await database.sql.raw(
            "SELECT service_id, event, from_status, to_status, at, actor, details FROM gw_service_events WHERE service_id = \(bind: id) ORDER BY id"
        ).all().map(Self.decodeEvent)
    }

    /// Lifecycle notices for the services a consumer system holds grants or requests for, newest first.
    func notices(consumer system: String, limit: Int = 200) async throws -> [ServiceEvent] {
        try await database.sql.raw(
            """
            SELECT e.service_id, e.event, e.from_status, e.to_status, e.at, e.actor, e.details FROM gw_service_events e
            WHERE e.event IN ('publish', 'deprecate', 'retirement-notice', 'retire', 'suspend', 'resume', 'health-risk', 'health-recovered')
              AND e.service_id IN (SELECT service_id FROM gw_access_requests WHERE consumer_system_id = \(bind: system))
            ORDER BY e.id DESC LIMIT \(unsafeRaw: String(max(1, min(limit, 1000))))
            """
        ).all().map(Self.decodeEvent)
    }

    // MARK: Coding

    static func json(_ value: some Encodable) throws -> String { try MemberStore.json(value) }

    static func searchText(_ service: RegisteredService) -> String {
        VietnameseText.searchKey([service.code, service.version, service.name, service.description ?? "", service.purpose ?? ""].joined(separator: " "))
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ row: any SQLRow, _ column: String) throws -> T? {
        guard let text = try row.decode(column: column, as: String?.self) else { return nil }
        return try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    private static func bool(_ row: any SQLRow, _ column: String) throws -> Bool {
        if let value = try? row.decode(column: column, as: Bool.self) { return value }
        return try row.decode(column: column, as: Int.self) != 0
    }

    static func decode(_ row: any SQLRow) throws -> RegisteredService {
        var auth = try decodeJSON(RegisteredService.UpstreamAuth.self, row, "upstream_auth") ?? .none
        auth.hasSecret = try bool(row, "has_secret")
        return RegisteredService(
            id: try row.decode(column: "id", as: String.self), systemId: try row.decode(column: "system_id", as: String.self),
            memberId: try row.decode(column: "member_id", as: String?.self),
            code: try row.decode(column: "code", as: String.self), version: try row.decode(column: "version", as: String.self),
            name: try row.decode(column: "name", as: String.self), description: try row.decode(column: "description", as: String?.self),
            purpose: try row.decode(column: "purpose", as: String?.self),
            status: RegisteredService.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .draft,
            upstreams: try decodeJSON([String: String].self, row, "upstreams") ?? [:], upstreamAuth: auth,
            documentation: try decodeJSON(ServiceDocumentation.self, row, "documentation"),
            hasOpenAPI: try bool(row, "has_openapi"), hasTestCollection: try bool(row, "has_test_collection"),
            contact: try decodeJSON(Member.Contact.self, row, "contact"), health: try decodeJSON(RegisteredService.HealthProbe.self, row, "health"),
            securityCommitment: try decodeJSON(RegisteredService.SecurityCommitment.self, row, "security_commitment"),
            timeoutMs: try row.decode(column: "timeout_ms", as: Int.self), maxRequestBytes: try row.decode(column: "max_request_bytes", as: Int64.self),
            publishedAt: try row.decode(column: "published_at", as: String?.self), deprecatedAt: try row.decode(column: "deprecated_at", as: String?.self),
            sunsetAt: try row.decode(column: "sunset_at", as: String?.self), successorVersion: try row.decode(column: "successor_version", as: String?.self),
            retireNoticeAt: try row.decode(column: "retire_notice_at", as: String?.self), retireAt: try row.decode(column: "retire_at", as: String?.self),
            retireReason: try row.decode(column: "retire_reason", as: String?.self), retiredAt: try row.decode(column: "retired_at", as: String?.self),
            suspendedAt: try row.decode(column: "suspended_at", as: String?.self), suspendedReason: try row.decode(column: "suspended_reason", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self), updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }

    static func decodeEvent(_ row: any SQLRow) throws -> ServiceEvent {
        ServiceEvent(
            serviceId: try row.decode(column: "service_id", as: String.self), event: try row.decode(column: "event", as: String.self),
            fromStatus: try row.decode(column: "from_status", as: String?.self), toStatus: try row.decode(column: "to_status", as: String?.self),
            at: try row.decode(column: "at", as: String.self), actor: try row.decode(column: "actor", as: String.self),
            details: try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(column: "details", as: String.self).utf8))
        )
    }
}
