import Core
import LGSPTesting
import Testing

@testable import NationalSim

@Suite struct NationalSimModuleTests {
    @Test func migrationsKeepToTheModulePrefixAndAreIdempotent() async throws {
        try await ModuleConventions.withServices { services in
            let module = NationalSimModule(services: services)
            let tables = try await ModuleConventions.check(module)
            #expect(tables.allSatisfy { $0.hasPrefix(module.tablePrefix) })
        }
    }
}
