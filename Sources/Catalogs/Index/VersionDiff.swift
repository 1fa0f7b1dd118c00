/// What changed between two versions of a catalog: codes added, codes removed, and codes whose fields
/// changed, with the old and new value of each field.
struct VersionDiff: Sendable, Encodable {
    struct FieldChange: Sendable, Encodable, Equatable {
        let field: String
        let from: String?
        let to: String?
    }

    struct Changed: Sendable, Encodable {
        let code: String
        let display: String
        let fields: [FieldChange]
    }

    struct Summary: Sendable, Encodable, Equatable {
        let added: Int
        let removed: Int
        let changed: Int
        let unchanged: Int

        var isEmpty: Bool { added == 0 && removed == 0 && changed == 0 }
    }

    let added: [Concept]
    let removed: [Concept]
    let changed: [Changed]
    let summary: Summary

    init(from old: [Concept], to new: [Concept]) {
        let before = Dictionary(old.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        var added: [Concept] = []
        var changed: [Changed] = []
        var unchanged = 0
        for concept in new.sorted(by: { $0.code < $1.code }) {
            guard let previous = before[concept.code] else {
                added.append(concept)
                continue
            }
            let fields = previous.changedFields(comparedTo: concept)
            if fields.isEmpty {
                unchanged += 1
            } else {
                changed.append(Changed(
                    code: concept.code, display: concept.display,
                    fields: fields.map { FieldChange(field: $0, from: previous.value(of: $0), to: concept.value(of: $0)) }
                ))
            }
        }
        let removed = old.filter { after[$0.code] == nil }.sorted { $0.code < $1.code }
        self.added = added
        self.removed = removed
        self.changed = changed
        self.summary = Summary(added: added.count, removed: removed.count, changed: changed.count, unchanged: unchanged)
    }

    /// Counts and the codes involved (at most `limit` of each), for the audit log and webhooks.
    func brief(limit: Int = 100) -> Brief {
        Brief(
            summary: summary,
            addedCodes: added.prefix(limit).map(\.code), removedCodes: removed.prefix(limit).map(\.code),
            changedCodes: changed.prefix(limit).map(\.code),
            truncated: added.count > limit || removed.count > limit || changed.count > limit
        )
    }

    struct Brief: Sendable, Codable, Equatable {
        let summary: Summary
        let addedCodes: [String]
        let removedCodes: [String]
        let changedCodes: [String]
        let truncated: Bool
    }
}

extension VersionDiff.Summary: Decodable {}
