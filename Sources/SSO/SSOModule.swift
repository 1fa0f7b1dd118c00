import Core
import Foundation

/// Đăng nhập một lần (OpenID Connect) cho công dân, doanh nghiệp, cán bộ và hệ thống.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `sso_`. `tokens` is the access-token verifier App gives the
/// router, so every module's routes accept the tokens issued here.
public struct SSOModule: PlatformModule {
    public let name = "sso"
    public let tablePrefix = "sso_"
    let services: PlatformServices
    public let keys: SigningKeys
    public let tokens: TokenService
    let revocations: RevocationList
    let provider: OIDCProvider
    public let accounts: AccountService
    public let clients: ClientService
    let broker: IdentityBroker
    let brokerStore: BrokerStore

    /// Throws when the identity providers' configuration cannot be read.
    public init(services: PlatformServices) throws {
        self.services = services
        let settings = services.configuration.sso
        let longest = max(settings.accessTokenTTL.duration, settings.idTokenTTL.duration)
        self.keys = SigningKeys(database: services.database, masterKey: services.masterKey, publishWindow: longest + .seconds(300))
        self.revocations = RevocationList(database: services.database)
        self.tokens = TokenService(issuer: services.configuration.issuer, keys: keys, revocations: revocations, settings: settings)
        self.provider = OIDCProvider(services: services, keys: keys, tokens: tokens, revocations: revocations)
        self.accounts = AccountService(provider: provider)
        self.clients = ClientService(provider: provider, environment: services.configuration.environment)
        self.broker = IdentityBroker(
            providers: try IdentityProviderConfig.load(services.configuration.identityProviders), issuer: services.configuration.issuer
        )
        self.brokerStore = BrokerStore(database: services.database)
    }

    public var migrations: [Migration] { SSOMigrations.all }

    /// The platform's document seal (digitized results), with the token signing keys.
    public var sealer: any DocumentSealer { PlatformSealer(keys: keys) }

    /// Loads (or creates the first) signing key and the revocation list; clears what has expired.
    public func prepare() async throws {
        try await keys.load()
        try await revocations.load()
        try await provider.housekeeping()
        try await brokerStore.purgeExpired()
    }

    public func registerRoutes(on api: APIRouter) {
        TokenController(provider: provider, keys: keys).register(on: api)
        let federated = broker.order.compactMap { broker.providers[$0] }
        let authorization = AuthorizationController(provider: provider, federated: federated)
        authorization.register(on: api)
        BrokerController(provider: provider, broker: broker, store: brokerStore, authorization: authorization, masterKey: services.masterKey)
            .register(on: api)
        AdminController(accounts: accounts, clients: clients, keys: keys).register(on: api)
    }
}
