import Core
import Foundation
import Logging
import SQLKit

/// The write side of catalogs: create catalogs and drafts, fill drafts (import, edit), publish atomically,
/// retire. Every change is one transaction with its audit entry; the cache sees it as soon as it commits.
final class CatalogService: Sendable {
    let database: Database
    let store: CatalogStore
    let cache: CatalogCache
    let audit: AuditLog
    let outbox: WebhookOutbox
    let logger: Logger

    init(database: Database, store: CatalogStore, cache: CatalogCache, audit: AuditLog, outbox: WebhookOutbox, logger: Logger) {
        self.database = database
        self.store = store
        self.cache = cache
        self.audit = audit
        self.outbox = outbox
        self.logger = logger
    }

    /// Keys that are paths of their own under `/api/v1/catalogs`.
    static let reservedKeys: Set<String> = ["webhooks", "sync"]

    // MARK: Catalogs

    struct NewCatalog: Decodable, Sendable {
        var key: String
        var name: String
        var nameEn: String?
        var description: String?
        var ownerAgency: String?
        var source: CatalogSource
        var open: Bool?
        var hierarchical: Bool?
        var sync: SyncSource?
    }

    func createCatalog(_ input: NewCatalog, by actor: CatalogActor) async throws -> CatalogInfo {
        var errors: [Problem.FieldError] = []
        if !CatalogInfo.isValidKey(input.key) || Self.reservedKeys.contains(input.key) {
            errors.append(.init(pointer: "/key", message: "Khóa chỉ gồm chữ thường không dấu, chữ số và dấu gạch nối, 2–64 ký tự (ví dụ dan-toc); không dùng webhooks, sync."))
        }
        errors += Self.checkText(input.name, "/name", required: true) + Self.checkText(input.nameEn, "/nameEn")
            + Self.checkText(input.description, "/description", max: 4000) + Self.checkText(input.ownerAgency, "/ownerAgency")
        errors += Self.check(input.sync)
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let now = Timestamp.now()
        let catalog = CatalogInfo(
            key: input.key, name: VietnameseText.nfc(input.name), nameEn: input.nameEn, description: input.description.map(VietnameseText.nfc),
            ownerAgency: input.ownerAgency.map(VietnameseText.nfc), source: input.source, open: input.open ?? false,
            hierarchical: input.hierarchical ?? false, sync: input.sync, createdAt: now, updatedAt: now
        )
        try await database.transaction { [store, audit] sql in
            if try await store.catalog(catalog.key, sql) != nil {
                throw Problem(.conflict, detail: "Đã có danh mục “\(catalog.key)”.")
            }
            try await store.insert(catalog, sql)
            try await store.bumpGeneration(sql)
            try await audit.record(actor.event("catalogs.catalog.create", type: "catalog", id: catalog.key, details: [
                "source": catalog.source.kind.rawValue, "open": String(catalog.open),
            ]), in: sql)
        }
        try await cache.reload()
        return catalog
    }

    /// A partial update: absent fields stay; `null` clears optional ones.
    func updateCatalog(_ key: String, changes: [String: JSONValue], by actor: CatalogActor) async throws -> CatalogInfo {
        let allowed: Set<String> = ["name", "nameEn", "description", "ownerAgency", "source", "open", "hierarchical", "sync"]
        let unknown = changes.keys.filter { !allowed.contains($0) }.sorted().map {
            Problem.FieldError(pointer: "/\($0)", message: "Không sửa được trường này (sửa được: \(allowed.sorted().joined(separator: ", "))).")
        }
        guard unknown.isEmpty else { throw Problem.validation(unknown) }
        let updated: CatalogInfo = try await database.transaction { [store, audit] sql in
            guard var catalog = try await store.lockCatalog(key, sql) else { throw Self.noCatalog(key) }
            var errors: [Problem.FieldError] = []
            func text(_ name: String, required: Bool = false) -> String?? {
                guard let value = changes[name] else { return .none }
                switch value {
                case .string(let text): return .some(VietnameseText.nfc(text))
                case .null where !required: return .some(nil)
                default:
                    errors.append(.init(pointer: "/\(name)", message: required ? "Phải là chuỗi." : "Phải là chuỗi hoặc null."))
                    return .none
                }
            }
            func decode<T: Decodable>(_ name: String, as type: T.Type) -> T?? {
                guard let value = changes[name] else { return .none }
                if value == .null { return .some(nil) }
                do {
                    return .some(try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value)))
                } catch {
                    errors.append(.init(pointer: "/\(name)", message: "Giá trị không hợp lệ."))
                    return .none
                }
            }
            if case .some(let name?) = text("name", required: true) { catalog.name = name }
            if case .some(let value) = text("nameEn") { catalog.nameEn = value }
            if case .some(let value) = text("description") { catalog.description = value }
            if case .some(let value) = text("ownerAgency") { catalog.ownerAgency = value }
            if case .some(let value) = decode("source", as: CatalogSource.self) {
                if let value { catalog.source = value } else { errors.append(.init(pointer: "/source", message: "Không được để trống nguồn.")) }
            }
            if case .some(let value) = decode("open", as: Bool.self) {
                if let value { catalog.open = value } else { errors.append(.init(pointer: "/open", message: "Phải là true hoặc false.")) }
            }
            if case .some(let value) = decode("hierarchical", as: Bool.self) {
                if let value { catalog.hierarchical = value } else { errors.append(.init(pointer: "/hierarchical", message: "Phải là true hoặc false.")) }
            }
            if case .some(let value) = decode("sync", as: SyncSource.self) { catalog.sync = value }
            errors += Self.checkText(catalog.name, "/name", required: true) + Self.checkText(catalog.nameEn, "/nameEn")
                + Self.checkText(catalog.description, "/description", max: 4000) + Self.checkText(catalog.ownerAgency, "/ownerAgency")
                + Self.check(catalog.sync)
            guard errors.isEmpty else { throw Problem.validation(errors) }
            catalog.updatedAt = Timestamp.now()
            try await store.update(catalog, sql)
            try await store.bumpGeneration(sql)
            try await audit.record(actor.event("catalogs.catalog.update", type: "catalog", id: key, details: [
                "fields": changes.keys.sorted().joined(separator: ","),
            ]), in: sql)
            return catalog
        }
        try await cache.reload()
        return updated
    }

    // MARK: Drafts

    struct NewDraft: Decodable, Sendable {
        var label: String?
        var note: String?
        var effectiveFrom: Day?
        var effectiveTo: Day?
        /// The version whose content the draft starts from; nil: the current one; 0: empty.
        var copyFrom: Int?
    }

    func createDraft(_ key: String, _ input: NewDraft, by actor: CatalogActor) async throws -> VersionInfo {
        try Self.checkWindow(input.effectiveFrom, input.effectiveTo)
        let created: VersionInfo = try await database.transaction { [store, audit] sql in
            guard try await store.lockCatalog(key, sql) != nil else { throw Self.noCatalog(key) }
            let versions = try await store.versions(of: key, sql)
            if let draft = versions.last(where: { $0.info.status == .draft }) {
                throw Problem(
                    .conflict, detail: "Danh mục “\(key)” đang có bản nháp phiên bản \(draft.info.number); công bố hoặc xóa bản nháp đó trước.",
                    extensions: ["draft": String(draft.info.number)]
                )
            }
            let entry = CatalogEntry(info: try await store.catalog(key, sql)!, versions: versions)
            let base: StoredVersion?
            switch input.copyFrom {
            case nil: base = entry.current(on: .today())
            case 0?: base = nil
            case let number?:
                guard let found = entry.version(number) else {
                    throw Problem.validation([.init(pointer: "/copyFrom", message: "Danh mục không có phiên bản \(number).")])
                }
                base = found
            }
            var concepts: [Concept] = []
            var mappings: [ConceptMap] = []
            if let base {
                concepts = try await store.concepts(versionID: base.id, sql)
                mappings = try await store.mappings(versionID: base.id, sql)
            }
            let version = VersionInfo(
                catalog: key, number: try await store.nextVersionNumber(key, sql), label: input.label.map(VietnameseText.nfc), status: .draft,
                origin: .manual, note: input.note.map(VietnameseText.nfc), effectiveFrom: input.effectiveFrom, effectiveTo: input.effectiveTo,
                createdAt: Timestamp.now(), createdBy: actor.name, publishedAt: nil, retiredAt: nil, conceptCount: concepts.count,
                contentHash: nil, sourceVersion: nil
            )
            let id = try await store.insert(version, sql)
            try await store.insert(concepts, versionID: id, sql)
            for map in mappings { try await store.replace(map, versionID: id, sql) }
            try await store.bumpGeneration(sql)
            try await audit.record(actor.event("catalogs.version.draft", type: "catalog-version", id: "\(key)/\(version.number)", details: [
                "copyFrom": base.map { String($0.info.number) } ?? "none", "concepts": String(concepts.count),
            ]), in: sql)
            return version
        }
        try await cache.reload()
        return created
    }

    struct DraftChanges: Decodable, Sendable {
        var label: String?
        var note: String?
        var effectiveFrom: Day?
        var effectiveTo: Day?
    }

    func updateDraft(_ key: String, number: Int, _ changes: DraftChanges, by actor: CatalogActor) async throws -> VersionInfo {
        try await editDraft(key, number: number, action: "catalogs.version.update", by: actor) { [store] version, sql in
            var version = version
            if let label = changes.label { version.info.label = VietnameseText.nfc(label) }
            if let note = changes.note { version.info.note = VietnameseText.nfc(note) }
            if let from = changes.effectiveFrom { version.info.effectiveFrom = from }
            if let to = changes.effectiveTo { version.info.effectiveTo = to }
            try Self.checkWindow(version.info.effectiveFrom, version.info.effectiveTo)
            try await store.update(version, sql)
            return ([:], version.info)
        }
    }

    func deleteDraft(_ key: String, number: Int, by actor: CatalogActor) async throws {
        try await editDraft(key, number: number, action: "catalogs.version.delete", by: actor) { [store] version, sql in
            try await store.delete(versionID: version.id, sql)
            return ([:], ())
        }
    }

    struct ImportResult: Sendable, Encodable {
        let version: Int
        let concepts: Int
        let added: Int
        let updated: Int
        let removed: Int
        let mappings: Int?
    }

    /// Replaces (`merge == false`) or merges the draft's concepts with an upload; the whole upload is
    /// checked first and nothing is stored if any line is wrong.
    func importConcepts(_ key: String, number: Int, upload: ConceptImport, merge: Bool, by actor: CatalogActor) async throws -> ImportResult {
        // Replace: the upload is the whole content, so it is checked on its own first. Merge: duplicates
        // inside the upload are errors; the rest is checked together with what the draft already has.
        var uploadErrors = merge ? ConceptValidator.duplicates(upload.concepts) : ConceptValidator.check(upload.concepts)
        if merge, upload.mappings != nil {
            uploadErrors.append(.init(pointer: "/mappings", message: "Gộp (POST) chỉ nhận khái niệm; dùng PUT để thay cả ánh xạ."))
        }
        guard uploadErrors.isEmpty else {
            throw Problem.validation(uploadErrors, detail: "Có \(uploadErrors.count) lỗi; không có gì được lưu.")
        }
        return try await editDraft(key, number: number, action: "catalogs.version.import", by: actor) { [store] version, sql in
            let existing = try await store.concepts(versionID: version.id, sql)
            var final: [String: Concept] = merge ? Dictionary(uniqueKeysWithValues: existing.map { ($0.code, $0) }) : [:]
            var origins: [String: ConceptValidator.Origin] = [:]
            for concept in existing where merge { origins[concept.code] = .code(concept.code) }
            for (concept, origin) in upload.concepts {
                final[concept.code] = concept
                origins[concept.code] = origin
            }
            let combined = final.values.sorted { $0.code < $1.code }
            let errors = ConceptValidator.check(combined.map { ($0, origins[$0.code] ?? .code($0.code)) })
            guard errors.isEmpty else { throw Problem.validation(errors, detail: "Có \(errors.count) lỗi; không có gì được lưu.") }
            var mappingCount: Int?
            if let mappings = upload.mappings {
                let checked = try await self.checkMappings(mappings, concepts: combined, catalog: key, sql: sql)
                for map in try await store.mappings(versionID: version.id, sql) { try await store.deleteMapping(target: map.target, versionID: version.id, sql) }
                for map in checked { try await store.replace(map, versionID: version.id, sql) }
                mappingCount = checked.count
            }
            let before = Dictionary(uniqueKeysWithValues: existing.map { ($0.code, $0) })
            let added = combined.filter { before[$0.code] == nil }.count
            let updated = combined.filter { before[$0.code] != nil && before[$0.code] != $0 }.count
            let removed = merge ? 0 : existing.count - (combined.count - added)
            try await store.deleteConcepts(versionID: version.id, sql)
            try await store.insert(combined, versionID: version.id, sql)
            var info = version
            info.info.conceptCount = combined.count
            try await store.update(info, sql)
            let details = [
                "concepts": String(combined.count), "added": String(added), "updated": String(updated), "removed": String(removed),
                "mode": merge ? "merge" : "replace",
            ]
            return (details, ImportResult(version: number, concepts: combined.count, added: added, updated: updated, removed: removed, mappings: mappingCount))
        }
    }

    /// Adds or replaces one concept of a draft.
    func putConcept(_ key: String, number: Int, _ concept: Concept, by actor: CatalogActor) async throws -> (Concept, created: Bool) {
        let concept = concept.normalized()
        let errors = ConceptValidator.check(concept, origin: .code(concept.code))
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let created = try await editDraft(key, number: number, action: "catalogs.concept.put", by: actor, objectSuffix: concept.code) { [store] version, sql in
            let existing = try await store.concepts(versionID: version.id, sql)
            var byCode = Dictionary(uniqueKeysWithValues: existing.map { ($0.code, $0) })
            let created = byCode[concept.code] == nil
            byCode[concept.code] = concept
            let all = byCode.values.sorted { $0.code < $1.code }
            let problems = ConceptValidator.check(all.map { ($0, .code($0.code)) })
            guard problems.isEmpty else { throw Problem.validation(problems) }
            try await store.deleteConcepts(versionID: version.id, codes: [concept.code], sql)
            try await store.insert([concept], versionID: version.id, sql)
            var info = version
            info.info.conceptCount = all.count
            try await store.update(info, sql)
            return (["created": String(created)], created)
        }
        return (concept, created)
    }

    func deleteConcept(_ key: String, number: Int, code: String, by actor: CatalogActor) async throws {
        try await editDraft(key, number: number, action: "catalogs.concept.delete", by: actor, objectSuffix: code) { [store] version, sql in
            let existing = try await store.concepts(versionID: version.id, sql)
            guard existing.contains(where: { $0.code == code }) else {
                throw Problem.notFound("Bản nháp không có mã “\(code)”.")
            }
            let children = existing.filter { $0.parent == code }
            if !children.isEmpty {
                throw Problem(.conflict, detail: "Mã “\(code)” còn \(children.count) mã con (ví dụ “\(children[0].code)”); xóa hoặc chuyển các mã con trước.")
            }
            try await store.deleteConcepts(versionID: version.id, codes: [code], sql)
            var info = version
            info.info.conceptCount = existing.count - 1
            try await store.update(info, sql)
            return ([:], ())
        }
    }

    /// Sets the draft's mapping to `target` (replacing any), checked against the draft's codes and the
    /// target version's codes.
    func putMapping(
        _ key: String, number: Int, target: String, elements: [MappingElement], description: String?, targetVersion: Int?, by actor: CatalogActor
    ) async throws -> ConceptMap {
        try await editDraft(key, number: number, action: "catalogs.mapping.put", by: actor, objectSuffix: "mappings/\(target)") { [store] version, sql in
            let concepts = try await store.concepts(versionID: version.id, sql)
            let map = ConceptMap(target: target, targetVersion: targetVersion ?? 0, description: description, elements: elements)
            let checked = try await self.checkMappings([map], concepts: concepts, catalog: key, sql: sql)
            try await store.replace(checked[0], versionID: version.id, sql)
            return (["target": target, "targetVersion": String(checked[0].targetVersion), "elements": String(elements.count)], checked[0])
        }
    }

    func deleteMapping(_ key: String, number: Int, target: String, by actor: CatalogActor) async throws {
        try await editDraft(key, number: number, action: "catalogs.mapping.delete", by: actor, objectSuffix: "mappings/\(target)") { [store] version, sql in
            guard try await store.mappings(versionID: version.id, sql).contains(where: { $0.target == target }) else {
                throw Problem.notFound("Bản nháp không có ánh xạ tới “\(target)”.")
            }
            try await store.deleteMapping(target: target, versionID: version.id, sql)
            return ([:], ())
        }
    }

    /// Runs `body` on a draft of `key` in a transaction with the catalog locked, audits it, reloads the cache.
    private func editDraft<T: Sendable>(
        _ key: String, number: Int, action: String, by actor: CatalogActor, objectSuffix: String? = nil,
        _ body: @escaping @Sendable (StoredVersion, any SQLDatabase) async throws -> (details: [String: String], value: T)
    ) async throws -> T {
        let result: T = try await database.transaction { [store, audit] sql in
            guard try await store.lockCatalog(key, sql) != nil else { throw Self.noCatalog(key) }
            guard let version = try await store.version(key, number: number, sql) else {
                throw Problem.notFound("Danh mục “\(key)” không có phiên bản \(number).")
            }
            guard version.info.status == .draft else {
                throw Problem(.conflict, detail: "Phiên bản \(number) của “\(key)” đã \(version.info.status == .published ? "công bố" : "ngừng sử dụng"); chỉ sửa được bản nháp. Tạo bản nháp mới để thay đổi.")
            }
            let (details, value) = try await body(version, sql)
            try await store.bumpGeneration(sql)
            let id = "\(key)/\(number)" + (objectSuffix.map { "/\($0)" } ?? "")
            try await audit.record(actor.event(action, type: objectSuffix == nil ? "catalog-version" : "catalog-concept", id: id, details: details), in: sql)
            return value
        }
        try await cache.reload()
        return result
    }

    /// Mapping checks: the target catalog and version exist and are published, every source code is in
    /// `concepts`, every target code in the target version, kinds consistent, no duplicate pairs. Returns
    /// the maps with the target version filled in (the target's current version when not given).
    func checkMappings(_ maps: [ConceptMap], concepts: [Concept], catalog: String, sql: any SQLDatabase) async throws -> [ConceptMap] {
        let codes = Set(concepts.map(\.code))
        var errors: [Problem.FieldError] = []
        var result: [ConceptMap] = []
        var targets = Set<String>()
        for (mapIndex, map) in maps.enumerated() {
            let pointer = "/mappings/\(mapIndex)"
            guard targets.insert(map.target).inserted else {
                errors.append(.init(pointer: pointer + "/target", message: "Hai ánh xạ cùng tới “\(map.target)”."))
                continue
            }
            guard map.target != catalog else {
                errors.append(.init(pointer: pointer + "/target", message: "Không ánh xạ một danh mục tới chính nó."))
                continue
            }
            guard let targetCatalog = try await store.catalog(map.target, sql) else {
                errors.append(.init(pointer: pointer + "/target", message: "Không có danh mục “\(map.target)”."))
                continue
            }
            let versions = try await store.versions(of: map.target, sql)
            let entry = CatalogEntry(info: targetCatalog, versions: versions)
            let targetVersion: StoredVersion? = map.targetVersion > 0 ? entry.version(map.targetVersion) : entry.current(on: .today())
            guard let targetVersion, targetVersion.info.status != .draft else {
                errors.append(.init(
                    pointer: pointer + "/targetVersion",
                    message: map.targetVersion > 0 ? "Danh mục “\(map.target)” không có phiên bản đã công bố số \(map.targetVersion)." : "Danh mục “\(map.target)” chưa có phiên bản công bố."
                ))
                continue
            }
            let targetCodes = Set(try await store.concepts(versionID: targetVersion.id, sql).map(\.code))
            var seen = Set<MappingElement>()
            for (index, element) in map.elements.enumerated() {
                let elementPointer = pointer + "/elements/\(index)"
                if !codes.contains(element.source) {
                    errors.append(.init(pointer: elementPointer + "/source", message: "Mã nguồn “\(element.source)” không có trong phiên bản này.", code: element.source))
                }
                if !targetCodes.contains(element.target) {
                    errors.append(.init(
                        pointer: elementPointer + "/target",
                        message: "Mã đích “\(element.target)” không có trong “\(map.target)” phiên bản \(targetVersion.info.number).", code: element.source
                    ))
                }
                var key = element
                key.comment = nil
                key.kind = .related
                if !seen.insert(key).inserted {
                    errors.append(.init(pointer: elementPointer, message: "Cặp \(element.source) → \(element.target) lặp lại.", code: element.source))
                }
            }
            // A source merged whole or unchanged has exactly one target.
            let bySource = Dictionary(grouping: map.elements, by: \.source)
            for (source, elements) in bySource.sorted(by: { $0.key < $1.key }) where elements.count > 1 {
                if let single = elements.first(where: { [.mergedWhole, .unchanged, .renamed, .equivalent].contains($0.kind) }) {
                    errors.append(.init(
                        pointer: pointer + "/elements",
                        message: "Mã nguồn “\(source)” có \(elements.count) mã đích nhưng loại “\(single.kind.rawValue)” chỉ cho phép một.", code: source
                    ))
                }
            }
            var checked = map
            checked.targetVersion = targetVersion.info.number
            checked.elements.sort { ($0.source, $0.target) < ($1.source, $1.target) }
            result.append(checked)
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "Ánh xạ có \(errors.count) lỗi; không có gì được lưu.") }
        return result
    }

    // MARK: Publish and retire

    struct PublishResult: Sendable {
        let version: VersionInfo
        let previous: Int?
        let diff: VersionDiff
    }

    /// Publishes a draft: checks its whole content again, fixes its digest, and makes it current (if in
    /// force) in one transaction, with the diff against the previous current version in the audit log and
    /// webhook deliveries queued in the same commit.
    func publish(_ key: String, number: Int, effectiveFrom: Day?, by actor: CatalogActor) async throws -> PublishResult {
        let result: PublishResult = try await database.transaction { [store] sql in
            guard let catalog = try await store.lockCatalog(key, sql) else { throw Self.noCatalog(key) }
            guard var version = try await store.version(key, number: number, sql) else {
                throw Problem.notFound("Danh mục “\(key)” không có phiên bản \(number).")
            }
            guard version.info.status == .draft else {
                throw Problem(.conflict, detail: "Phiên bản \(number) của “\(key)” không phải bản nháp.")
            }
            if let effectiveFrom { version.info.effectiveFrom = effectiveFrom }
            try Self.checkWindow(version.info.effectiveFrom, version.info.effectiveTo)
            let concepts = try await store.concepts(versionID: version.id, sql)
            guard !concepts.isEmpty else {
                throw Problem(.conflict, detail: "Bản nháp chưa có mã nào; không công bố phiên bản rỗng.")
            }
            let errors = ConceptValidator.check(concepts.map { ($0, .code($0.code)) })
            guard errors.isEmpty else { throw Problem.validation(errors, detail: "Bản nháp có \(errors.count) lỗi; chưa công bố.") }
            let mappings = try await self.checkMappings(try await store.mappings(versionID: version.id, sql), concepts: concepts, catalog: key, sql: sql)
            return try await self.finishPublish(catalog: catalog, version: version, concepts: concepts, mappings: mappings, by: actor, sql: sql)
        }
        try await cache.reload()
        return result
    }

    /// Marks `version` published (in the caller's transaction, catalog locked), audits the diff against
    /// the version current before, queues webhooks.
    func finishPublish(
        catalog: CatalogInfo, version: StoredVersion, concepts: [Concept], mappings: [ConceptMap], by actor: CatalogActor, sql: any SQLDatabase
    ) async throws -> PublishResult {
        var version = version
        let entry = CatalogEntry(info: catalog, versions: try await store.versions(of: catalog.key, sql))
        let previous = entry.current(on: .today())
        var previousConcepts: [Concept] = []
        if let previous { previousConcepts = try await store.concepts(versionID: previous.id, sql) }
        let diff = VersionDiff(from: previousConcepts, to: concepts)
        version.info.status = .published
        version.info.publishedAt = Timestamp.now()
        version.info.conceptCount = concepts.count
        version.info.contentHash = ContentHash.of(concepts: concepts, mappings: mappings)
        try await store.update(version, sql)
        try await store.bumpGeneration(sql)
        let brief = diff.brief(limit: 20)
        var details: [String: String] = [
            "version": String(version.info.number), "previous": previous.map { String($0.info.number) } ?? "none",
            "added": String(diff.summary.added), "removed": String(diff.summary.removed), "changed": String(diff.summary.changed),
            "concepts": String(concepts.count), "origin": version.info.origin.rawValue,
        ]
        if !brief.addedCodes.isEmpty { details["addedCodes"] = brief.addedCodes.joined(separator: ",") }
        if !brief.removedCodes.isEmpty { details["removedCodes"] = brief.removedCodes.joined(separator: ",") }
        if !brief.changedCodes.isEmpty { details["changedCodes"] = brief.changedCodes.joined(separator: ",") }
        if let source = version.info.sourceVersion { details["sourceVersion"] = source }
        try await audit.record(actor.event(
            "catalogs.version.publish", type: "catalog-version", id: "\(catalog.key)/\(version.info.number)",
            digests: ["content": version.info.contentHash!], details: details
        ), in: sql)
        try await outbox.enqueue(
            WebhookEvent.published(catalog: catalog.key, version: version.info, previous: previous?.info.number, diff: diff.brief()),
            open: catalog.open, sql
        )
        return PublishResult(version: version.info, previous: previous?.info.number, diff: diff)
    }

    func retire(_ key: String, number: Int, by actor: CatalogActor) async throws -> VersionInfo {
        let retired: VersionInfo = try await database.transaction { [store, audit, outbox] sql in
            guard let catalog = try await store.lockCatalog(key, sql) else { throw Self.noCatalog(key) }
            guard var version = try await store.version(key, number: number, sql) else {
                throw Problem.notFound("Danh mục “\(key)” không có phiên bản \(number).")
            }
            guard version.info.status == .published else {
                throw Problem(.conflict, detail: "Chỉ ngừng sử dụng được phiên bản đã công bố (phiên bản \(number) đang là \(version.info.status.rawValue)).")
            }
            version.info.status = .retired
            version.info.retiredAt = Timestamp.now()
            try await store.update(version, sql)
            try await store.bumpGeneration(sql)
            try await audit.record(actor.event("catalogs.version.retire", type: "catalog-version", id: "\(key)/\(number)"), in: sql)
            try await outbox.enqueue(WebhookEvent.retired(catalog: key, version: version.info), open: catalog.open, sql)
            return version.info
        }
        try await cache.reload()
        return retired
    }

    // MARK: Checks

    static func noCatalog(_ key: String) -> Problem {
        Problem.notFound("Không có danh mục “\(key)”.")
    }

    static func checkWindow(_ from: Day?, _ to: Day?) throws {
        if let from, let to, !(from < to) {
            throw Problem.validation([.init(pointer: "/effectiveTo", message: "Ngày hết hiệu lực (\(to)) phải sau ngày có hiệu lực (\(from)).")])
        }
    }

    static func checkText(_ text: String?, _ pointer: String, required: Bool = false, max: Int = 500) -> [Problem.FieldError] {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            return required ? [.init(pointer: pointer, message: "Không được để trống.")] : []
        }
        return text.count > max ? [.init(pointer: pointer, message: "Dài quá \(max) ký tự.")] : []
    }

    static func check(_ sync: SyncSource?) -> [Problem.FieldError] {
        guard let sync else { return [] }
        var errors: [Problem.FieldError] = []
        if let url = sync.url {
            if let parsed = URLComponents(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host?.isEmpty == false,
                parsed.user == nil, parsed.query == nil, parsed.fragment == nil
            {
            } else {
                errors.append(.init(pointer: "/sync/url", message: "Phải là URL http(s) của từ điển dữ liệu, không có truy vấn."))
            }
        }
        if let remote = sync.remoteKey, !CatalogInfo.isValidKey(remote) {
            errors.append(.init(pointer: "/sync/remoteKey", message: "Khóa danh mục nguồn không hợp lệ."))
        }
        return errors
    }
}
