import Core
import LGSPTesting
import Testing

@testable import Gateway

@Suite struct GatewayModuleTests {
    @Test func migrationsKeepToTheModulePrefixAndAreIdempotent() async throws {
        try await ModuleConventions.withServices { services in
            let module = GatewayModule(services: services)
            let tables = try await ModuleConventions.check(module)
            #expect(tables.allSatisfy { $0.hasPrefix(module.tablePrefix) })
        }
    }
}
