import Core

/// Word-prefix search over a version's names, ignoring accents and case: every word of the query must
/// begin a word of the concept's name (or English name, or be a prefix of its code). `buon ma` finds
/// “Phường Buôn Ma Thuột”, `dak lak` finds “Tỉnh Đắk Lắk”. Built once per published version.
struct SearchIndex: Sendable {
    /// Sorted, distinct folded words.
    private let terms: [String]
    /// For each term, the positions of the concepts that contain it.
    private let postings: [[Int32]]
    /// Folded display of each concept, words joined by one space.
    let displayKeys: [String]
    let count: Int

    init(concepts: [Concept]) {
        var byTerm: [String: [Int32]] = [:]
        var keys: [String] = []
        keys.reserveCapacity(concepts.count)
        for (position, concept) in concepts.enumerated() {
            let words = VietnameseText.searchTerms(concept.display)
            keys.append(words.joined(separator: " "))
            var seen = Set<String>()
            for word in words + VietnameseText.searchTerms(concept.displayEn ?? "") + [VietnameseText.fold(concept.code)] where seen.insert(word).inserted {
                byTerm[word, default: []].append(Int32(position))
            }
        }
        let sorted = byTerm.keys.sorted()
        terms = sorted
        postings = sorted.map { byTerm[$0]! }
        displayKeys = keys
        count = concepts.count
    }

    /// Positions of the concepts matching every word of `query`, best first: exact name, name starting
    /// with the query, the query as consecutive words, then the rest; ties by shorter name, then code order.
    func search(_ query: String, limitTo allowed: ((Int) -> Bool)? = nil) -> [Int] {
        let words = VietnameseText.searchTerms(query)
        guard !words.isEmpty else { return [] }
        var matched: [UInt64]? = nil
        for word in words {
            var bits = [UInt64](repeating: 0, count: (count + 63) / 64)
            var index = lowerBound(word)
            while index < terms.count, terms[index].hasPrefix(word) {
                for position in postings[index] { bits[Int(position) >> 6] |= 1 << (UInt64(position) & 63) }
                index += 1
            }
            if let previous = matched {
                for slot in bits.indices { bits[slot] &= previous[slot] }
            }
            matched = bits
        }
        let phrase = words.joined(separator: " ")
        var results: [(rank: Int, length: Int, position: Int)] = []
        for (slot, word) in (matched ?? []).enumerated() where word != 0 {
            var remaining = word
            while remaining != 0 {
                let bit = remaining.trailingZeroBitCount
                remaining &= remaining - 1
                let position = slot << 6 | bit
                if let allowed, !allowed(position) { continue }
                let key = displayKeys[position]
                let rank = key == phrase ? 0 : key.hasPrefix(phrase) ? 1 : key.contains(" " + phrase) ? 2 : 3
                results.append((rank, key.count, position))
            }
        }
        results.sort { ($0.rank, $0.length, $0.position) < ($1.rank, $1.length, $1.position) }
        return results.map(\.position)
    }

    private func lowerBound(_ word: String) -> Int {
        var low = 0
        var high = terms.count
        while low < high {
            let middle = (low + high) / 2
            if terms[middle] < word { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
