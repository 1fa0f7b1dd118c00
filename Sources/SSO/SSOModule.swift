import Core

/// Đăng nhập một lần (OpenID Connect) cho công dân, doanh nghiệp, cán bộ và hệ thống.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `sso_`.
public struct SSOModule: PlatformModule {
    public let name = "sso"
    public let tablePrefix = "sso_"
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }
}
