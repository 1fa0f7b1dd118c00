import Core

/// Checks a whole set of concepts (a draft's content, an import, a synchronized version) before it is
/// stored: code format, required names, duplicates, parents that exist, no cycles, sensible dates and
/// properties. Every problem is reported, not just the first.
enum ConceptValidator {
    static let maxCodeLength = 64
    static let maxDisplayLength = 500
    static let maxPropertyValueLength = 4000
    static let maxProperties = 50

    /// Where each concept came from, to point errors at it: a CSV line or an index in a JSON array.
    enum Origin: Sendable {
        case line(Int)
        case index(Int)
        case code(String)

        func pointer(_ field: String?) -> String {
            switch self {
            case .line(let line): return "#row=\(line)" + (field.map { ";field=\($0)" } ?? "")
            case .index(let index): return "/concepts/\(index)" + (field.map { "/\($0)" } ?? "")
            case .code(let code): return "/concepts/\(code)" + (field.map { "/\($0)" } ?? "")
            }
        }

        var line: Int? {
            if case .line(let line) = self { return line }
            return nil
        }
    }

    /// `[A-Za-z0-9]` first, then letters, digits and `. _ : -`; at most 64.
    static func isValidCode(_ code: String) -> Bool {
        guard let first = code.unicodeScalars.first, code.unicodeScalars.count <= maxCodeLength else { return false }
        func plain(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        return plain(first) && code.unicodeScalars.allSatisfy { plain($0) || $0 == "." || $0 == "_" || $0 == ":" || $0 == "-" }
    }

    static func isValidPropertyName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 64, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    /// One concept on its own (no reference to the others).
    static func check(_ concept: Concept, origin: Origin) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        func fail(_ field: String?, _ message: String) {
            errors.append(.init(pointer: origin.pointer(field), message: message, line: origin.line, code: concept.code.isEmpty ? nil : concept.code))
        }
        if concept.code.isEmpty {
            fail("code", "Thiếu mã.")
        } else if !isValidCode(concept.code) {
            fail("code", "Mã “\(concept.code)” không hợp lệ: chỉ gồm chữ không dấu, chữ số và . _ : -, bắt đầu bằng chữ hoặc số, tối đa \(maxCodeLength) ký tự.")
        }
        if concept.display.isEmpty {
            fail("display", "Thiếu tên (display).")
        } else if concept.display.count > maxDisplayLength {
            fail("display", "Tên dài quá \(maxDisplayLength) ký tự.")
        }
        if let displayEn = concept.displayEn, displayEn.count > maxDisplayLength {
            fail("displayEn", "Tên tiếng Anh dài quá \(maxDisplayLength) ký tự.")
        }
        if let level = concept.level, level.count > 64 {
            fail("level", "Cấp (level) dài quá 64 ký tự.")
        }
        if let parent = concept.parent, parent == concept.code {
            fail("parent", "Mã cha không được là chính nó.")
        }
        if let from = concept.validFrom, let to = concept.validTo, !(from < to) {
            fail("validTo", "Ngày hết hiệu lực (\(to)) phải sau ngày bắt đầu hiệu lực (\(from)).")
        }
        if concept.properties.count > maxProperties {
            fail("properties", "Nhiều hơn \(maxProperties) thuộc tính.")
        }
        for (name, value) in concept.properties.sorted(by: { $0.key < $1.key }) {
            if !isValidPropertyName(name) {
                fail("properties", "Tên thuộc tính “\(name)” không hợp lệ: bắt đầu bằng chữ, gồm chữ không dấu, số, _ và -.")
            }
            if value.count > maxPropertyValueLength {
                fail("properties", "Thuộc tính “\(name)” dài quá \(maxPropertyValueLength) ký tự.")
            }
        }
        return errors
    }

    /// Codes given more than once.
    static func duplicates(_ concepts: [(Concept, Origin)]) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        var firstOrigin: [String: Origin] = [:]
        for (concept, origin) in concepts where !concept.code.isEmpty {
            if let first = firstOrigin[concept.code] {
                errors.append(.init(
                    pointer: origin.pointer("code"), message: "Mã “\(concept.code)” trùng với \(describe(first)).",
                    line: origin.line, code: concept.code
                ))
            } else {
                firstOrigin[concept.code] = origin
            }
        }
        return errors
    }

    /// The whole set: each concept, then duplicates, unknown parents and cycles.
    static func check(_ concepts: [(Concept, Origin)]) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        var firstOrigin: [String: Origin] = [:]
        for (concept, origin) in concepts {
            errors += check(concept, origin: origin)
            if concept.code.isEmpty { continue }
            if let first = firstOrigin[concept.code] {
                errors.append(.init(
                    pointer: origin.pointer("code"), message: "Mã “\(concept.code)” trùng với \(describe(first)).",
                    line: origin.line, code: concept.code
                ))
            } else {
                firstOrigin[concept.code] = origin
            }
        }
        var parents: [String: String] = [:]
        for (concept, origin) in concepts {
            guard let parent = concept.parent, parent != concept.code else { continue }
            if firstOrigin[parent] == nil {
                errors.append(.init(
                    pointer: origin.pointer("parent"), message: "Mã cha “\(parent)” không có trong danh mục.", line: origin.line, code: concept.code
                ))
            } else {
                parents[concept.code] = parent
            }
        }
        // Cycles: follow parents; a walk that comes back to a code on its own path is a cycle. Each cycle
        // is reported once, at its smallest code.
        var state: [String: Int] = [:]  // 1 = on the current path, 2 = done
        var reported = Set<String>()
        for start in parents.keys.sorted() where state[start] == nil {
            var path: [String] = []
            var current: String? = start
            while let code = current {
                if state[code] == 2 { break }
                if state[code] == 1 {
                    let cycle = Array(path[path.firstIndex(of: code)!...])
                    let first = cycle.min()!
                    if reported.insert(first).inserted, let origin = firstOrigin[first] {
                        let rotated = Array(cycle[cycle.firstIndex(of: first)!...] + cycle[..<cycle.firstIndex(of: first)!])
                        errors.append(.init(
                            pointer: origin.pointer("parent"),
                            message: "Quan hệ cha–con tạo vòng lặp: \((rotated + [first]).joined(separator: " → ")).",
                            line: origin.line, code: first
                        ))
                    }
                    break
                }
                state[code] = 1
                path.append(code)
                current = parents[code]
            }
            for code in path { state[code] = 2 }
        }
        return errors
    }

    static func describe(_ origin: Origin) -> String {
        switch origin {
        case .line(let line): return "dòng \(line)"
        case .index(let index): return "mục \(index)"
        case .code: return "mã đã có"
        }
    }
}
