import Core

/// Trục kết nối: thành viên, dịch vụ, cấp quyền, chuyển tiếp.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `gw_`.
public struct GatewayModule: PlatformModule {
    public let name = "gateway"
    public let tablePrefix = "gw_"
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }
}
