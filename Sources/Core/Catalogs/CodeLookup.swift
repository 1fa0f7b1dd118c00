import Foundation

/// Checks codes against the shared catalogs (danh mục dùng chung). Declared here, implemented by
/// Catalogs, injected by App into the modules that validate codes (Forms).
///
/// Answers come from an in-memory index of the catalog version in force: a check never expands or
/// scans a catalog.
public protocol CodeLookup: Sendable {
    /// Checks `code` in `catalog`: in its current version, or in the version in force on `date` (then the
    /// concept must also be valid on that day).
    func validate(code: String, in catalog: String, on date: Date?) async throws -> CodeValidation

    /// The active codes of `catalog` valid on `date` (today if nil), for a select list: those under
    /// `parent` when given (a province's communes), else the top level of a hierarchical catalog or all
    /// codes of a flat one. Nil when there is no such catalog.
    func options(in catalog: String, parent: String?, on date: Date?) async throws -> [CodeOption]?
}

/// One entry of a select list built from a catalog.
public struct CodeOption: Sendable, Equatable {
    public let code: String
    public let display: String

    public init(code: String, display: String) {
        self.code = code
        self.display = display
    }
}

extension CodeLookup {
    public func validate(code: String, in catalog: String) async throws -> CodeValidation {
        try await validate(code: code, in: catalog, on: nil)
    }
}

/// The answer to one code check.
public struct CodeValidation: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case valid
        /// No catalog with that key (or none readable without a token).
        case unknownCatalog = "unknown-catalog"
        /// The catalog has no published version in force (on that day).
        case noVersion = "no-version"
        case unknownCode = "unknown-code"
        /// The code exists but is withdrawn (status inactive).
        case inactive
        /// The code exists but is not valid on the day asked about.
        case notInForce = "not-in-force"
    }

    public let outcome: Outcome
    public let catalog: String
    public let code: String
    /// The catalog version that answered.
    public let version: Int?
    /// The concept's Vietnamese name, when the code exists.
    public let display: String?
    /// Vietnamese, for people: why the code is not accepted (nil when valid).
    public let message: String?
    /// The concept's parent code (a commune's province), when the code exists.
    public let parent: String?

    public var isValid: Bool { outcome == .valid }

    public init(outcome: Outcome, catalog: String, code: String, version: Int?, display: String?, message: String?, parent: String? = nil) {
        self.outcome = outcome
        self.catalog = catalog
        self.code = code
        self.version = version
        self.display = display
        self.message = message
        self.parent = parent
    }
}
