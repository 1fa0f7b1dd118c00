import Core
import Logging

/// Lưu trữ tạm thời, hồ sơ và kết quả số hóa.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `doc_`; its files live under `<data-dir>/docstore`.
public struct DocStoreModule: PlatformModule {
    public let name = "docstore"
    public let tablePrefix = "doc_"
    let services: PlatformServices
    public let uploads: UploadService
    let keys: DataKeyWrapper

    let dossiers: DossierService
    let results: ResultService

    /// - Parameters:
    ///   - uploads: the temporary uploads, when made earlier (Forms checks `x-file` fields against them)
    ///   - submissions: form submissions (dossiers made from them); nil: dossiers only from uploads.
    ///   - sealer: the platform's document seal (digitized results).
    public init(
        services: PlatformServices, uploads: UploadService? = nil, submissions: (any SubmissionLookup)? = nil, sealer: (any DocumentSealer)? = nil
    ) async throws {
        self.services = services
        if let uploads {
            self.uploads = uploads
        } else {
            self.uploads = try await UploadService.make(services: services)
        }
        self.keys = self.uploads.keys
        self.dossiers = DossierService(
            database: services.database, store: DossierStore(database: services.database), uploads: self.uploads, submissions: submissions, audit: services.audit
        )
        self.results = ResultService(
            database: services.database, store: ResultStore(database: services.database), dossiers: DossierStore(database: services.database),
            uploads: self.uploads, sealer: sealer, audit: services.audit, issuer: services.configuration.issuer
        )
    }

    public var migrations: [Migration] { DocStoreMigrations.all }

    public func registerRoutes(on api: APIRouter) {
        FileController(uploads: uploads, issuer: services.configuration.issuer, smallFileMaxSize: services.configuration.docStore.smallFileMaxSize)
            .register(on: api)
        DossierController(service: dossiers, uploads: uploads).register(on: api)
        ResultController(service: results, uploads: uploads).register(on: api)
    }

    /// The upload sweeper: deletes expired uploads every `sweepInterval`.
    public func runBackground() async throws {
        let logger = Logger(label: "lgsp.docstore")
        var lastOrphanSweep = ContinuousClock.now - .seconds(3600)
        while !Task.isCancelled {
            do {
                try await uploads.sweep()
                if ContinuousClock.now - lastOrphanSweep >= .seconds(3600) {
                    lastOrphanSweep = .now
                    try await uploads.sweepOrphans()
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("Dọn tệp tải lên hết hạn thất bại: \(SafeErrorDescription.describe(error))")
            }
            try? await Task.sleep(for: services.configuration.docStore.sweepInterval)
        }
    }

    /// Re-wraps every data key still under a previous master key with the current one (`lgsp docstore
    /// rewrap`). Files are not touched. Returns how many keys were re-wrapped.
    public func rewrapKeys() async throws -> Int {
        let store = UploadStore(database: services.database)
        var count = 0
        while true {
            let batch = try await store.keysNotUnder(keys.currentKeyID, limit: 500)
            if batch.isEmpty { break }
            for item in batch {
                let key = try keys.unwrap(item.wrapped, context: item.context)
                try await store.replaceKey(table: item.table, id: item.id, old: item.wrapped, new: try keys.wrap(key, context: item.context))
                count += 1
            }
        }
        if count > 0 {
            try await services.audit.record(AuditEvent(
                action: "docstore.keys.rewrap", outcome: .success, subject: "system", objectType: "master-key", objectID: keys.currentKeyID,
                details: ["count": String(count)]
            ))
        }
        return count
    }
}
