import Core
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
    let changes = GatewayChanges()
    let logger = Logger(label: "lgsp.gateway")

    /// - Parameter credentials: SSO clients for the members' systems (nil: credentials cannot be issued).
    public init(services: PlatformServices, credentials: (any SystemCredentials)? = nil) {
        self.services = services
        let memberStore = MemberStore(database: services.database)
        self.members = MemberService(database: services.database, store: memberStore, audit: services.audit, credentials: credentials)
        self.registry = ServiceRegistry(
            database: services.database, store: ServiceStore(database: services.database), members: memberStore, audit: services.audit,
            masterKey: services.masterKey, changes: changes
        )
        self.grants = GrantService(
            database: services.database, store: GrantStore(database: services.database), services: registry.store, members: memberStore,
            audit: services.audit, workingDays: WorkingDays(holidays: services.configuration.gateway.publicHolidays), changes: changes
        )
    }

    public var migrations: [Migration] { GatewayMigrations.all }

    public func registerRoutes(on api: APIRouter) {
        MemberController(service: members).register(on: api)
        ServiceController(registry: registry, members: members.store).register(on: api)
        GrantController(grants: grants, members: members.store).register(on: api)
    }

    /// Retires the services whose announced date has come, every minute.
    public func runBackground() async throws {
        while !Task.isCancelled {
            do {
                try await registry.retireDue()
            } catch is CancellationError {
                return
            } catch {
                logger.error("Không ngừng được dịch vụ đến hạn", metadata: ["error": "\(SafeErrorDescription.describe(error))"])
            }
            try? await Task.sleep(for: .seconds(60))
        }
    }
}
