import Core
import Foundation
import Logging

/// Loads the catalogs of `<seed-dir>/catalogs` (in the order of its `index.json`) that the database does
/// not have yet: each becomes a catalog with a published version 1 (origin `seed`), in one transaction.
struct SeedLoader: Sendable {
    let service: CatalogService
    let logger: Logger

    /// A seed file: the catalog's description, its first version and content.
    struct SeedFile: Decodable, Sendable {
        struct Version: Decodable, Sendable {
            let label: String?
            let effectiveFrom: Day?
            let effectiveTo: Day?
        }

        struct Mapping: Decodable, Sendable {
            let target: String
            let description: String?
            let elements: [MappingElement]
        }

        let key: String
        let name: String
        let nameEn: String?
        let description: String?
        let ownerAgency: String?
        let source: CatalogSource
        let open: Bool
        let hierarchical: Bool?
        let version: Version
        let concepts: [Concept]
        let mappings: [Mapping]?
    }

    struct Index: Decodable {
        let catalogs: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns the keys loaded.
    @discardableResult
    func loadMissing(from directory: String) async throws -> [String] {
        let folder = (directory as NSString).appendingPathComponent("catalogs")
        let indexPath = (folder as NSString).appendingPathComponent("index.json")
        guard FileManager.default.fileExists(atPath: indexPath) else {
            logger.notice("Không có dữ liệu khởi tạo danh mục", metadata: ["path": "\(indexPath)"])
            return []
        }
        let index = try JSONDecoder().decode(Index.self, from: try Data(contentsOf: URL(fileURLWithPath: indexPath)))
        let existing = Set(try await service.store.catalogs().map(\.key))
        var loaded: [String] = []
        for file in index.catalogs {
            let path = (folder as NSString).appendingPathComponent(file)
            let seed: SeedFile
            do {
                seed = try JSONDecoder().decode(SeedFile.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw Failure(description: "Tệp danh mục khởi tạo \(path) không đọc được: \(error)")
            }
            guard !existing.contains(seed.key) else { continue }
            try await load(seed, file: file)
            loaded.append(seed.key)
        }
        if !loaded.isEmpty {
            try await service.cache.reload()
            logger.info("Đã nạp danh mục khởi tạo", metadata: ["catalogs": "\(loaded.joined(separator: ","))"])
        }
        return loaded
    }

    func load(_ seed: SeedFile, file: String) async throws {
        let concepts = seed.concepts.map { $0.normalized() }
        let errors = ConceptValidator.check(concepts.map { ($0, .code($0.code)) })
        guard errors.isEmpty else {
            throw Failure(description: "Danh mục khởi tạo \(file) có \(errors.count) lỗi, ví dụ: \(errors[0].message)")
        }
        let service = self.service
        let store = service.store
        try await service.database.transaction { sql in
            let now = Timestamp.now()
            let catalog = CatalogInfo(
                key: seed.key, name: VietnameseText.nfc(seed.name), nameEn: seed.nameEn, description: seed.description.map(VietnameseText.nfc),
                ownerAgency: seed.ownerAgency.map(VietnameseText.nfc), source: seed.source, open: seed.open,
                hierarchical: seed.hierarchical ?? false, sync: nil, createdAt: now, updatedAt: now
            )
            try await store.insert(catalog, sql)
            try await service.audit.record(CatalogActor.platform.event(
                "catalogs.catalog.create", type: "catalog", id: catalog.key, details: ["source": catalog.source.kind.rawValue, "seed": file]
            ), in: sql)
            let mappings = try await service.checkMappings(
                (seed.mappings ?? []).map { ConceptMap(target: $0.target, targetVersion: 0, description: $0.description, elements: $0.elements) },
                concepts: concepts, catalog: seed.key, sql: sql
            )
            let info = VersionInfo(
                catalog: seed.key, number: 1, label: seed.version.label, status: .draft, origin: .seed, note: "Nạp từ \(file)",
                effectiveFrom: seed.version.effectiveFrom, effectiveTo: seed.version.effectiveTo, createdAt: now, createdBy: "system",
                publishedAt: nil, retiredAt: nil, conceptCount: concepts.count, contentHash: nil, sourceVersion: nil
            )
            let id = try await store.insert(info, sql)
            try await store.insert(concepts, versionID: id, sql)
            for map in mappings { try await store.replace(map, versionID: id, sql) }
            _ = try await service.finishPublish(
                catalog: catalog, version: StoredVersion(id: id, info: info), concepts: concepts, mappings: mappings, by: .platform, sql: sql
            )
        }
    }
}
