import Crypto
import Foundation

/// The digest of a version's content (concepts and mappings, in a canonical form): equal content, equal
/// digest, whatever the order things were entered in. Synchronization compares it to decide whether the
/// source changed; ETags are derived from it.
enum ContentHash {
    static func of(concepts: [Concept], mappings: [ConceptMap]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var hasher = SHA256()
        hasher.update(data: Data("concepts\n".utf8))
        for concept in concepts.sorted(by: { $0.code < $1.code }) {
            hasher.update(data: (try? encoder.encode(concept)) ?? Data())
            hasher.update(data: Data("\n".utf8))
        }
        for map in mappings.sorted(by: { $0.target < $1.target }) {
            var canonical = map
            canonical.elements.sort { ($0.source, $0.target) < ($1.source, $1.target) }
            hasher.update(data: Data("mapping\n".utf8))
            hasher.update(data: (try? encoder.encode(canonical)) ?? Data())
            hasher.update(data: Data("\n".utf8))
        }
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
