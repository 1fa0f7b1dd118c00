import Core
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Pulls catalogs from the national data dictionary. A new version is created only when the content
/// (concepts and mappings) differs from the current version's; it is written and published in one
/// transaction, so a read that fails half-way, a dictionary that changes mid-read or a crash leave the
/// previous version current.
final class CatalogSync: Sendable {
    let service: CatalogService
    let settings: CatalogSettings
    let client: DictionaryClient
    let logger: Logger
    let onPublished: @Sendable () -> Void
    private let running = NIOLockedValueBox<Set<String>>([])

    init(service: CatalogService, settings: CatalogSettings, client: DictionaryClient = DictionaryClient(), logger: Logger, onPublished: @escaping @Sendable () -> Void) {
        self.service = service
        self.settings = settings
        self.client = client
        self.logger = logger
        self.onPublished = onPublished
    }

    struct Report: Sendable, Encodable {
        let catalog: String
        /// `updated`, `unchanged`, `failed`, `skipped`.
        let outcome: String
        let detail: String?
        let version: Int?
        let previousVersion: Int?
        let sourceVersion: String?
        let summary: VersionDiff.Summary?
    }

    /// The dictionary a catalog follows: its own `sync` setting, else `--catalog-sync-url` for national
    /// catalogs. Nil: not synchronized.
    func source(for catalog: CatalogInfo) -> (url: String, remoteKey: String)? {
        if let sync = catalog.sync {
            guard sync.enabled, let url = sync.url ?? (settings.syncURL.isEmpty ? nil : settings.syncURL) else { return nil }
            return (url, sync.remoteKey ?? catalog.key)
        }
        guard catalog.source.kind == .national, !settings.syncURL.isEmpty else { return nil }
        return (settings.syncURL, catalog.key)
    }

    /// Every catalog that has a source, one after another.
    func syncAll(by actor: CatalogActor) async throws -> [Report] {
        var reports: [Report] = []
        for catalog in try await service.store.catalogs() where source(for: catalog) != nil {
            // Shutting down: stop between catalogs rather than record failures that are not the source's.
            if Task.isCancelled { break }
            reports.append(await sync(catalog.key, by: actor))
        }
        return reports
    }

    /// Synchronizes one catalog. Never throws: a failure is a report (and an audit entry).
    func sync(_ key: String, by actor: CatalogActor) async -> Report {
        guard running.withLockedValue({ $0.insert(key).inserted }) else {
            return Report(catalog: key, outcome: "skipped", detail: "đang có một lần đồng bộ khác", version: nil, previousVersion: nil, sourceVersion: nil, summary: nil)
        }
        defer { _ = running.withLockedValue { $0.remove(key) } }
        let store = service.store
        do {
            guard let catalog = try await store.catalog(key) else {
                return Report(catalog: key, outcome: "failed", detail: "không có danh mục này", version: nil, previousVersion: nil, sourceVersion: nil, summary: nil)
            }
            guard let (url, remoteKey) = source(for: catalog) else {
                return Report(catalog: key, outcome: "skipped", detail: "danh mục không có nguồn đồng bộ", version: nil, previousVersion: nil, sourceVersion: nil, summary: nil)
            }
            let previousState = try await store.syncStates()[key]
            let entry = CatalogEntry(info: catalog, versions: try await store.versions(of: key))
            let current = entry.current(on: .today())
            // Only trust a 304 when what the ETag described is what is current here.
            let etag = current?.info.origin == .sync && current?.info.sourceVersion == previousState?.sourceVersion ? previousState?.sourceETag : nil
            let answer = try await client.fetch(base: url, key: remoteKey, ifNoneMatch: etag)
            switch answer {
            case .notModified:
                try await store.saveSyncState(key, SyncState(
                    checkedAt: Timestamp.now(), outcome: "unchanged", detail: "304 Not Modified", sourceETag: previousState?.sourceETag,
                    sourceVersion: previousState?.sourceVersion, changedAt: previousState?.changedAt
                ))
                return Report(catalog: key, outcome: "unchanged", detail: nil, version: current?.info.number, previousVersion: nil, sourceVersion: previousState?.sourceVersion, summary: nil)
            case .content(let remote, let rawConcepts, let newETag):
                let concepts = rawConcepts.map { $0.normalized() }
                let errors = ConceptValidator.check(concepts.map { ($0, .code($0.code)) })
                guard errors.isEmpty else {
                    throw DictionaryClient.Failure(description: "dữ liệu từ từ điển có \(errors.count) lỗi, ví dụ: \(errors[0].message)")
                }
                let report: Report = try await service.database.transaction { [service] sql in
                    guard var locked = try await store.lockCatalog(key, sql) else { throw Problem.notFound("Không có danh mục “\(key)”.") }
                    let mappings = try await service.checkMappings(
                        (remote.mappings ?? []).map { ConceptMap(target: $0.target, targetVersion: 0, description: $0.description, elements: $0.elements) },
                        concepts: concepts, catalog: key, sql: sql
                    )
                    let hash = ContentHash.of(concepts: concepts, mappings: mappings)
                    let lockedEntry = CatalogEntry(info: locked, versions: try await store.versions(of: key, sql))
                    let now = Timestamp.now()
                    if let current = lockedEntry.current(on: .today()), current.info.contentHash == hash {
                        try await store.saveSyncState(key, SyncState(
                            checkedAt: now, outcome: "unchanged", detail: nil, sourceETag: newETag, sourceVersion: remote.version,
                            changedAt: previousState?.changedAt
                        ), sql)
                        return Report(catalog: key, outcome: "unchanged", detail: nil, version: current.info.number, previousVersion: nil, sourceVersion: remote.version, summary: nil)
                    }
                    // Descriptive fields follow the dictionary.
                    var metadataChanged = false
                    func follow(_ path: WritableKeyPath<CatalogInfo, String?>, _ value: String?) {
                        if let value, locked[keyPath: path] != VietnameseText.nfc(value) {
                            locked[keyPath: path] = VietnameseText.nfc(value)
                            metadataChanged = true
                        }
                    }
                    if locked.name != VietnameseText.nfc(remote.name) {
                        locked.name = VietnameseText.nfc(remote.name)
                        metadataChanged = true
                    }
                    follow(\.nameEn, remote.nameEn)
                    follow(\.description, remote.description)
                    follow(\.ownerAgency, remote.ownerAgency)
                    if let basis = remote.legalBasis, locked.source.legalBasis != basis {
                        locked.source.legalBasis = basis
                        metadataChanged = true
                    }
                    if metadataChanged {
                        locked.updatedAt = now
                        try await store.update(locked, sql)
                    }
                    let info = VersionInfo(
                        catalog: key, number: try await store.nextVersionNumber(key, sql), label: remote.label ?? remote.version, status: .draft,
                        origin: .sync, note: "Đồng bộ từ \(url)", effectiveFrom: remote.effectiveFrom, effectiveTo: remote.effectiveTo,
                        createdAt: now, createdBy: actor.name, publishedAt: nil, retiredAt: nil, conceptCount: concepts.count, contentHash: nil,
                        sourceVersion: remote.version
                    )
                    let id = try await store.insert(info, sql)
                    try await store.insert(concepts, versionID: id, sql)
                    for map in mappings { try await store.replace(map, versionID: id, sql) }
                    let published = try await service.finishPublish(
                        catalog: locked, version: StoredVersion(id: id, info: info), concepts: concepts, mappings: mappings, by: actor, sql: sql
                    )
                    try await store.saveSyncState(key, SyncState(
                        checkedAt: now, outcome: "updated", detail: nil, sourceETag: newETag, sourceVersion: remote.version, changedAt: now
                    ), sql)
                    return Report(
                        catalog: key, outcome: "updated", detail: nil, version: published.version.number, previousVersion: published.previous,
                        sourceVersion: remote.version, summary: published.diff.summary
                    )
                }
                if report.outcome == "updated" {
                    try await service.cache.reload()
                    onPublished()
                    logger.info("Đã đồng bộ danh mục: phiên bản mới", metadata: [
                        "catalog": "\(key)", "version": "\(report.version ?? 0)", "added": "\(report.summary?.added ?? 0)",
                        "removed": "\(report.summary?.removed ?? 0)", "changed": "\(report.summary?.changed ?? 0)",
                    ])
                }
                return report
            }
        } catch {
            if Task.isCancelled {
                return Report(catalog: key, outcome: "skipped", detail: "dừng do tiến trình đang tắt", version: nil, previousVersion: nil, sourceVersion: nil, summary: nil)
            }
            let detail = (error as? DictionaryClient.Failure)?.description ?? (error as? Problem)?.detail ?? SafeErrorDescription.describe(error)
            logger.warning("Đồng bộ danh mục không thành công; phiên bản hiện hành giữ nguyên", metadata: ["catalog": "\(key)", "error": "\(detail)"])
            let previous = try? await store.syncStates()[key]
            try? await store.saveSyncState(key, SyncState(
                checkedAt: Timestamp.now(), outcome: "failed", detail: detail, sourceETag: previous?.sourceETag,
                sourceVersion: previous?.sourceVersion, changedAt: previous?.changedAt
            ))
            _ = try? await service.audit.record(actor.event("catalogs.sync", outcome: .failure, type: "catalog", id: key, details: ["reason": String(detail.prefix(300))]))
            return Report(catalog: key, outcome: "failed", detail: detail, version: nil, previousVersion: nil, sourceVersion: nil, summary: nil)
        }
    }

    /// Synchronizes every catalog with a source at each interval, until cancelled.
    func runSchedule() async {
        while !Task.isCancelled {
            do {
                let reports = try await syncAll(by: .platform)
                if !reports.isEmpty {
                    logger.info("Đồng bộ danh mục định kỳ", metadata: [
                        "updated": "\(reports.filter { $0.outcome == "updated" }.count)", "failed": "\(reports.filter { $0.outcome == "failed" }.count)",
                        "unchanged": "\(reports.filter { $0.outcome == "unchanged" }.count)",
                    ])
                }
            } catch {
                logger.warning("Đồng bộ danh mục định kỳ không chạy được", metadata: ["error": "\(SafeErrorDescription.describe(error))"])
            }
            try? await Task.sleep(for: settings.syncInterval.duration)
        }
    }
}
