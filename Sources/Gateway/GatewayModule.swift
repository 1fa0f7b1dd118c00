import Core

/// Trục kết nối: thành viên, dịch vụ, cấp quyền, chuyển tiếp.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `gw_`.
public struct GatewayModule: PlatformModule {
    public let name = "gateway"
    public let tablePrefix = "gw_"
    let services: PlatformServices
    let members: MemberService

    /// - Parameter credentials: SSO clients for the members' systems (nil: credentials cannot be issued).
    public init(services: PlatformServices, credentials: (any SystemCredentials)? = nil) {
        self.services = services
        self.members = MemberService(database: services.database, store: MemberStore(database: services.database), audit: services.audit, credentials: credentials)
    }

    public var migrations: [Migration] { GatewayMigrations.all }

    public func registerRoutes(on api: APIRouter) {
        MemberController(service: members).register(on: api)
    }
}
