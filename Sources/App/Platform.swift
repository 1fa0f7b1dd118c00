import Catalogs
import Core
import DocStore
import Forms
import Gateway
import Logging
import NationalSim
import Prometheus
import SSO

/// The platform assembled: shared stores opened, modules created. One per process (or per test).
struct Platform: Sendable {
    let configuration: Configuration
    let logger: Logger
    let services: PlatformServices
    let modules: [any PlatformModule]
    let metrics: PrometheusCollectorRegistry
    let startedAt: ContinuousClock.Instant
    let masterKeySource: MasterKey.Source
    let sso: SSOModule
    let catalogs: CatalogsModule
    let docStore: DocStoreModule
    let gateway: GatewayModule

    var database: Database { services.database }
    var blobs: FileBlobStore { services.blobs as! FileBlobStore }

    /// Opens the database and blob store and creates the modules. Nothing is migrated yet.
    static func open(
        _ configuration: Configuration,
        logger: Logger,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        extraModules: @Sendable (PlatformServices) -> [any PlatformModule] = { _ in [] }
    ) async throws -> Platform {
        let (masterKey, masterKeySource) = try MasterKey.resolve(configuration)
        let database = try Database.open(
            configuration.databaseLocation, acquireTimeout: configuration.databaseTimeout.duration, logger: logger
        )
        do {
            let blobs = try await FileBlobStore(root: configuration.blobDirectory)
            let services = PlatformServices(
                configuration: configuration, database: database, blobs: blobs,
                audit: AuditLog(database: database, masterKey: masterKey), masterKey: masterKey
            )
            let sso = try SSOModule(services: services)
            let catalogs = CatalogsModule(services: services)
            let uploads = try await UploadService.make(services: services)
            let forms = FormsModule(services: services, codes: catalogs.codeLookup, uploads: uploads)
            let docStore = try await DocStoreModule(services: services, uploads: uploads, submissions: forms.submissions, sealer: sso.sealer)
            let gateway = GatewayModule(services: services, credentials: SSOSystemCredentials(clients: sso.clients), tokens: sso.tokens)
            let modules: [any PlatformModule] = [
                sso,
                catalogs,
                forms,
                docStore,
                gateway,
                NationalSimModule(services: services),
            ] + extraModules(services)
            return Platform(
                configuration: configuration, logger: logger, services: services, modules: modules,
                metrics: metrics, startedAt: .now, masterKeySource: masterKeySource, sso: sso, catalogs: catalogs,
                docStore: docStore, gateway: gateway
            )
        } catch {
            await database.close()
            throw error
        }
    }

    /// Every migration, in order: the audit log first, then each module's.
    var migrationSets: [MigrationSet] {
        [AuditLog.migrations] + modules.map(\.migrationSet)
    }

    /// Applies pending migrations and records the run in the audit log.
    @discardableResult
    func migrate() async throws -> [MigrationRunner.Entry] {
        let applied = try await MigrationRunner(database: database, logger: logger).run(migrationSets)
        if !applied.isEmpty {
            try await services.audit.record(AuditEvent(
                action: "system.migrate", outcome: .success,
                details: ["applied": applied.map { "\($0.module)/\($0.name)" }.joined(separator: ","), "count": String(applied.count)]
            ))
        }
        return applied
    }

    /// Lets every module load what it needs before requests arrive (after `migrate`).
    func prepare() async throws {
        for module in modules {
            try await module.prepare()
        }
    }

    var healthChecks: [any HealthCheck] {
        [DatabaseHealthCheck(database: database), BlobStoreHealthCheck(store: services.blobs)]
            + modules.flatMap(\.healthChecks)
    }

    func close() async {
        for module in modules { await module.shutdown() }
        await database.close()
    }
}
