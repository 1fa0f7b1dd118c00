import Foundation
import NIOCore

/// Everything reads need of one version, built once and never changed: concepts by code, children by
/// parent, the search index, mappings both ways, and each concept's JSON already encoded. Lookups,
/// `$validate-code` and searches answer from here without touching the database.
final class CatalogIndex: Sendable {
    let catalog: String
    let versionID: Int64
    let version: VersionInfo
    /// Sorted by code.
    let concepts: [Concept]
    let positions: [String: Int]
    /// Parent code → positions of its children, in code order. Top-level concepts are under "".
    let children: [String: [Int]]
    let search: SearchIndex
    /// Each concept as JSON (for lists).
    let conceptJSON: [ByteBuffer]
    /// Each concept as JSON with `catalog` and `version` first (for a single lookup).
    let lookupJSON: [ByteBuffer]
    let mappings: [String: MappingIndex]
    let contentHash: String
    /// The start of every ETag served from this version: changes with the content.
    let etagBase: String

    init(catalog: String, versionID: Int64, version: VersionInfo, concepts: [Concept], mappings: [ConceptMap]) {
        self.catalog = catalog
        self.versionID = versionID
        self.version = version
        let sorted = concepts.sorted { $0.code < $1.code }
        self.concepts = sorted
        var positions: [String: Int] = [:]
        var children: [String: [Int]] = [:]
        positions.reserveCapacity(sorted.count)
        for (position, concept) in sorted.enumerated() {
            positions[concept.code] = position
            children[concept.parent ?? "", default: []].append(position)
        }
        self.positions = positions
        self.children = children
        self.search = SearchIndex(concepts: sorted)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let prefix = "{\"catalog\":\(CatalogIndex.jsonString(catalog)),\"version\":\(version.number),"
        var plain: [ByteBuffer] = []
        var single: [ByteBuffer] = []
        plain.reserveCapacity(sorted.count)
        single.reserveCapacity(sorted.count)
        for concept in sorted {
            let data = (try? encoder.encode(concept)) ?? Data("{}".utf8)
            plain.append(ByteBuffer(bytes: data))
            var buffer = ByteBuffer(string: prefix)
            buffer.writeBytes(data.dropFirst())
            single.append(buffer)
        }
        self.conceptJSON = plain
        self.lookupJSON = single
        self.mappings = Dictionary(uniqueKeysWithValues: mappings.map { ($0.target, MappingIndex($0)) })
        let hash = version.contentHash ?? ContentHash.of(concepts: sorted, mappings: mappings)
        self.contentHash = hash
        let digest = hash.hasPrefix("sha256:") ? String(hash.dropFirst(7).prefix(16)) : String(hash.prefix(16))
        self.etagBase = "\(version.number)-\(digest)"
    }

    func concept(_ code: String) -> Concept? {
        positions[code].map { concepts[$0] }
    }

    /// The chain of parents above `code`, nearest first.
    func ancestors(of code: String) -> [Concept] {
        var result: [Concept] = []
        var seen = Set<String>([code])
        var current = concept(code)?.parent
        while let parent = current, seen.insert(parent).inserted, let found = self.concept(parent) {
            result.append(found)
            current = found.parent
        }
        return result
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// One concept map, indexed from both ends.
struct MappingIndex: Sendable {
    let map: ConceptMap
    let bySource: [String: [MappingElement]]
    let byTarget: [String: [MappingElement]]

    init(_ map: ConceptMap) {
        self.map = map
        bySource = Dictionary(grouping: map.elements, by: \.source)
        byTarget = Dictionary(grouping: map.elements, by: \.target)
    }
}
