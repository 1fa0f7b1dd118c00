/// A module of the platform (SSO, Catalogs, Forms, DocStore, Gateway, NationalSim) as App sees it: its
/// tables (migrations), its routes, and the health checks it adds to level 2.
public protocol PlatformModule: Sendable {
    /// Short name, also the migration module name: `sso`, `catalogs`…
    var name: String { get }
    /// Every table of the module starts with this: `sso_`, `cat_`…
    var tablePrefix: String { get }
    var migrations: [Migration] { get }
    func registerRoutes(on api: APIRouter)
    var healthChecks: [any HealthCheck] { get }
    /// Runs once after migrations, before the server accepts requests (load keys, warm caches).
    func prepare() async throws
    /// Background work while the server runs (scheduled synchronization, outbound deliveries). Returns
    /// when the task is cancelled (graceful shutdown); throws only on a failure the process cannot survive.
    func runBackground() async throws
    /// Last work before the database closes (what is still queued for it is written); called once the
    /// server and the background work have stopped, or when a test's platform closes.
    func shutdown() async
}

extension PlatformModule {
    public var migrations: [Migration] { [] }
    public func registerRoutes(on api: APIRouter) {}
    public var healthChecks: [any HealthCheck] { [] }
    public func prepare() async throws {}
    public func runBackground() async throws {}
    public func shutdown() async {}
    public var migrationSet: MigrationSet { MigrationSet(module: name, migrations: migrations) }
}

/// What every module gets from App: the shared stores and settings.
public struct PlatformServices: Sendable {
    public let configuration: Configuration
    public let database: Database
    public let blobs: any BlobStore
    public let audit: AuditLog
    /// Derive per-purpose keys from it (`derivedKey(for:)`, `seal`); never store it.
    public let masterKey: MasterKey

    public init(configuration: Configuration, database: Database, blobs: any BlobStore, audit: AuditLog, masterKey: MasterKey) {
        self.configuration = configuration
        self.database = database
        self.blobs = blobs
        self.audit = audit
        self.masterKey = masterKey
    }
}
