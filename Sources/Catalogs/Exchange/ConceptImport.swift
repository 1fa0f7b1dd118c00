import Core
import Foundation

/// Reads concepts (and, from a JSON export document, mappings) from an upload: CSV with a header line, or
/// JSON (an export document, `{"concepts": […]}` or a bare array). Nothing is stored here; errors are
/// collected with their line or index so the whole file is answered in one problem+json.
struct ConceptImport: Sendable {
    var concepts: [(Concept, ConceptValidator.Origin)]
    /// Mappings of a JSON export document; nil when the upload has none (CSV never has).
    var mappings: [ConceptMap]?

    enum Format: String, Sendable {
        case csv, json
    }

    static let fixedColumns = ["code", "display", "displayEn", "parent", "level", "validFrom", "validTo", "status"]
    static let propertyPrefix = "property."

    static func parse(_ data: Data, format: Format) throws -> ConceptImport {
        guard let text = String(data: data, encoding: .utf8) else {
            throw Problem(.validation, detail: "Tệp phải được mã hóa UTF-8.")
        }
        switch format {
        case .csv: return try parseCSV(text)
        case .json: return try parseJSON(data)
        }
    }

    static func parseCSV(_ text: String) throws -> ConceptImport {
        let table: CSVTable
        do {
            table = try CSVTable(parsing: text)
        } catch {
            throw Problem.validation(
                [.init(pointer: "#row=\(error.line)", message: "CSV sai cú pháp: \(error.message).", line: error.line)],
                detail: "Tệp CSV sai cú pháp ở dòng \(error.line)."
            )
        }
        guard let header = table.records.first else {
            throw Problem.validation([.init(pointer: "#row=1", message: "Tệp rỗng: cần dòng tiêu đề code,display,…", line: 1)])
        }
        var errors: [Problem.FieldError] = []
        var columns: [Int: String] = [:]
        for (index, rawName) in header.fields.enumerated() {
            let name = rawName.trimmingCharacters(in: .whitespaces)
            if fixedColumns.contains(name) || (name.hasPrefix(propertyPrefix) && name.count > propertyPrefix.count) {
                if columns.values.contains(name) {
                    errors.append(.init(pointer: "#row=1;col=\(index + 1)", message: "Cột “\(name)” lặp lại.", line: 1))
                }
                columns[index] = name
            } else {
                errors.append(.init(
                    pointer: "#row=1;col=\(index + 1)",
                    message: "Cột “\(name)” không được hỗ trợ; dùng \(fixedColumns.joined(separator: ", ")) và property.<tên>.", line: 1
                ))
            }
        }
        for required in ["code", "display"] where !columns.values.contains(required) {
            errors.append(.init(pointer: "#row=1", message: "Thiếu cột bắt buộc “\(required)”.", line: 1))
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "Dòng tiêu đề của tệp CSV không hợp lệ.") }
        var concepts: [(Concept, ConceptValidator.Origin)] = []
        for record in table.records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                errors.append(.init(
                    pointer: "#row=\(record.line)",
                    message: "Dòng có \(record.fields.count) ô, tiêu đề có \(header.fields.count) cột.", line: record.line
                ))
                continue
            }
            var concept = Concept(code: "", display: "")
            var rowOK = true
            for (index, value) in record.fields.enumerated() {
                guard let column = columns[index] else { continue }
                let cell = value.isEmpty ? nil : value
                switch column {
                case "code": concept.code = value
                case "display": concept.display = value
                case "displayEn": concept.displayEn = cell
                case "parent": concept.parent = cell
                case "level": concept.level = cell
                case "validFrom", "validTo":
                    guard let cell else { continue }
                    guard let day = Day(cell.trimmingCharacters(in: .whitespaces)) else {
                        errors.append(.init(
                            pointer: "#row=\(record.line);field=\(column)",
                            message: "Ngày “\(cell)” không hợp lệ: dùng dạng YYYY-MM-DD (ví dụ 2025-07-01).", line: record.line,
                            code: concept.code.isEmpty ? nil : concept.code
                        ))
                        rowOK = false
                        continue
                    }
                    if column == "validFrom" { concept.validFrom = day } else { concept.validTo = day }
                case "status":
                    guard let cell else { continue }
                    guard let status = ConceptStatus(rawValue: cell.trimmingCharacters(in: .whitespaces)) else {
                        errors.append(.init(
                            pointer: "#row=\(record.line);field=status", message: "Trạng thái “\(cell)” không hợp lệ: active, deprecated hoặc inactive.",
                            line: record.line, code: concept.code.isEmpty ? nil : concept.code
                        ))
                        rowOK = false
                        continue
                    }
                    concept.status = status
                default:
                    if let cell { concept.properties[String(column.dropFirst(propertyPrefix.count))] = cell }
                }
            }
            if rowOK { concepts.append((concept.normalized(), .line(record.line))) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "Có \(errors.count) lỗi trong tệp CSV; không có gì được lưu.") }
        return ConceptImport(concepts: concepts, mappings: nil)
    }

    struct Document: Decodable {
        let concepts: [JSONValue]
        let mappings: [JSONValue]?
    }

    static func parseJSON(_ data: Data) throws -> ConceptImport {
        let items: [JSONValue]
        var mappingItems: [JSONValue]? = nil
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: data)
            switch value {
            case .array(let array):
                items = array
            case .object:
                let document = try JSONDecoder().decode(Document.self, from: data)
                items = document.concepts
                mappingItems = document.mappings
            default:
                throw Problem.validation([.init(pointer: "", message: "Cần một mảng khái niệm hoặc đối tượng có trường concepts.")])
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.malformedJSON, detail: "Nội dung không phải JSON hợp lệ hoặc thiếu trường concepts.")
        }
        var errors: [Problem.FieldError] = []
        var concepts: [(Concept, ConceptValidator.Origin)] = []
        let encoder = JSONEncoder()
        for (index, item) in items.enumerated() {
            do {
                let concept = try JSONDecoder().decode(Concept.self, from: try encoder.encode(item))
                concepts.append((concept.normalized(), .index(index)))
            } catch let error as DecodingError {
                errors.append(.init(pointer: "/concepts/\(index)" + Self.path(error), message: Self.describe(error)))
            }
        }
        var mappings: [ConceptMap]? = nil
        if let mappingItems {
            var decoded: [ConceptMap] = []
            for (index, item) in mappingItems.enumerated() {
                do {
                    decoded.append(try JSONDecoder().decode(ConceptMap.self, from: try encoder.encode(item)))
                } catch let error as DecodingError {
                    errors.append(.init(pointer: "/mappings/\(index)" + Self.path(error), message: Self.describe(error)))
                }
            }
            mappings = decoded
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "Có \(errors.count) lỗi trong tệp JSON; không có gì được lưu.") }
        return ConceptImport(concepts: concepts, mappings: mappings)
    }

    static func path(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
        case .keyNotFound(let key, let c): return (c.codingPath + [key]).map { "/" + ($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
        @unknown default: return ""
        }
        return context.codingPath.map { "/" + ($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "Thiếu trường “\(key.stringValue)”."
        case .typeMismatch: return "Sai kiểu dữ liệu."
        case .valueNotFound: return "Thiếu giá trị."
        case .dataCorrupted(let context): return "Giá trị không hợp lệ: \(context.debugDescription)."
        @unknown default: return "Giá trị không hợp lệ."
        }
    }
}

/// Reads a mapping (concept map) upload: CSV `source,target,kind[,comment]` or JSON `{"elements": […]}`.
enum MappingImport {
    static func parse(_ data: Data, format: ConceptImport.Format) throws -> (elements: [MappingElement], description: String?, targetVersion: Int?) {
        guard let text = String(data: data, encoding: .utf8) else {
            throw Problem(.validation, detail: "Tệp phải được mã hóa UTF-8.")
        }
        switch format {
        case .json:
            struct Body: Decodable {
                let description: String?
                let targetVersion: Int?
                let elements: [MappingElement]
            }
            do {
                let body = try JSONDecoder().decode(Body.self, from: data)
                return (body.elements, body.description, body.targetVersion)
            } catch let error as DecodingError {
                throw Problem.validation([.init(pointer: ConceptImport.path(error), message: ConceptImport.describe(error))])
            }
        case .csv:
            let table: CSVTable
            do {
                table = try CSVTable(parsing: text)
            } catch {
                throw Problem.validation([.init(pointer: "#row=\(error.line)", message: "CSV sai cú pháp: \(error.message).", line: error.line)])
            }
            guard let header = table.records.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }),
                let source = header.firstIndex(of: "source"), let target = header.firstIndex(of: "target"), let kind = header.firstIndex(of: "kind")
            else {
                throw Problem.validation([.init(pointer: "#row=1", message: "Cần dòng tiêu đề source,target,kind[,comment].", line: 1)])
            }
            let comment = header.firstIndex(of: "comment")
            var errors: [Problem.FieldError] = []
            var elements: [MappingElement] = []
            for record in table.records.dropFirst() {
                guard record.fields.count == header.count else {
                    errors.append(.init(pointer: "#row=\(record.line)", message: "Dòng có \(record.fields.count) ô, tiêu đề có \(header.count) cột.", line: record.line))
                    continue
                }
                guard let mappingKind = MappingKind(rawValue: record.fields[kind].trimmingCharacters(in: .whitespaces)) else {
                    errors.append(.init(
                        pointer: "#row=\(record.line);field=kind",
                        message: "Loại “\(record.fields[kind])” không hợp lệ: \(MappingKind.allCases.map(\.rawValue).joined(separator: ", ")).",
                        line: record.line
                    ))
                    continue
                }
                let note = comment.map { record.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                elements.append(MappingElement(
                    source: record.fields[source].trimmingCharacters(in: .whitespaces), target: record.fields[target].trimmingCharacters(in: .whitespaces),
                    kind: mappingKind, comment: note
                ))
            }
            guard errors.isEmpty else { throw Problem.validation(errors, detail: "Có \(errors.count) lỗi trong tệp CSV; không có gì được lưu.") }
            return (elements, nil, nil)
        }
    }
}
