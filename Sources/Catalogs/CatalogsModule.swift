import Core
import Logging

/// Danh mục dùng chung (R-7.1b, R-9.4): versioned code lists, kept in sync with the national data
/// dictionary, served to every application.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes,
/// health checks and background work. Its tables start with `cat_`.
public struct CatalogsModule: PlatformModule {
    public let name = "catalogs"
    public let tablePrefix = "cat_"
    let services: PlatformServices
    let store: CatalogStore
    let cache: CatalogCache
    let service: CatalogService
    let outbox: WebhookOutbox
    let dispatcher: WebhookDispatcher
    let sync: CatalogSync
    let logger: Logger
    /// Load seed catalogs in `prepare()` (off for tests that build catalogs themselves).
    let loadSeeds: Bool

    public init(services: PlatformServices, loadSeeds: Bool = true, dictionaryTimeout: Duration = .seconds(30)) {
        self.services = services
        self.loadSeeds = loadSeeds
        let logger = Logger(label: "lgsp.catalogs")
        self.logger = logger
        let store = CatalogStore(database: services.database)
        self.store = store
        let cache = CatalogCache(store: store, logger: logger)
        self.cache = cache
        let outbox = WebhookOutbox(database: services.database, masterKey: services.masterKey)
        self.outbox = outbox
        let settings = services.configuration.catalogs
        let dispatcher = WebhookDispatcher(
            outbox: outbox, logger: logger, pollInterval: settings.webhookPoll, schedule: settings.webhookRetry, giveUpAfter: settings.webhookGiveUp
        )
        self.dispatcher = dispatcher
        let service = CatalogService(database: services.database, store: store, cache: cache, audit: services.audit, outbox: outbox, logger: logger)
        self.service = service
        self.sync = CatalogSync(
            service: service, settings: services.configuration.catalogs, client: DictionaryClient(timeout: dictionaryTimeout), logger: logger,
            onPublished: { dispatcher.wake() }
        )
    }

    public var migrations: [Migration] { CatalogMigrations.all }

    /// For other modules (Forms): code checks against the in-memory indexes.
    public var codeLookup: any CodeLookup { CatalogCodeLookup(cache: cache) }

    public func registerRoutes(on api: APIRouter) {
        // The webhook and "sync all" paths first: their fixed segments sit where a catalog key would.
        WebhookController(
            outbox: outbox, audit: services.audit, database: services.database, environment: services.configuration.environment, dispatcher: dispatcher
        ).register(on: api)
        CatalogReadController(reader: CatalogReader(cache: cache), cache: cache, syncStates: { [store] in try await store.syncStates() }).register(on: api)
        CatalogAdminController(service: service, sync: sync, dispatcher: dispatcher).register(on: api)
    }

    public var healthChecks: [any HealthCheck] { [] }

    /// Loads the seed catalogs the database lacks, then the indexes of every current version, so the
    /// first requests are as fast as the rest.
    public func prepare() async throws {
        if loadSeeds {
            try await SeedLoader(service: service, logger: logger).loadMissing(from: services.configuration.seedDirectory)
        }
        let snapshot = try await cache.reload()
        for entry in snapshot.catalogs.values {
            if let current = entry.current(on: .today()) { _ = try await cache.index(for: current) }
        }
    }

    /// Scheduled synchronization and webhook deliveries.
    public func runBackground() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            group.addTask { await sync.runSchedule() }
            await group.waitForAll()
        }
    }

    // MARK: For the command line

    public func syncAll() async throws -> [String] {
        try await sync.syncAll(by: .commandLine).map { report in
            var line = "\(report.catalog): \(report.outcome)"
            if let version = report.version { line += ", phiên bản \(version)" }
            if let summary = report.summary { line += " (+\(summary.added) −\(summary.removed) ~\(summary.changed))" }
            if let detail = report.detail { line += " — \(detail)" }
            return line
        }
    }

    public func syncOne(_ key: String) async -> (ok: Bool, line: String) {
        let report = await sync.sync(key, by: .commandLine)
        var line = "\(report.catalog): \(report.outcome)"
        if let version = report.version { line += ", phiên bản \(version)" }
        if let summary = report.summary { line += " (+\(summary.added) −\(summary.removed) ~\(summary.changed))" }
        if let detail = report.detail { line += " — \(detail)" }
        return (report.outcome != "failed", line)
    }
}
