import Core
import Foundation
import LGSPTesting
import NIOCore
import Testing

@testable import DocStore

/// R-7.1c-dossier: whole dossiers — components promoted from uploads, code, history, audit — created in
/// parallel.
@Suite struct DossierServiceTests {
    static let agency = "000.00.31.H49"

    static func counter(_ index: Int) -> DocStoreActor {
        DocStoreActor(
            subject: "mot-cua", client: "mot-cua", agency: agency, personalID: nil, taxCode: nil,
            scopes: ["dossiers.process", "docstore.files"], requestID: "r\(index)"
        )
    }

    @Test func twoHundredDossiersCreatedInParallelGetTwoHundredDistinctCodesWithTheirComponents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (location, cleanup) = try await TestDatabase.makeLocation()
        // 200 writers queue behind each other while the rest of the suite runs: wait long for connections.
        let database = try Database.open(location, acquireTimeout: .seconds(120), logger: TestDatabase.logger)
        do {
            var configuration = Configuration()
            configuration.dataDirectory = directory.path
            let masterKey = MasterKey.generate()
            let services = PlatformServices(
                configuration: configuration, database: database, blobs: try await FileBlobStore(root: directory.path + "/blobs"),
                audit: AuditLog(database: database, masterKey: masterKey), masterKey: masterKey
            )
            let module = try await DocStoreModule(services: services)
            _ = try await MigrationRunner(database: database, logger: TestDatabase.logger).run([AuditLog.migrations, module.migrationSet])
            // Ten uploads, each a component of twenty dossiers: the contention under test is the numbering,
            // not the disk (200 fsync-heavy uploads would starve the file system pool other suites share).
            var uploads: [String] = []
            for index in 0..<10 {
                var record = try await module.uploads.create(length: nil, metadata: UploadMetadata(raw: "", values: [:]), by: Self.counter(index).uploadCaller)
                record = try await module.uploads.append(
                    record.id, offset: 0, declaredLength: 8, checksum: nil, by: Self.counter(index).uploadCaller,
                    body: SingleBufferSequence(buffer: ByteBuffer(string: String(format: "don%05d", index)))
                )
                uploads.append(record.id)
            }
            let dossiers = module.dossiers
            let created = try await withThrowingTaskGroup(of: Dossier.self) { group in
                for index in 0..<200 {
                    let upload = uploads[index % uploads.count]
                    group.addTask {
                        var input = DossierService.NewDossier(procedureCode: "2.000001")
                        input.applicant = Party(kind: "citizen", id: "066085000123", name: nil)
                        input.components = [.init(uploadId: upload, name: "Đơn", code: nil)]
                        return try await dossiers.create(input, by: Self.counter(index))
                    }
                }
                return try await group.reduce(into: [Dossier]()) { $0.append($1) }
            }
            let codes = Set(created.map(\.code))
            #expect(codes.count == 200)
            let day = DossierNumbering.day(of: Date())
            #expect(codes == Set((1...200).map { String(format: "\(Self.agency)-\(day)-%04d", $0) }))
            // Each dossier has its component, and the audit chain holds every creation.
            #expect(created.allSatisfy { $0.components.count == 1 })
            #expect(Set(created.compactMap { $0.components.first?.sha256 }).count == 10)
            let audited = try await database.sql.raw("SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'docstore.dossier.create'").first()!
                .decode(column: "n", as: Int.self)
            #expect(audited == 200)
            #expect(try await AuditVerifier(log: services.audit).verify().isIntact)
        } catch {
            await database.close()
            await cleanup()
            throw error
        }
        await database.close()
        await cleanup()
    }
}
