import Core
import LGSPTesting
import Testing

@testable import DocStore

@Suite struct DocStoreModuleTests {
    @Test func migrationsKeepToTheModulePrefixAndAreIdempotent() async throws {
        try await ModuleConventions.withServices { services in
            let module = try await DocStoreModule(services: services)
            let tables = try await ModuleConventions.check(module)
            #expect(tables.allSatisfy { $0.hasPrefix(module.tablePrefix) })
        }
    }
}
