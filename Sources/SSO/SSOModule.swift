import Core

/// Đăng nhập một lần (OpenID Connect) cho công dân, doanh nghiệp, cán bộ và hệ thống.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `sso_`.
public struct SSOModule: PlatformModule {
    public let name = "sso"
    public let tablePrefix = "sso_"
    let services: PlatformServices
    public let keys: SigningKeys
    public let tokens: TokenService
    let revocations: RevocationList

    public init(services: PlatformServices) {
        self.services = services
        let settings = services.configuration.sso
        let longest = max(settings.accessTokenTTL.duration, settings.idTokenTTL.duration)
        self.keys = SigningKeys(database: services.database, masterKey: services.masterKey, publishWindow: longest + .seconds(300))
        self.revocations = RevocationList(database: services.database)
        self.tokens = TokenService(issuer: services.configuration.issuer, keys: keys, revocations: revocations, settings: settings)
    }

    public var migrations: [Migration] { SSOMigrations.all }
}
