import Core
import Foundation

/// The read side: finds a catalog and the version a request asks for, enforcing who may read it. Open
/// catalogs are for everyone; the others need `catalogs.read` (or `catalogs.admin`); drafts need
/// `catalogs.admin`.
struct CatalogReader: Sendable {
    let cache: CatalogCache

    static let readScope = "catalogs.read"
    static let adminScope = "catalogs.admin"

    /// Which version: the current one, a number, or the one in force on a day.
    enum Selector: Sendable, Equatable {
        case current
        case number(Int)
        case at(Day)
    }

    static func canRead(_ principal: Principal?) -> Bool {
        guard let principal else { return false }
        return principal.scopes.contains(readScope) || principal.scopes.contains(adminScope)
    }

    static func isAdmin(_ principal: Principal?) -> Bool {
        principal?.scopes.contains(adminScope) == true
    }

    func entry(_ key: String, principal: Principal?) async throws -> CatalogEntry {
        let snapshot = try await cache.snapshot()
        guard let entry = snapshot.catalogs[key] else {
            throw Problem.notFound("Không có danh mục “\(key)”.")
        }
        try check(entry, principal: principal)
        return entry
    }

    func check(_ entry: CatalogEntry, principal: Principal?) throws {
        if !entry.info.open, !Self.canRead(principal) {
            throw BearerAuthorization.requireScopes([Self.readScope], of: principal, resource: "Danh mục “\(entry.info.key)”")
                ?? Problem(.forbidden, detail: "Không có quyền đọc danh mục “\(entry.info.key)”.")
        }
    }

    func version(_ entry: CatalogEntry, _ selector: Selector, principal: Principal?) throws -> StoredVersion {
        let key = entry.info.key
        switch selector {
        case .current:
            guard let version = entry.current(on: .today()) else {
                throw Problem.notFound("Danh mục “\(key)” chưa có phiên bản nào được công bố.")
            }
            return version
        case .number(let number):
            guard let version = entry.version(number) else {
                throw Problem.notFound("Danh mục “\(key)” không có phiên bản \(number).")
            }
            if version.info.status == .draft, !Self.isAdmin(principal) {
                throw BearerAuthorization.requireScopes([Self.adminScope], of: principal, resource: "Bản nháp")
                    ?? Problem.notFound("Danh mục “\(key)” không có phiên bản \(number).")
            }
            return version
        case .at(let day):
            guard let version = entry.inForce(on: day) else {
                throw Problem.notFound("Danh mục “\(key)” không có phiên bản có hiệu lực ngày \(day).")
            }
            return version
        }
    }

    func index(_ key: String, _ selector: Selector, principal: Principal?) async throws -> (CatalogEntry, CatalogIndex) {
        if selector == .current, let (entry, index) = try await cache.current(key) {
            try check(entry, principal: principal)
            return (entry, index)
        }
        let entry = try await entry(key, principal: principal)
        let version = try version(entry, selector, principal: principal)
        return (entry, try await cache.index(for: version))
    }

    /// `?version=` (a number or `current`) and `?at=` from a query.
    static func selector(_ query: FormFields) throws -> Selector {
        let version = query["version"]
        let at = query["at"]
        if version != nil, at != nil {
            throw Problem.validation([.init(pointer: "/query/at", message: "Chỉ dùng một trong hai: version hoặc at.")])
        }
        if let at {
            guard let day = Day(at) else {
                throw Problem.validation([.init(pointer: "/query/at", message: "Ngày phải có dạng YYYY-MM-DD.")])
            }
            return .at(day)
        }
        guard let version, version != "current" else { return .current }
        guard let number = Int(version), number > 0 else {
            throw Problem.validation([.init(pointer: "/query/version", message: "Phiên bản là số nguyên dương hoặc current.")])
        }
        return .number(number)
    }

    static func selector(path value: String) throws -> Selector {
        if value == "current" { return .current }
        guard let number = Int(value), number > 0 else {
            throw Problem.validation([.init(pointer: "/path/version", message: "Phiên bản là số nguyên dương hoặc current.")])
        }
        return .number(number)
    }
}

/// `CodeLookup` for the other modules: answers from the same in-memory indexes, without access control
/// (modules are trusted; the caller's own route enforces who may submit what).
struct CatalogCodeLookup: CodeLookup {
    let cache: CatalogCache

    func validate(code: String, in catalog: String, on date: Date?) async throws -> CodeValidation {
        let snapshot = try await cache.snapshot()
        guard let entry = snapshot.catalogs[catalog] else {
            return CodeValidation(outcome: .unknownCatalog, catalog: catalog, code: code, version: nil, display: nil, message: "Không có danh mục “\(catalog)”.")
        }
        let day = date.map(Day.init) ?? Day.today()
        guard let version = date == nil ? entry.current(on: day) : entry.inForce(on: day) else {
            return CodeValidation(
                outcome: .noVersion, catalog: catalog, code: code, version: nil, display: nil,
                message: "Danh mục “\(entry.info.name)” không có phiên bản có hiệu lực ngày \(day)."
            )
        }
        let index = try await cache.index(for: version)
        return Self.check(code, in: index, catalogName: entry.info.name, on: day)
    }

    func options(in catalog: String, parent: String?, on date: Date?) async throws -> [CodeOption]? {
        let snapshot = try await cache.snapshot()
        guard let entry = snapshot.catalogs[catalog] else { return nil }
        let day = date.map(Day.init) ?? Day.today()
        guard let version = date == nil ? entry.current(on: day) : entry.inForce(on: day) else { return [] }
        let index = try await cache.index(for: version)
        // Top-level concepts (and every concept of a flat catalog) are listed under "".
        let positions = index.children[parent ?? ""] ?? []
        return positions.map { index.concepts[$0] }
            .filter { $0.status != .inactive && $0.validity.contains(day) }
            .map { CodeOption(code: $0.code, display: $0.display) }
    }

    static func check(_ code: String, in index: CatalogIndex, catalogName: String, on day: Day) -> CodeValidation {
        let number = index.version.number
        guard let concept = index.concept(code) else {
            return CodeValidation(
                outcome: .unknownCode, catalog: index.catalog, code: code, version: number, display: nil,
                message: "Mã “\(code)” không có trong danh mục “\(catalogName)” (phiên bản \(number))."
            )
        }
        if concept.status == .inactive {
            return CodeValidation(
                outcome: .inactive, catalog: index.catalog, code: code, version: number, display: concept.display,
                message: "Mã “\(code)” (\(concept.display)) đã bị loại khỏi danh mục “\(catalogName)”."
            )
        }
        guard concept.validity.contains(day) else {
            let window = [concept.validFrom.map { "từ \($0)" }, concept.validTo.map { "đến trước \($0)" }].compactMap { $0 }.joined(separator: " ")
            return CodeValidation(
                outcome: .notInForce, catalog: index.catalog, code: code, version: number, display: concept.display,
                message: "Mã “\(code)” (\(concept.display)) không có hiệu lực ngày \(day) (hiệu lực \(window))."
            )
        }
        return CodeValidation(outcome: .valid, catalog: index.catalog, code: code, version: number, display: concept.display, message: nil, parent: concept.parent)
    }
}
