import Core

/// Lưu trữ tạm thời, hồ sơ và kết quả số hóa.
///
/// The module's entry: App creates it with the shared services and asks it for its migrations, routes
/// and health checks. Its tables start with `doc_`.
public struct DocStoreModule: PlatformModule {
    public let name = "docstore"
    public let tablePrefix = "doc_"
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    public var migrations: [Migration] { DocStoreMigrations.all }
}
