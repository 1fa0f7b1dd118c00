import Core

/// Biểu mẫu điện tử.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `form_`.
public struct FormsModule: PlatformModule {
    public let name = "forms"
    public let tablePrefix = "form_"
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }
}
