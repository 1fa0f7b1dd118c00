import Core
import Foundation
import Logging

/// Loads the seed forms (`<seed-dir>/forms/*.json`) the database lacks and publishes them: the
/// regulation's Mẫu 01–03 and a citizen form. A form already in the database is never touched.
struct FormSeedLoader {
    let service: FormService
    let configuration: Configuration
    let logger: Logger

    /// Owns the seed forms when `--operator-agency` is not set outside production: a level-1 code no
    /// province has, so it is never mistaken for a real agency.
    static let placeholderAgency = "000.00.00.H00"

    struct SeedForm: Decodable {
        let key: String
        let title: String
        let procedureCode: String?
        let description: String?
        let schema: JSONValue
    }

    func loadMissing() async throws {
        let directory = URL(fileURLWithPath: configuration.seedDirectory).appendingPathComponent("forms")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        var owner = configuration.operatorAgency
        if owner.isEmpty {
            guard configuration.environment != .production else {
                logger.warning("Chưa đặt --operator-agency: không nạp biểu mẫu khởi tạo")
                return
            }
            owner = Self.placeholderAgency
        }
        var loaded: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            let seed = try JSONDecoder().decode(SeedForm.self, from: data)
            guard try await service.store.form(seed.key) == nil else { continue }
            let input = FormService.NewForm(
                key: seed.key, title: seed.title, procedureCode: seed.procedureCode, ownerAgency: owner, description: seed.description, schema: seed.schema
            )
            _ = try await service.createForm(input, by: .platform)
            do {
                _ = try await service.publish(seed.key, number: 1, by: .platform)
                loaded.append(seed.key)
            } catch {
                // Typically a catalog it names is missing: the form stays a draft for an administrator to fix.
                logger.warning("Biểu mẫu khởi tạo chưa công bố được; để ở bản nháp", metadata: ["form": "\(seed.key)", "error": "\(error)"])
            }
        }
        if !loaded.isEmpty {
            logger.info("Đã nạp biểu mẫu khởi tạo", metadata: ["forms": .string(loaded.joined(separator: ","))])
        }
    }
}
