import AsyncHTTPClient
import Core
import Foundation
import Logging

/// Trục kết nối: thành viên, dịch vụ, cấp quyền, chuyển tiếp.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `gw_`.
public struct GatewayModule: PlatformModule {
    public let name = "gateway"
    public let tablePrefix = "gw_"
    let services: PlatformServices
    let members: MemberService
    let registry: ServiceRegistry
    let grants: GrantService
    let recorder: TransactionRecorder
    let transactions: TransactionStore
    let proxy: ProxyHandler
    let health: HealthMonitor
    let changes = GatewayChanges()
    let logger = Logger(label: "lgsp.gateway")

    /// Outbound calls to upstreams: no redirects followed (a redirect goes back to the consumer), no
    /// connection-count ceiling that would queue calls under load.
    /// A refused connection fails the call at once (502) instead of being retried until the connect timeout.
    static let client: HTTPClient = {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(300)), connectionPool: pool, decompression: .disabled
        )
        // No distributed-tracing span per call: the platform follows calls by request id and the
        // transaction log, and a span (even a no-op one) cost about 5 % of a proxied call's CPU.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// - Parameters:
    ///   - credentials: SSO clients for the members' systems (nil: credentials cannot be issued).
    ///   - tokens: verifies the access tokens consumers present to the proxy (nil: every call is 401).
    public init(services: PlatformServices, credentials: (any SystemCredentials)? = nil, tokens: (any AccessTokenVerifier)? = nil) {
        self.services = services
        let memberStore = MemberStore(database: services.database)
        self.members = MemberService(database: services.database, store: memberStore, audit: services.audit, credentials: credentials)
        self.registry = ServiceRegistry(
            database: services.database, store: ServiceStore(database: services.database), members: memberStore, audit: services.audit,
            masterKey: services.masterKey, changes: changes, publicURL: services.configuration.issuer
        )
        self.grants = GrantService(
            database: services.database, store: GrantStore(database: services.database), services: registry.store, members: memberStore,
            audit: services.audit, workingDays: WorkingDays(holidays: services.configuration.gateway.publicHolidays), changes: changes
        )
        self.health = HealthMonitor(
            database: services.database, store: HealthStore(database: services.database), services: registry.store, audit: services.audit,
            client: Self.client, logger: Logger(label: "lgsp.gateway.health")
        )
        let transactions = TransactionStore(database: services.database)
        self.transactions = transactions
        let recorder = TransactionRecorder(store: transactions, logger: Logger(label: "lgsp.gateway.transactions"))
        self.recorder = recorder
        self.proxy = ProxyHandler(
            table: RouteTable(services: registry.store, members: memberStore, grants: grants.store, masterKey: services.masterKey, changes: changes),
            limiter: RateLimiter(), quota: DailyQuota(store: transactions), recorder: recorder, tokens: UpstreamTokens(client: Self.client),
            verifier: tokens, client: Self.client
        )
    }

    public var migrations: [Migration] { GatewayMigrations.all }

    public func registerRoutes(on api: APIRouter) {
        MemberController(service: members).register(on: api)
        ServiceController(registry: registry, members: members.store, health: health.store).register(on: api)
        GrantController(grants: grants, members: members.store).register(on: api)
        ProxyController(handler: proxy).register(on: api)
        let log = TransactionController(store: transactions, recorder: recorder, members: members.store, statistics: CallStatistics(database: services.database))
        log.register(on: api)
        log.registerStatistics(on: api)
    }

    /// Retires the services whose announced date has come, every minute; polls health URLs as they fall
    /// due (looking every 2 seconds); drops checks past their retention once an hour. What the
    /// transaction log still holds is written by `shutdown()`, before the database closes.
    public func runBackground() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await repeatEvery(.seconds(60), "Không ngừng được dịch vụ đến hạn") { try await registry.retireDue() } }
            group.addTask { await repeatEvery(.seconds(2), "Không kiểm tra được kết nối các dịch vụ") { try await health.checkDue() } }
            group.addTask { await repeatEvery(.seconds(3600), "Không xóa được kết quả kiểm tra kết nối quá hạn lưu") { try await health.purge() } }
        }
    }

    /// Writes what the transaction log still holds (within 30 s; after that the loss is logged and the
    /// drain stops retrying, so nothing keeps writing to a closed database). Called once, when the
    /// platform closes.
    public func shutdown() async {
        let recorder = self.recorder
        await Task { await recorder.flush(within: .seconds(30)) }.value
    }

    /// Runs `work` until the task is cancelled, `period` apart; a failure is logged and tried again.
    private func repeatEvery(_ period: Duration, _ failure: String, _ work: () async throws -> Void) async {
        while !Task.isCancelled {
            do {
                try await work()
            } catch is CancellationError {
                return
            } catch {
                logger.error("\(failure)", metadata: ["error": "\(SafeErrorDescription.describe(error))"])
            }
            try? await Task.sleep(for: period)
        }
    }
}
