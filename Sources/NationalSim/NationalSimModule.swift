import Core

/// Mô phỏng các nền tảng quốc gia (VDXP, NDXP, VNPost) cho phát triển và kiểm thử.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `sim_`.
public struct NationalSimModule: PlatformModule {
    public let name = "sim"
    public let tablePrefix = "sim_"
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }
}
