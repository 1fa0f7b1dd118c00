import Core
import LGSPTesting
import Testing

@testable import Forms

@Suite struct FormsModuleTests {
    @Test func migrationsKeepToTheModulePrefixAndAreIdempotent() async throws {
        try await ModuleConventions.withServices { services in
            let module = FormsModule(services: services, codes: FormValidatorTests.Codes())
            let tables = try await ModuleConventions.check(module)
            #expect(tables.allSatisfy { $0.hasPrefix(module.tablePrefix) })
        }
    }
}
