import Core

/// One code of a catalog version: a concept (FHIR) or code (SDMX).
public struct Concept: Sendable, Equatable, Codable {
    public var code: String
    /// Vietnamese name, as shown to people.
    public var display: String
    public var displayEn: String?
    /// The code of the parent concept in the same version (province of a commune).
    public var parent: String?
    /// Level or type in a hierarchy (`province`, `commune`…).
    public var level: String?
    /// Free properties: names to text values.
    public var properties: [String: String]
    /// First day the code is valid (inclusive).
    public var validFrom: Day?
    /// First day the code is no longer valid (exclusive).
    public var validTo: Day?
    public var status: ConceptStatus

    public init(
        code: String, display: String, displayEn: String? = nil, parent: String? = nil, level: String? = nil,
        properties: [String: String] = [:], validFrom: Day? = nil, validTo: Day? = nil, status: ConceptStatus = .active
    ) {
        self.code = code
        self.display = display
        self.displayEn = displayEn
        self.parent = parent
        self.level = level
        self.properties = properties
        self.validFrom = validFrom
        self.validTo = validTo
        self.status = status
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case code, display, displayEn, parent, level, properties, validFrom, validTo, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        display = try container.decode(String.self, forKey: .display)
        displayEn = try container.decodeIfPresent(String.self, forKey: .displayEn)
        parent = try container.decodeIfPresent(String.self, forKey: .parent)
        level = try container.decodeIfPresent(String.self, forKey: .level)
        properties = try container.decodeIfPresent([String: String].self, forKey: .properties) ?? [:]
        validFrom = try container.decodeIfPresent(Day.self, forKey: .validFrom)
        validTo = try container.decodeIfPresent(Day.self, forKey: .validTo)
        status = try container.decodeIfPresent(ConceptStatus.self, forKey: .status) ?? .active
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(display, forKey: .display)
        try container.encodeIfPresent(displayEn, forKey: .displayEn)
        try container.encodeIfPresent(parent, forKey: .parent)
        try container.encodeIfPresent(level, forKey: .level)
        if !properties.isEmpty { try container.encode(properties, forKey: .properties) }
        try container.encodeIfPresent(validFrom, forKey: .validFrom)
        try container.encodeIfPresent(validTo, forKey: .validTo)
        try container.encode(status, forKey: .status)
    }

    var validity: Validity { Validity(from: validFrom, to: validTo) }

    /// Stored text is NFC, trimmed; empty optional text is absent.
    func normalized() -> Concept {
        func clean(_ text: String?) -> String? {
            guard let text else { return nil }
            let trimmed = VietnameseText.nfc(text).trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        var copy = self
        copy.code = code.trimmingCharacters(in: .whitespaces)
        copy.display = clean(display) ?? ""
        copy.displayEn = clean(displayEn)
        copy.parent = clean(parent)
        copy.level = clean(level)
        copy.properties = Dictionary(uniqueKeysWithValues: properties.compactMap { key, value in
            clean(value).map { (key.trimmingCharacters(in: .whitespaces), $0) }
        })
        return copy
    }

    /// Names of the fields whose values differ (for diffs).
    func changedFields(comparedTo other: Concept) -> [String] {
        var fields: [String] = []
        if display != other.display { fields.append("display") }
        if displayEn != other.displayEn { fields.append("displayEn") }
        if parent != other.parent { fields.append("parent") }
        if level != other.level { fields.append("level") }
        for key in Set(properties.keys).union(other.properties.keys).sorted() where properties[key] != other.properties[key] {
            fields.append("properties.\(key)")
        }
        if validFrom != other.validFrom { fields.append("validFrom") }
        if validTo != other.validTo { fields.append("validTo") }
        if status != other.status { fields.append("status") }
        return fields
    }

    /// The value of a field named as in `changedFields`.
    func value(of field: String) -> String? {
        switch field {
        case "display": return display
        case "displayEn": return displayEn
        case "parent": return parent
        case "level": return level
        case "validFrom": return validFrom?.text
        case "validTo": return validTo?.text
        case "status": return status.rawValue
        default:
            guard field.hasPrefix("properties.") else { return nil }
            return properties[String(field.dropFirst("properties.".count))]
        }
    }
}

public enum ConceptStatus: String, Sendable, Codable, CaseIterable {
    /// In use.
    case active
    /// Still accepted, but should no longer be chosen for new records.
    case deprecated
    /// Withdrawn: kept for history, not accepted by `$validate-code`.
    case inactive
}
