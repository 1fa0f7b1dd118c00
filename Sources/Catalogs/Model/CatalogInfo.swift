/// A catalog (code system): what it is, who owns it, where its content comes from.
public struct CatalogInfo: Sendable, Equatable, Codable {
    /// Stable key in URLs: lower-case letters, digits and hyphens (`dan-toc`, `don-vi-hanh-chinh`).
    public var key: String
    public var name: String
    public var nameEn: String?
    public var description: String?
    /// The agency that maintains the list.
    public var ownerAgency: String?
    public var source: CatalogSource
    /// Readable without a token (open data, R-17.12).
    public var open: Bool
    /// Concepts have parents.
    public var hierarchical: Bool
    /// Where synchronization pulls from; nil: national catalogs follow `--catalog-sync-url`.
    public var sync: SyncSource?
    public var createdAt: String
    public var updatedAt: String

    public init(
        key: String, name: String, nameEn: String? = nil, description: String? = nil, ownerAgency: String? = nil,
        source: CatalogSource, open: Bool, hierarchical: Bool = false, sync: SyncSource? = nil, createdAt: String, updatedAt: String
    ) {
        self.key = key
        self.name = name
        self.nameEn = nameEn
        self.description = description
        self.ownerAgency = ownerAgency
        self.source = source
        self.open = open
        self.hierarchical = hierarchical
        self.sync = sync
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// `[a-z0-9]` runs joined by single hyphens, 2–64 characters.
    public static func isValidKey(_ key: String) -> Bool {
        guard (2...64).contains(key.count), !key.hasPrefix("-"), !key.hasSuffix("-"), !key.contains("--") else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// Where a catalog's content is decided.
public struct CatalogSource: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Issued nationally (a ministry, the statistics office, a standard): the province follows it.
        case national
        /// Issued by the province.
        case provincial
    }

    public var kind: Kind
    /// The legal basis: "Quyết định 121-TCTK/PPCĐ ngày 02/3/1979…".
    public var legalBasis: String?
    /// Where the content was taken from.
    public var reference: String?
    /// The reference data file it was built from.
    public var dataset: String?
    /// False when the list is known to be partial.
    public var complete: Bool?

    public init(kind: Kind, legalBasis: String? = nil, reference: String? = nil, dataset: String? = nil, complete: Bool? = nil) {
        self.kind = kind
        self.legalBasis = legalBasis
        self.reference = reference
        self.dataset = dataset
        self.complete = complete
    }
}

/// The dictionary a catalog is synchronized from.
public struct SyncSource: Sendable, Equatable, Codable {
    /// Base URL of the dictionary (`…/dictionary/v1`); nil: `--catalog-sync-url`.
    public var url: String?
    /// The catalog's key there; nil: the same key.
    public var remoteKey: String?
    /// False: never synchronized (a provincial copy is maintained by hand).
    public var enabled: Bool

    public init(url: String? = nil, remoteKey: String? = nil, enabled: Bool = true) {
        self.url = url
        self.remoteKey = remoteKey
        self.enabled = enabled
    }
}
