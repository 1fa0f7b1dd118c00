import Core
import Foundation

/// What a subscriber receives (JSON body of the POST).
struct WebhookEvent: Sendable, Codable, Equatable {
    /// Unique; a subscriber that sees the same id twice (a retry after a lost acknowledgement) ignores it.
    let id: String
    /// `catalog.version.published` or `catalog.version.retired`.
    let type: String
    let occurredAt: String
    let catalog: String
    let version: Int
    let label: String?
    let previousVersion: Int?
    let contentHash: String?
    let effectiveFrom: String?
    /// For publications: counts and (up to 100 of each) codes added, removed and changed.
    let diff: VersionDiff.Brief?

    static func published(catalog: String, version: VersionInfo, previous: Int?, diff: VersionDiff.Brief) -> WebhookEvent {
        WebhookEvent(
            id: "evt_" + UUID().uuidString.lowercased(), type: "catalog.version.published", occurredAt: version.publishedAt ?? Timestamp.now(),
            catalog: catalog, version: version.number, label: version.label, previousVersion: previous, contentHash: version.contentHash,
            effectiveFrom: version.effectiveFrom?.text, diff: diff
        )
    }

    static func retired(catalog: String, version: VersionInfo) -> WebhookEvent {
        WebhookEvent(
            id: "evt_" + UUID().uuidString.lowercased(), type: "catalog.version.retired", occurredAt: version.retiredAt ?? Timestamp.now(),
            catalog: catalog, version: version.number, label: version.label, previousVersion: nil, contentHash: version.contentHash,
            effectiveFrom: version.effectiveFrom?.text, diff: nil
        )
    }
}
