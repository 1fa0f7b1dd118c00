import Core

/// Danh mục dùng chung.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `cat_`.
public struct CatalogsModule: PlatformModule {
    public let name = "catalogs"
    public let tablePrefix = "cat_"
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }
}
