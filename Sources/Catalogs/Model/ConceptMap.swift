/// A concept map: how the codes of one catalog version correspond to the codes of a version of another
/// catalog (old administrative units to new ones, one ethnic-group list to another).
public struct ConceptMap: Sendable, Equatable, Codable {
    /// The target catalog's key.
    public var target: String
    /// The target version the codes refer to.
    public var targetVersion: Int
    public var description: String?
    public var elements: [MappingElement]

    public init(target: String, targetVersion: Int, description: String? = nil, elements: [MappingElement]) {
        self.target = target
        self.targetVersion = targetVersion
        self.description = description
        self.elements = elements
    }
}

public struct MappingElement: Sendable, Equatable, Codable, Hashable {
    public var source: String
    public var target: String
    public var kind: MappingKind
    public var comment: String?

    public init(source: String, target: String, kind: MappingKind, comment: String? = nil) {
        self.source = source
        self.target = target
        self.kind = kind
        self.comment = comment
    }
}

/// What happened to a source code (the kinds of change of the 2025 reorganisation, and plain equivalence).
public enum MappingKind: String, Sendable, Codable, CaseIterable {
    /// Same meaning in another list.
    case equivalent
    /// Kept as it was.
    case unchanged
    /// Kept, under a new name.
    case renamed
    /// Merged whole into the target (Nhập toàn bộ).
    case mergedWhole = "merged-whole"
    /// A part merged into the target (Nhập một phần): the source has several targets.
    case mergedPart = "merged-part"
    /// Divided: the target is one of the pieces.
    case split
    /// Related in another way.
    case related

    /// The FHIR R5 ConceptMap relationship.
    public var fhirRelationship: String {
        switch self {
        case .equivalent, .unchanged, .renamed: return "equivalent"
        case .mergedWhole: return "source-is-narrower-than-target"
        case .mergedPart, .split: return "source-is-broader-than-target"
        case .related: return "related-to"
        }
    }

    public var vietnamese: String {
        switch self {
        case .equivalent: return "Tương đương"
        case .unchanged: return "Giữ nguyên"
        case .renamed: return "Đổi tên"
        case .mergedWhole: return "Nhập toàn bộ"
        case .mergedPart: return "Nhập một phần"
        case .split: return "Chia tách"
        case .related: return "Có liên quan"
        }
    }
}
