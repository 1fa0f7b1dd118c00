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

    public init(services: PlatformServices) async throws {
        self.services = services
        let configuration = services.configuration
        self.keys = DataKeyWrapper(configuration: configuration, masterKey: services.masterKey)
        let files = try await ContentFiles(root: configuration.docStoreDirectory)
        self.uploads = UploadService(
            database: services.database, files: files, keys: keys, audit: services.audit, settings: configuration.docStore
        )
    }

    public var migrations: [Migration] { DocStoreMigrations.all }

    public func registerRoutes(on api: APIRouter) {
        FileController(uploads: uploads, issuer: services.configuration.issuer, smallFileMaxSize: services.configuration.docStore.smallFileMaxSize)
            .register(on: api)
    }

    /// The upload sweeper: deletes expired uploads every `sweepInterval`.
    public func runBackground() async throws {
        let logger = Logger(label: "lgsp.docstore")
        while !Task.isCancelled {
            do {
                try await uploads.sweep()
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
