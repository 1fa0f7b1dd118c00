import Foundation
import LGSPTesting
import Testing

@testable import Core

@Suite struct MasterKeyTests {
    @Test func sealedDataOpensOnlyWithTheSameKeyAndPurpose() throws {
        let key = MasterKey.generate()
        let sealed = try key.seal(Array("khóa ký riêng".utf8), purpose: "sso/signing-keys")
        #expect(String(decoding: try key.open(sealed, purpose: "sso/signing-keys"), as: UTF8.self) == "khóa ký riêng")
        #expect(throws: (any Error).self) { try key.open(sealed, purpose: "other") }
        #expect(throws: (any Error).self) { try MasterKey.generate().open(sealed, purpose: "sso/signing-keys") }
        var tampered = Data(base64Encoded: sealed)!
        tampered[tampered.count - 1] ^= 1
        #expect(throws: (any Error).self) { try key.open(tampered.base64EncodedString(), purpose: "sso/signing-keys") }
        #expect(MasterKey(base64: key.base64)?.base64 == key.base64)
        #expect(MasterKey(base64: "c2hvcnQ=") == nil)
    }

    @Test func productionRefusesToRunWithoutAConfiguredKey() {
        var configuration = Configuration()
        configuration.environment = .production
        #expect {
            try MasterKey.resolve(configuration)
        } throws: { error in
            (error as? ConfigurationError)?.setting == .masterKey
        }
        configuration.masterKey = MasterKey.generate().base64
        #expect((try? MasterKey.resolve(configuration))?.1 == .configured)
    }

    @Test func developmentKeepsAKeyInTheDataFolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = Configuration()
        configuration.dataDirectory = directory.path + "/data"
        let (first, source) = try MasterKey.resolve(configuration)
        #expect(source == .dataFolder(path: configuration.dataDirectory + "/master.key", created: true))
        let attributes = try FileManager.default.attributesOfItem(atPath: configuration.dataDirectory + "/master.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let (second, again) = try MasterKey.resolve(configuration)
        #expect(again == .dataFolder(path: configuration.dataDirectory + "/master.key", created: false))
        #expect(first.base64 == second.base64)
    }
}
