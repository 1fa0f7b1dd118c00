import Core
import Foundation
import SQLKit

/// `gw_members`, `gw_member_names`, `gw_member_events`, `gw_systems`, `gw_system_clients`.
struct MemberStore: Sendable {
    let database: Database

    static let memberColumns = "id, identifier, name, parent_id, level, contacts, status, successors, created_at, updated_at"
    static let systemColumns = "id, member_id, code, name, kind, description, status, created_at, updated_at"

    func insert(_ member: Member, operation: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_members (\(unsafeRaw: Self.memberColumns), search_text)
            VALUES (\(bind: member.id), \(bind: member.identifier), \(bind: member.name), \(bind: member.parentId), \(bind: member.level.rawValue),
                \(bind: try Self.json(member.contacts)), \(bind: member.status.rawValue), \(bind: try Self.json(member.successors)),
                \(bind: member.createdAt), \(bind: member.updatedAt), \(bind: Self.searchText(member)))
            """
        ).run()
        try await openName(member, operation: operation, at: member.createdAt, sql)
    }

    func update(_ member: Member, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE gw_members SET identifier = \(bind: member.identifier), name = \(bind: member.name), parent_id = \(bind: member.parentId),
                level = \(bind: member.level.rawValue), contacts = \(bind: try Self.json(member.contacts)), status = \(bind: member.status.rawValue),
                successors = \(bind: try Self.json(member.successors)), updated_at = \(bind: member.updatedAt), search_text = \(bind: Self.searchText(member))
            WHERE id = \(bind: member.id)
            """
        ).run()
    }

    /// Closes the current name record and opens one for the member as it is now.
    func rename(_ member: Member, operation: String, at: String, _ sql: any SQLDatabase) async throws {
        try await closeName(member.id, at: at, sql)
        try await openName(member, operation: operation, at: at, sql)
    }

    func closeName(_ id: String, at: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE gw_member_names SET valid_to = \(bind: at) WHERE member_id = \(bind: id) AND valid_to IS NULL").run()
    }

    private func openName(_ member: Member, operation: String, at: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_member_names (member_id, identifier, name, valid_from, operation)
            VALUES (\(bind: member.id), \(bind: member.identifier), \(bind: member.name), \(bind: at), \(bind: operation))
            """
        ).run()
    }

    func event(_ id: String, operation: String, details: JSONValue, actor: String, at: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_member_events (member_id, operation, details, actor, at)
            VALUES (\(bind: id), \(bind: operation), \(bind: String(decoding: try details.encoded(), as: UTF8.self)), \(bind: actor), \(bind: at))
            """
        ).run()
    }

    func member(_ id: String, _ sql: (any SQLDatabase)? = nil, forUpdate: Bool = false) async throws -> Member? {
        let lock = forUpdate && database.engine == .postgres ? " FOR UPDATE" : ""
        return try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.memberColumns) FROM gw_members WHERE id = \(bind: id)\(unsafeRaw: lock)")
            .first().map(Self.decodeMember)
    }

    func member(identifier: String, _ sql: (any SQLDatabase)? = nil) async throws -> Member? {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.memberColumns) FROM gw_members WHERE identifier = \(bind: identifier)")
            .first().map(Self.decodeMember)
    }

    /// Whether an identifier is or was carried by a member other than `except`.
    func identifierTaken(_ identifier: String, except: String?, _ sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            "SELECT 1 AS x FROM gw_member_names WHERE identifier = \(bind: identifier) AND member_id <> \(bind: except ?? "") LIMIT 1"
        ).first() != nil
    }

    func names(_ id: String) async throws -> [Member.Name] {
        try await database.sql.raw(
            "SELECT identifier, name, valid_from, valid_to, operation FROM gw_member_names WHERE member_id = \(bind: id) ORDER BY id"
        ).all().map { row in
            Member.Name(
                identifier: try row.decode(column: "identifier", as: String.self), name: try row.decode(column: "name", as: String.self),
                validFrom: try row.decode(column: "valid_from", as: String.self), validTo: try row.decode(column: "valid_to", as: String?.self),
                operation: try row.decode(column: "operation", as: String.self)
            )
        }
    }

    /// Members, optionally by status and by words of name or identifier (accents and case ignored).
    func members(query: String?, status: Member.Status?, limit: Int) async throws -> [Member] {
        var conditions: [SQLQueryString] = []
        if let status { conditions.append("status = \(bind: status.rawValue)") }
        for term in VietnameseText.searchTerms(query ?? "") {
            conditions.append("search_text LIKE \(bind: "%" + term + "%")")
        }
        var sql: SQLQueryString = "SELECT \(unsafeRaw: Self.memberColumns) FROM gw_members"
        if !conditions.isEmpty { sql = sql + " WHERE " + conditions.joined(separator: " AND ") }
        sql = sql + " ORDER BY identifier LIMIT \(bind: limit)"
        return try await database.sql.raw(sql).all().map(Self.decodeMember)
    }

    // MARK: Systems

    func insert(_ system: ConnectedSystem, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_systems (\(unsafeRaw: Self.systemColumns))
            VALUES (\(bind: system.id), \(bind: system.memberId), \(bind: system.code), \(bind: system.name), \(bind: system.kind.rawValue),
                \(bind: system.description), \(bind: system.status.rawValue), \(bind: system.createdAt), \(bind: system.updatedAt))
            """
        ).run()
    }

    func system(_ id: String, _ sql: (any SQLDatabase)? = nil) async throws -> ConnectedSystem? {
        let sql = sql ?? database.sql
        guard var system = try await sql.raw("SELECT \(unsafeRaw: Self.systemColumns) FROM gw_systems WHERE id = \(bind: id)").first().map(Self.decodeSystem) else {
            return nil
        }
        system.clients = try await clients(of: id, sql)
        return system
    }

    func systems(member: String, _ sql: (any SQLDatabase)? = nil) async throws -> [ConnectedSystem] {
        let sql = sql ?? database.sql
        var systems = try await sql.raw("SELECT \(unsafeRaw: Self.systemColumns) FROM gw_systems WHERE member_id = \(bind: member) ORDER BY code")
            .all().map(Self.decodeSystem)
        for index in systems.indices { systems[index].clients = try await clients(of: systems[index].id, sql) }
        return systems
    }

    func moveSystem(_ id: String, to member: String, at: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE gw_systems SET member_id = \(bind: member), updated_at = \(bind: at) WHERE id = \(bind: id)").run()
    }

    func setSystemStatus(_ id: String, _ status: ConnectedSystem.Status, at: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE gw_systems SET status = \(bind: status.rawValue), updated_at = \(bind: at) WHERE id = \(bind: id)").run()
    }

    func codeTaken(_ code: String, member: String, _ sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT 1 AS x FROM gw_systems WHERE member_id = \(bind: member) AND code = \(bind: code)").first() != nil
    }

    func clients(of system: String, _ sql: any SQLDatabase) async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await sql.raw("SELECT environment, client_id FROM gw_system_clients WHERE system_id = \(bind: system)").all() {
            result[try row.decode(column: "environment", as: String.self)] = try row.decode(column: "client_id", as: String.self)
        }
        return result
    }

    /// The system (and environment) an SSO client belongs to.
    struct ClientBinding: Sendable, Equatable {
        let systemId: String
        let environment: Environment
        let memberId: String
        let memberIdentifier: String
        let systemCode: String
        let active: Bool
    }

    func binding(clientID: String) async throws -> ClientBinding? {
        guard let row = try await database.sql.raw(
            """
            SELECT c.system_id, c.environment, y.member_id, y.code, y.status AS system_status, m.identifier, m.status AS member_status
            FROM gw_system_clients c JOIN gw_systems y ON y.id = c.system_id JOIN gw_members m ON m.id = y.member_id
            WHERE c.client_id = \(bind: clientID)
            """
        ).first(), let environment = Environment(rawValue: try row.decode(column: "environment", as: String.self)) else { return nil }
        return ClientBinding(
            systemId: try row.decode(column: "system_id", as: String.self), environment: environment,
            memberId: try row.decode(column: "member_id", as: String.self), memberIdentifier: try row.decode(column: "identifier", as: String.self),
            systemCode: try row.decode(column: "code", as: String.self),
            active: try row.decode(column: "system_status", as: String.self) == "active" && row.decode(column: "member_status", as: String.self) == "active"
        )
    }

    func addClient(system: String, environment: Environment, clientID: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO gw_system_clients (system_id, environment, client_id, created_at)
            VALUES (\(bind: system), \(bind: environment.rawValue), \(bind: clientID), \(bind: Timestamp.now()))
            """
        ).run()
    }

    // MARK: Coding

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func searchText(_ member: Member) -> String {
        VietnameseText.searchKey(member.name + " " + member.identifier)
    }

    static func decodeMember(_ row: any SQLRow) throws -> Member {
        Member(
            id: try row.decode(column: "id", as: String.self), identifier: try row.decode(column: "identifier", as: String.self),
            name: try row.decode(column: "name", as: String.self), parentId: try row.decode(column: "parent_id", as: String?.self),
            level: Member.Level(rawValue: try row.decode(column: "level", as: String.self)) ?? .other,
            contacts: try JSONDecoder().decode([Member.Contact].self, from: Data(try row.decode(column: "contacts", as: String.self).utf8)),
            status: Member.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .active,
            successors: try JSONDecoder().decode([String].self, from: Data(try row.decode(column: "successors", as: String.self).utf8)),
            createdAt: try row.decode(column: "created_at", as: String.self), updatedAt: try row.decode(column: "updated_at", as: String.self),
            names: nil
        )
    }

    static func decodeSystem(_ row: any SQLRow) throws -> ConnectedSystem {
        ConnectedSystem(
            id: try row.decode(column: "id", as: String.self), memberId: try row.decode(column: "member_id", as: String.self),
            code: try row.decode(column: "code", as: String.self), name: try row.decode(column: "name", as: String.self),
            kind: ConnectedSystem.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .informationSystem,
            description: try row.decode(column: "description", as: String?.self),
            status: ConnectedSystem.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .active, clients: [:],
            createdAt: try row.decode(column: "created_at", as: String.self), updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }
}
