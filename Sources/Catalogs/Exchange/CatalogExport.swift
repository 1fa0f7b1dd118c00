import Foundation
import NIOCore

/// Writes a version (or part of it) as JSON, CSV or XML. The JSON document is the one the import accepts
/// (concepts and mappings); the CSV has one column per field and one `property.<name>` column per
/// property, and imports back to the same concepts.
enum CatalogExport {
    static func json(catalog: CatalogInfo, version: VersionInfo, index: CatalogIndex, positions: [Int], mappings: [ConceptMap]?) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = ByteBuffer()
        buffer.reserveCapacity(positions.count * 200 + 1024)
        buffer.writeString("{\"catalog\":")
        buffer.writeBytes(try encoder.encode(catalog))
        buffer.writeString(",\"version\":")
        buffer.writeBytes(try encoder.encode(version))
        buffer.writeString(",\"concepts\":[")
        for (offset, position) in positions.enumerated() {
            if offset > 0 { buffer.writeString(",") }
            var concept = index.conceptJSON[position]
            buffer.writeBuffer(&concept)
        }
        buffer.writeString("]")
        if let mappings {
            buffer.writeString(",\"mappings\":")
            buffer.writeBytes(try encoder.encode(mappings))
        }
        buffer.writeString("}")
        return buffer
    }

    static func csv(_ concepts: [Concept], byteOrderMark: Bool) -> ByteBuffer {
        let propertyNames = Set(concepts.flatMap(\.properties.keys)).sorted()
        var buffer = ByteBuffer()
        buffer.reserveCapacity(concepts.count * 120 + 256)
        if byteOrderMark { buffer.writeBytes([0xEF, 0xBB, 0xBF]) }
        buffer.writeString(CSVTable.line(ConceptImport.fixedColumns + propertyNames.map { ConceptImport.propertyPrefix + $0 }))
        for concept in concepts {
            var fields = [
                concept.code, concept.display, concept.displayEn ?? "", concept.parent ?? "", concept.level ?? "",
                concept.validFrom?.text ?? "", concept.validTo?.text ?? "", concept.status.rawValue,
            ]
            fields += propertyNames.map { concept.properties[$0] ?? "" }
            buffer.writeString(CSVTable.line(fields))
        }
        return buffer
    }

    static func xml(catalog: CatalogInfo, version: VersionInfo, concepts: [Concept], mappings: [ConceptMap]?) -> ByteBuffer {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<catalog xmlns=\"urn:lgsp:catalog:1\" key=\"\(escape(catalog.key))\" version=\"\(version.number)\" status=\"\(version.status.rawValue)\""
        if let hash = version.contentHash { out += " contentHash=\"\(escape(hash))\"" }
        if let from = version.effectiveFrom { out += " effectiveFrom=\"\(from)\"" }
        if let to = version.effectiveTo { out += " effectiveTo=\"\(to)\"" }
        out += ">\n  <name>\(escape(catalog.name))</name>\n"
        if let label = version.label { out += "  <label>\(escape(label))</label>\n" }
        if let basis = catalog.source.legalBasis { out += "  <legalBasis>\(escape(basis))</legalBasis>\n" }
        for concept in concepts {
            out += "  <concept code=\"\(escape(concept.code))\" status=\"\(concept.status.rawValue)\""
            if let parent = concept.parent { out += " parent=\"\(escape(parent))\"" }
            if let level = concept.level { out += " level=\"\(escape(level))\"" }
            if let from = concept.validFrom { out += " validFrom=\"\(from)\"" }
            if let to = concept.validTo { out += " validTo=\"\(to)\"" }
            out += ">\n    <display>\(escape(concept.display))</display>\n"
            if let english = concept.displayEn { out += "    <display xml:lang=\"en\">\(escape(english))</display>\n" }
            for (name, value) in concept.properties.sorted(by: { $0.key < $1.key }) {
                out += "    <property name=\"\(escape(name))\">\(escape(value))</property>\n"
            }
            out += "  </concept>\n"
        }
        for map in mappings ?? [] {
            out += "  <mapping target=\"\(escape(map.target))\" targetVersion=\"\(map.targetVersion)\">\n"
            for element in map.elements {
                out += "    <element source=\"\(escape(element.source))\" target=\"\(escape(element.target))\" kind=\"\(element.kind.rawValue)\""
                out += element.comment.map { ">\(escape($0))</element>\n" } ?? "/>\n"
            }
            out += "  </mapping>\n"
        }
        out += "</catalog>\n"
        return ByteBuffer(string: out)
    }

    /// XML character data and attribute values; characters XML 1.0 cannot carry are dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20, !(0xFFFE...0xFFFF).contains(scalar.value) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
