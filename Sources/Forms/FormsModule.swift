import Core
import Logging

/// Biểu mẫu điện tử (R-7.1c-content): forms defined once as JSON Schema 2020-12 with platform keywords,
/// validated the same way everywhere, versioned, with submissions kept against the version they passed.
///
/// The module's entry: App creates it with the shared services and the catalogs' `CodeLookup`, and asks it
/// for its migrations and routes. Its tables start with `form_`.
public struct FormsModule: PlatformModule {
    public let name = "forms"
    public let tablePrefix = "form_"
    let services: PlatformServices
    let store: FormStore
    let service: FormService

    /// - Parameters:
    ///   - codes: catalog checks for `x-catalog` fields.
    ///   - uploads: the document store's uploads for `x-file` fields; nil until it exists (files are refused).
    public init(services: PlatformServices, codes: any CodeLookup, uploads: (any UploadLookup)? = nil) {
        self.services = services
        let store = FormStore(database: services.database)
        self.store = store
        self.service = FormService(database: services.database, store: store, audit: services.audit, codes: codes, uploads: uploads)
    }

    public var migrations: [Migration] { FormMigrations.all }

    /// Submissions, for the document store (dossiers made from them).
    public var submissions: any SubmissionLookup { service }

    /// Loads the seed forms the database lacks (after Catalogs has loaded the catalogs they name).
    public func prepare() async throws {
        try await FormSeedLoader(service: service, configuration: services.configuration, logger: Logger(label: "lgsp.forms")).loadMissing()
    }

    public func registerRoutes(on api: APIRouter) {
        FormController(service: service, store: store).register(on: api)
    }
}
