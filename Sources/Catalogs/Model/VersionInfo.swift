/// One version of a catalog. Drafts are edited; a published version never changes; a retired version is
/// kept for history and explicit lookups but is never current.
public struct VersionInfo: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case draft, published, retired
    }

    public enum Origin: String, Sendable, Codable {
        /// Loaded from seed data on first start.
        case seed
        /// Created through the API or the command line.
        case manual
        /// Created by synchronization with the national dictionary.
        case sync
    }

    public var catalog: String
    public var number: Int
    public var label: String?
    public var status: Status
    public var origin: Origin
    public var note: String?
    /// The day the version takes effect (inclusive).
    public var effectiveFrom: Day?
    /// The day it stops being in effect (exclusive).
    public var effectiveTo: Day?
    public var createdAt: String
    public var createdBy: String?
    public var publishedAt: String?
    public var retiredAt: String?
    public var conceptCount: Int
    /// `sha256:<hex>` of the content (concepts and mappings); set when published.
    public var contentHash: String?
    /// For sync versions: the dictionary's version identifier.
    public var sourceVersion: String?

    var effective: Validity { Validity(from: effectiveFrom, to: effectiveTo) }
}
