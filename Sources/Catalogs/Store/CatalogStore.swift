import Core
import Foundation
import SQLKit

/// A version row with its database id (concepts and mappings hang off the id).
struct StoredVersion: Sendable, Equatable {
    let id: Int64
    var info: VersionInfo
}

/// Catalogs, versions, concepts and mappings in `cat_*`. SQL only; no HTTP, no caching. Functions that
/// take `sql` run on the caller's transaction.
struct CatalogStore: Sendable {
    let database: Database

    // MARK: Catalogs

    static let catalogColumns = "key, name, name_en, description, owner_agency, source, is_open, hierarchical, sync, created_at, updated_at"

    func catalogs(_ sql: (any SQLDatabase)? = nil) async throws -> [CatalogInfo] {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.catalogColumns) FROM cat_catalogs ORDER BY key").all()
            .map(Self.catalog(from:))
    }

    func catalog(_ key: String, _ sql: (any SQLDatabase)? = nil) async throws -> CatalogInfo? {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.catalogColumns) FROM cat_catalogs WHERE key = \(bind: key)")
            .first().map(Self.catalog(from:))
    }

    /// Takes the catalog's row lock for the rest of the transaction (PostgreSQL; SQLite transactions
    /// already hold the write lock), so two publishes of one catalog run one after the other.
    func lockCatalog(_ key: String, _ sql: any SQLDatabase) async throws -> CatalogInfo? {
        let lock = database.engine == .postgres ? " FOR UPDATE" : ""
        return try await sql.raw("SELECT \(unsafeRaw: Self.catalogColumns) FROM cat_catalogs WHERE key = \(bind: key)\(unsafeRaw: lock)")
            .first().map(Self.catalog(from:))
    }

    func insert(_ catalog: CatalogInfo, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO cat_catalogs (\(unsafeRaw: Self.catalogColumns))
            VALUES (\(bind: catalog.key), \(bind: catalog.name), \(bind: catalog.nameEn), \(bind: catalog.description),
                \(bind: catalog.ownerAgency), \(bind: Self.json(catalog.source)), \(bind: catalog.open), \(bind: catalog.hierarchical),
                \(bind: catalog.sync.map(Self.json)), \(bind: catalog.createdAt), \(bind: catalog.updatedAt))
            """
        ).run()
    }

    func update(_ catalog: CatalogInfo, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE cat_catalogs SET name = \(bind: catalog.name), name_en = \(bind: catalog.nameEn), description = \(bind: catalog.description),
                owner_agency = \(bind: catalog.ownerAgency), source = \(bind: Self.json(catalog.source)), is_open = \(bind: catalog.open),
                hierarchical = \(bind: catalog.hierarchical), sync = \(bind: catalog.sync.map(Self.json)), updated_at = \(bind: catalog.updatedAt)
            WHERE key = \(bind: catalog.key)
            """
        ).run()
    }

    static func catalog(from row: any SQLRow) throws -> CatalogInfo {
        CatalogInfo(
            key: try row.decode(column: "key", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            nameEn: try row.decode(column: "name_en", as: String?.self),
            description: try row.decode(column: "description", as: String?.self),
            ownerAgency: try row.decode(column: "owner_agency", as: String?.self),
            source: try parse(CatalogSource.self, try row.decode(column: "source", as: String.self)),
            open: try row.decode(column: "is_open", as: Bool.self),
            hierarchical: try row.decode(column: "hierarchical", as: Bool.self),
            sync: try row.decode(column: "sync", as: String?.self).map { try parse(SyncSource.self, $0) },
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }

    // MARK: Versions

    static let versionColumns = """
        id, catalog_key, number, label, status, origin, note, effective_from, effective_to, created_at, created_by, published_at,
        retired_at, concept_count, content_hash, source_version
        """

    func versions(of key: String? = nil, _ sql: (any SQLDatabase)? = nil) async throws -> [StoredVersion] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.versionColumns) FROM cat_versions")
        if let key { query = query + " WHERE catalog_key = \(bind: key)" }
        query = query + " ORDER BY catalog_key, number"
        return try await (sql ?? database.sql).raw(query).all().map(Self.version(from:))
    }

    func version(_ key: String, number: Int, _ sql: (any SQLDatabase)? = nil) async throws -> StoredVersion? {
        try await (sql ?? database.sql).raw(
            "SELECT \(unsafeRaw: Self.versionColumns) FROM cat_versions WHERE catalog_key = \(bind: key) AND number = \(bind: number)"
        ).first().map(Self.version(from:))
    }

    func nextVersionNumber(_ key: String, _ sql: any SQLDatabase) async throws -> Int {
        let row = try await sql.raw("SELECT MAX(number) AS last FROM cat_versions WHERE catalog_key = \(bind: key)").first()
        return (try row?.decode(column: "last", as: Int?.self) ?? 0) + 1
    }

    /// Inserts the version and returns its id.
    func insert(_ version: VersionInfo, _ sql: any SQLDatabase) async throws -> Int64 {
        let row = try await sql.raw(
            """
            INSERT INTO cat_versions (catalog_key, number, label, status, origin, note, effective_from, effective_to, created_at, created_by,
                published_at, retired_at, concept_count, content_hash, source_version)
            VALUES (\(bind: version.catalog), \(bind: version.number), \(bind: version.label), \(bind: version.status.rawValue),
                \(bind: version.origin.rawValue), \(bind: version.note), \(bind: version.effectiveFrom?.text), \(bind: version.effectiveTo?.text),
                \(bind: version.createdAt), \(bind: version.createdBy), \(bind: version.publishedAt), \(bind: version.retiredAt),
                \(bind: version.conceptCount), \(bind: version.contentHash), \(bind: version.sourceVersion))
            RETURNING id
            """
        ).first()
        guard let row else { throw StoreError("INSERT … RETURNING id returned no row") }
        return try row.decode(column: "id", as: Int64.self)
    }

    func update(_ version: StoredVersion, _ sql: any SQLDatabase) async throws {
        let info = version.info
        try await sql.raw(
            """
            UPDATE cat_versions SET label = \(bind: info.label), status = \(bind: info.status.rawValue), note = \(bind: info.note),
                effective_from = \(bind: info.effectiveFrom?.text), effective_to = \(bind: info.effectiveTo?.text),
                published_at = \(bind: info.publishedAt), retired_at = \(bind: info.retiredAt), concept_count = \(bind: info.conceptCount),
                content_hash = \(bind: info.contentHash), source_version = \(bind: info.sourceVersion)
            WHERE id = \(bind: version.id)
            """
        ).run()
    }

    func delete(versionID: Int64, _ sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM cat_mapping_elements WHERE version_id = \(bind: versionID)").run()
        try await sql.raw("DELETE FROM cat_mappings WHERE version_id = \(bind: versionID)").run()
        try await sql.raw("DELETE FROM cat_concepts WHERE version_id = \(bind: versionID)").run()
        try await sql.raw("DELETE FROM cat_versions WHERE id = \(bind: versionID)").run()
    }

    static func version(from row: any SQLRow) throws -> StoredVersion {
        func status() throws -> VersionInfo.Status {
            let text = try row.decode(column: "status", as: String.self)
            guard let status = VersionInfo.Status(rawValue: text) else { throw StoreError("unknown version status \(text)") }
            return status
        }
        func origin() throws -> VersionInfo.Origin {
            let text = try row.decode(column: "origin", as: String.self)
            guard let origin = VersionInfo.Origin(rawValue: text) else { throw StoreError("unknown version origin \(text)") }
            return origin
        }
        return StoredVersion(
            id: try row.decode(column: "id", as: Int64.self),
            info: VersionInfo(
                catalog: try row.decode(column: "catalog_key", as: String.self),
                number: try row.decode(column: "number", as: Int.self),
                label: try row.decode(column: "label", as: String?.self),
                status: try status(),
                origin: try origin(),
                note: try row.decode(column: "note", as: String?.self),
                effectiveFrom: try row.decode(column: "effective_from", as: String?.self).flatMap(Day.init),
                effectiveTo: try row.decode(column: "effective_to", as: String?.self).flatMap(Day.init),
                createdAt: try row.decode(column: "created_at", as: String.self),
                createdBy: try row.decode(column: "created_by", as: String?.self),
                publishedAt: try row.decode(column: "published_at", as: String?.self),
                retiredAt: try row.decode(column: "retired_at", as: String?.self),
                conceptCount: try row.decode(column: "concept_count", as: Int.self),
                contentHash: try row.decode(column: "content_hash", as: String?.self),
                sourceVersion: try row.decode(column: "source_version", as: String?.self)
            )
        )
    }

    // MARK: Concepts

    func concepts(versionID: Int64, _ sql: (any SQLDatabase)? = nil) async throws -> [Concept] {
        try await (sql ?? database.sql).raw(
            """
            SELECT code, display, display_en, parent_code, level, properties, valid_from, valid_to, status
            FROM cat_concepts WHERE version_id = \(bind: versionID) ORDER BY code
            """
        ).all().map(Self.concept(from:))
    }

    func concept(versionID: Int64, code: String, _ sql: any SQLDatabase) async throws -> Concept? {
        try await sql.raw(
            """
            SELECT code, display, display_en, parent_code, level, properties, valid_from, valid_to, status
            FROM cat_concepts WHERE version_id = \(bind: versionID) AND code = \(bind: code)
            """
        ).first().map(Self.concept(from:))
    }

    func conceptCount(versionID: Int64, _ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM cat_concepts WHERE version_id = \(bind: versionID)").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    /// Inserts in batches (one statement per 200 concepts).
    func insert(_ concepts: [Concept], versionID: Int64, _ sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: concepts.count, by: 200) {
            var query = SQLQueryString(
                "INSERT INTO cat_concepts (version_id, code, display, display_en, parent_code, level, properties, valid_from, valid_to, status) VALUES "
            )
            for (offset, concept) in concepts[start..<min(start + 200, concepts.count)].enumerated() {
                if offset > 0 { query = query + ", " }
                query = query + """
                    (\(bind: versionID), \(bind: concept.code), \(bind: concept.display), \(bind: concept.displayEn), \(bind: concept.parent),
                    \(bind: concept.level), \(bind: Self.json(concept.properties)), \(bind: concept.validFrom?.text), \(bind: concept.validTo?.text),
                    \(bind: concept.status.rawValue))
                    """
            }
            try await sql.raw(query).run()
        }
    }

    func deleteConcepts(versionID: Int64, codes: [String]? = nil, _ sql: any SQLDatabase) async throws {
        guard let codes else {
            try await sql.raw("DELETE FROM cat_concepts WHERE version_id = \(bind: versionID)").run()
            return
        }
        for code in codes {
            try await sql.raw("DELETE FROM cat_concepts WHERE version_id = \(bind: versionID) AND code = \(bind: code)").run()
        }
    }

    static func concept(from row: any SQLRow) throws -> Concept {
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = ConceptStatus(rawValue: statusText) else { throw StoreError("unknown concept status \(statusText)") }
        return Concept(
            code: try row.decode(column: "code", as: String.self),
            display: try row.decode(column: "display", as: String.self),
            displayEn: try row.decode(column: "display_en", as: String?.self),
            parent: try row.decode(column: "parent_code", as: String?.self),
            level: try row.decode(column: "level", as: String?.self),
            properties: try parse([String: String].self, try row.decode(column: "properties", as: String.self)),
            validFrom: try row.decode(column: "valid_from", as: String?.self).flatMap(Day.init),
            validTo: try row.decode(column: "valid_to", as: String?.self).flatMap(Day.init),
            status: status
        )
    }

    // MARK: Mappings

    func mappings(versionID: Int64, _ sql: (any SQLDatabase)? = nil) async throws -> [ConceptMap] {
        let sql = sql ?? database.sql
        let maps = try await sql.raw(
            "SELECT target_catalog, target_version, description FROM cat_mappings WHERE version_id = \(bind: versionID) ORDER BY target_catalog"
        ).all()
        let elements = try await sql.raw(
            """
            SELECT target_catalog, source_code, target_code, kind, comment FROM cat_mapping_elements
            WHERE version_id = \(bind: versionID) ORDER BY target_catalog, source_code, target_code
            """
        ).all()
        var byTarget: [String: [MappingElement]] = [:]
        for row in elements {
            let kindText = try row.decode(column: "kind", as: String.self)
            guard let kind = MappingKind(rawValue: kindText) else { throw StoreError("unknown mapping kind \(kindText)") }
            byTarget[try row.decode(column: "target_catalog", as: String.self), default: []].append(MappingElement(
                source: try row.decode(column: "source_code", as: String.self),
                target: try row.decode(column: "target_code", as: String.self),
                kind: kind,
                comment: try row.decode(column: "comment", as: String?.self)
            ))
        }
        return try maps.map { row in
            let target = try row.decode(column: "target_catalog", as: String.self)
            return ConceptMap(
                target: target, targetVersion: try row.decode(column: "target_version", as: Int.self),
                description: try row.decode(column: "description", as: String?.self), elements: byTarget[target] ?? []
            )
        }
    }

    /// Replaces the version's map to `map.target` (or removes it when `elements` is empty and `remove`).
    func replace(_ map: ConceptMap, versionID: Int64, _ sql: any SQLDatabase) async throws {
        try await deleteMapping(target: map.target, versionID: versionID, sql)
        try await sql.raw(
            """
            INSERT INTO cat_mappings (version_id, target_catalog, target_version, description)
            VALUES (\(bind: versionID), \(bind: map.target), \(bind: map.targetVersion), \(bind: map.description))
            """
        ).run()
        for start in stride(from: 0, to: map.elements.count, by: 200) {
            var query = SQLQueryString("INSERT INTO cat_mapping_elements (version_id, target_catalog, source_code, target_code, kind, comment) VALUES ")
            for (offset, element) in map.elements[start..<min(start + 200, map.elements.count)].enumerated() {
                if offset > 0 { query = query + ", " }
                query = query + """
                    (\(bind: versionID), \(bind: map.target), \(bind: element.source), \(bind: element.target), \(bind: element.kind.rawValue),
                    \(bind: element.comment))
                    """
            }
            try await sql.raw(query).run()
        }
    }

    func deleteMapping(target: String, versionID: Int64, _ sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM cat_mapping_elements WHERE version_id = \(bind: versionID) AND target_catalog = \(bind: target)").run()
        try await sql.raw("DELETE FROM cat_mappings WHERE version_id = \(bind: versionID) AND target_catalog = \(bind: target)").run()
    }

    // MARK: Generation

    func generation(_ sql: (any SQLDatabase)? = nil) async throws -> Int64 {
        try await (sql ?? database.sql).raw("SELECT generation FROM cat_generation WHERE id = 1").first()?
            .decode(column: "generation", as: Int64.self) ?? 0
    }

    /// Marks a change other processes must notice (in the caller's transaction).
    func bumpGeneration(_ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE cat_generation SET generation = generation + 1 WHERE id = 1").run()
    }

    // MARK: Sync state

    func syncStates(_ sql: (any SQLDatabase)? = nil) async throws -> [String: SyncState] {
        let rows = try await (sql ?? database.sql).raw(
            "SELECT catalog_key, checked_at, outcome, detail, source_etag, source_version, changed_at FROM cat_sync_state"
        ).all()
        var states: [String: SyncState] = [:]
        for row in rows {
            let key = try row.decode(column: "catalog_key", as: String.self)
            states[key] = SyncState(
                checkedAt: try row.decode(column: "checked_at", as: String.self),
                outcome: try row.decode(column: "outcome", as: String.self),
                detail: try row.decode(column: "detail", as: String?.self),
                sourceETag: try row.decode(column: "source_etag", as: String?.self),
                sourceVersion: try row.decode(column: "source_version", as: String?.self),
                changedAt: try row.decode(column: "changed_at", as: String?.self)
            )
        }
        return states
    }

    func saveSyncState(_ key: String, _ state: SyncState, _ sql: (any SQLDatabase)? = nil) async throws {
        let sql = sql ?? database.sql
        try await sql.raw("DELETE FROM cat_sync_state WHERE catalog_key = \(bind: key)").run()
        try await sql.raw(
            """
            INSERT INTO cat_sync_state (catalog_key, checked_at, outcome, detail, source_etag, source_version, changed_at)
            VALUES (\(bind: key), \(bind: state.checkedAt), \(bind: state.outcome), \(bind: state.detail), \(bind: state.sourceETag),
                \(bind: state.sourceVersion), \(bind: state.changedAt))
            """
        ).run()
    }

    // MARK: JSON columns

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }

    static func parse<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

/// The last synchronization of one catalog, for operators.
public struct SyncState: Sendable, Equatable, Codable {
    public var checkedAt: String
    /// `unchanged`, `updated`, `failed`, `skipped`.
    public var outcome: String
    public var detail: String?
    public var sourceETag: String?
    public var sourceVersion: String?
    /// When content last changed through sync.
    public var changedAt: String?
}

struct StoreError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
