/// Response bodies of the catalog API (field names English, values as stored).

struct CatalogDocument: Encodable, Sendable {
    let info: CatalogInfo
    let currentVersion: Int?
    let currentLabel: String?
    let conceptCount: Int?
    let effectiveFrom: String?
    let effectiveTo: String?
    /// Published and retired versions.
    let versions: Int
    /// The open draft's number (shown to administrators).
    let draft: Int?
    /// The last synchronization (shown to administrators in lists).
    let sync: SyncState?

    enum CodingKeys: String, CodingKey {
        case key, name, nameEn, description, ownerAgency, source, open, hierarchical, syncSource, createdAt, updatedAt
        case currentVersion, currentLabel, conceptCount, effectiveFrom, effectiveTo, versions, draft, lastSync
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(info.key, forKey: .key)
        try container.encode(info.name, forKey: .name)
        try container.encodeIfPresent(info.nameEn, forKey: .nameEn)
        try container.encodeIfPresent(info.description, forKey: .description)
        try container.encodeIfPresent(info.ownerAgency, forKey: .ownerAgency)
        try container.encode(info.source, forKey: .source)
        try container.encode(info.open, forKey: .open)
        try container.encode(info.hierarchical, forKey: .hierarchical)
        try container.encodeIfPresent(info.sync, forKey: .syncSource)
        try container.encode(info.createdAt, forKey: .createdAt)
        try container.encode(info.updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(currentVersion, forKey: .currentVersion)
        try container.encodeIfPresent(currentLabel, forKey: .currentLabel)
        try container.encodeIfPresent(conceptCount, forKey: .conceptCount)
        try container.encodeIfPresent(effectiveFrom, forKey: .effectiveFrom)
        try container.encodeIfPresent(effectiveTo, forKey: .effectiveTo)
        try container.encode(versions, forKey: .versions)
        try container.encodeIfPresent(draft, forKey: .draft)
        try container.encodeIfPresent(sync, forKey: .lastSync)
    }
}

struct VersionDocument: Encodable, Sendable {
    let version: VersionInfo
    let current: Bool
    var mappings: [MappingSummary]?

    init(_ version: VersionInfo, current: Bool) {
        self.version = version
        self.current = current
    }

    enum CodingKeys: String, CodingKey {
        case current, mappings
    }

    func encode(to encoder: any Encoder) throws {
        try version.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(current, forKey: .current)
        try container.encodeIfPresent(mappings, forKey: .mappings)
    }
}

struct MappingSummary: Encodable, Sendable {
    let target: String
    let targetVersion: Int
    let description: String?
    let elements: Int
}

struct LookupDocument: Encodable, Sendable {
    struct Ancestor: Encodable, Sendable {
        let code: String
        let display: String
        let level: String?
    }

    let catalog: String
    let catalogName: String
    let version: Int
    let concept: Concept
    /// Nearest first.
    let ancestors: [Ancestor]
    let childCount: Int
    /// Catalogs this version maps to (`$translate?target=`).
    let mappings: [String]

    enum CodingKeys: String, CodingKey {
        case catalog, catalogName, version, ancestors, childCount, mappings
    }

    func encode(to encoder: any Encoder) throws {
        try concept.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(catalog, forKey: .catalog)
        try container.encode(catalogName, forKey: .catalogName)
        try container.encode(version, forKey: .version)
        try container.encode(ancestors, forKey: .ancestors)
        try container.encode(childCount, forKey: .childCount)
        try container.encode(mappings, forKey: .mappings)
    }
}

struct TranslationDocument: Encodable, Sendable {
    struct Match: Encodable, Sendable {
        let code: String
        let display: String?
        /// `merged-whole`, `merged-part`, `unchanged`, `renamed`, `split`, `equivalent`, `related`.
        let kind: String
        let kindName: String
        /// FHIR ConceptMap relationship.
        let relationship: String
        let comment: String?
        /// Forward only: whether the code is still in the target catalog's current version.
        let inCurrentTarget: Bool?
    }

    let result: Bool
    /// `forward` (this catalog → target) or `reverse` (source → this catalog).
    let direction: String
    let catalog: String
    let version: Int
    let code: String
    let display: String?
    /// The other catalog.
    let target: String
    let targetVersion: Int
    let matches: [Match]
    let message: String?
}

struct DiffDocument: Encodable, Sendable {
    let catalog: String
    let from: Int
    let to: Int
    let diff: VersionDiff

    enum CodingKeys: String, CodingKey {
        case catalog, from, to, summary, added, removed, changed
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(catalog, forKey: .catalog)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(diff.summary, forKey: .summary)
        try container.encode(diff.added, forKey: .added)
        try container.encode(diff.removed, forKey: .removed)
        try container.encode(diff.changed, forKey: .changed)
    }
}
