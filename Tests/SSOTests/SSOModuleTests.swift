import Core
import LGSPTesting
import Testing

@testable import SSO

@Suite struct SSOModuleTests {
    @Test func migrationsKeepToTheModulePrefixAndAreIdempotent() async throws {
        try await ModuleConventions.withServices { services in
            let module = try SSOModule(services: services)
            let tables = try await ModuleConventions.check(module)
            #expect(tables.allSatisfy { $0.hasPrefix(module.tablePrefix) })
        }
    }
}
