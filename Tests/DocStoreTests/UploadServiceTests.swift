import Core
import Crypto
import Foundation
import LGSPTesting
import NIOCore
import Testing

@testable import DocStore

/// R-7.1c-content: temporary uploads — resumable, checked, encrypted at rest, expiring.
@Suite struct UploadServiceTests {
    static let caller = UploadService.Caller(subject: "user-1", client: "app", agency: nil, requestID: "test")

    static func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        var state = UInt32(seed) &* 2_654_435_761 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// Chunks of `size` bytes as an async sequence (a request body).
    static func body(_ bytes: ArraySlice<UInt8>, chunk: Int = 10_000) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            var index = bytes.startIndex
            while index < bytes.endIndex {
                let end = min(index + chunk, bytes.endIndex)
                continuation.yield(ByteBuffer(bytes: bytes[index..<end]))
                index = end
            }
            continuation.finish()
        }
    }

    static func read(_ service: UploadService, _ record: UploadRecord, _ range: Range<Int64>? = nil) async throws -> [UInt8] {
        let content = try await service.content(of: record)
        var collected: [UInt8] = []
        try await service.stream(content, range: range ?? 0..<content.size) { collected += Array($0.readableBytesView) }
        return collected
    }

    static func with(
        configure: (inout DocStoreSettings) -> Void = { _ in },
        _ body: (DocStoreModule, PlatformServices) async throws -> Void
    ) async throws {
        try await ModuleConventions.withServices { services in
            var configuration = services.configuration
            configure(&configuration.docStore)
            let adjusted = PlatformServices(
                configuration: configuration, database: services.database, blobs: services.blobs, audit: services.audit, masterKey: services.masterKey
            )
            let module = try await DocStoreModule(services: adjusted)
            _ = try await MigrationRunner(database: services.database, logger: TestDatabase.logger).run([AuditLog.migrations, module.migrationSet])
            try await body(module, adjusted)
        }
    }

    @Test func anUploadInPiecesIsStoredWholeWithItsSHA256AndReadsBackByRange() async throws {
        try await Self.with { module, _ in
            let service = module.uploads
            let data = Self.bytes(300_000)
            var record = try await service.create(length: Int64(data.count), metadata: try UploadMetadata.parse("filename \(Data("giấy khai sinh.pdf".utf8).base64EncodedString()),filetype YXBwbGljYXRpb24vcGRm"), by: Self.caller)
            #expect(record.name == "giấy khai sinh.pdf")
            #expect(record.mediaType == "application/pdf")
            // Pieces that end mid-segment, then one across several segments, then the rest.
            for range in [0..<1000, 1000..<70_000, 70_000..<200_001, 200_001..<300_000] {
                record = try await service.append(record.id, offset: Int64(range.lowerBound), declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[range]))
                #expect(record.received == Int64(range.upperBound))
            }
            #expect(record.status == .complete)
            #expect(record.digest == Self.hex(data))
            #expect(try await Self.read(service, record) == data)
            #expect(try await Self.read(service, record, 65_530..<131_080) == Array(data[65_530..<131_080]))
            #expect(try await Self.read(service, record, 299_999..<300_000) == [data[299_999]])
            // What is on disk is not the content.
            let content = try await service.content(of: record)
            let stored = try Data(contentsOf: URL(fileURLWithPath: service.files.contentPath(content.file).string))
            #expect(stored.count == Int(SegmentCipher.sealedLength(of: 300_000)))
            #expect(stored.range(of: Data(data[1000..<1064])) == nil)
        }
    }

    @Test func aRestartedServiceResumesFromTheAcknowledgedOffsetAndDiscardsUnacknowledgedBytes() async throws {
        try await Self.with { module, services in
            let data = Self.bytes(200_000, seed: 3)
            var record = try await module.uploads.create(length: Int64(data.count), metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            record = try await module.uploads.append(record.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[0..<100_000]))
            // Garbage after the acknowledged bytes, as a crash in the middle of a write leaves it.
            let path = module.uploads.files.uploadPath(record.id).string
            let handle = try #require(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
            handle.write(Data(repeating: 0xAB, count: 40_000))
            try handle.close()
            // A new process: no cached hash.
            let restarted = try await DocStoreModule(services: services)
            record = try await restarted.uploads.append(record.id, offset: 100_000, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[100_000...]))
            #expect(record.status == .complete)
            #expect(record.digest == Self.hex(data))
            #expect(try await Self.read(restarted.uploads, record) == data)
        }
    }

    @Test func aChunkWithAWrongChecksumIsRejectedWith460AndTheOffsetStays() async throws {
        try await Self.with { module, _ in
            let service = module.uploads
            let data = Self.bytes(100_000, seed: 9)
            var record = try await service.create(length: Int64(data.count), metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            let good = ChunkChecksum(algorithm: .sha256, expected: Data(SHA256.hash(data: data[0..<50_000])))
            record = try await service.append(record.id, offset: 0, declaredLength: nil, checksum: good, by: Self.caller, body: Self.body(data[0..<50_000]))
            #expect(record.received == 50_000)
            let wrong = ChunkChecksum(algorithm: .sha1, expected: Data(Insecure.SHA1.hash(data: [1, 2, 3])))
            await #expect(throws: Problem.self) {
                _ = try await service.append(record.id, offset: 50_000, declaredLength: nil, checksum: wrong, by: Self.caller, body: Self.body(data[50_000...]))
            }
            let after = try await service.owned(record.id, by: Self.caller.subject)
            #expect(after.received == 50_000)
            let sha1 = ChunkChecksum(algorithm: .sha1, expected: Data(Insecure.SHA1.hash(data: data[50_000...])))
            record = try await service.append(record.id, offset: 50_000, declaredLength: nil, checksum: sha1, by: Self.caller, body: Self.body(data[50_000...]))
            #expect(record.digest == Self.hex(data))
        }
    }

    @Test func aDeclaredWholeFileSHA256IsChecked() async throws {
        try await Self.with { module, _ in
            let service = module.uploads
            let data = Self.bytes(5000)
            var metadata = UploadMetadata(raw: "", values: [:])
            metadata.declaredSHA256 = Self.hex(Self.bytes(5000, seed: 1))
            let record = try await service.create(length: 5000, metadata: metadata, by: Self.caller)
            do {
                _ = try await service.append(record.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
                Issue.record("a wrong declared SHA-256 was accepted")
            } catch let problem as Problem {
                #expect(problem.type.status.code == 460)
            }
            #expect(try await service.owned(record.id, by: Self.caller.subject).received == 0)
            metadata.declaredSHA256 = Self.hex(data)
            let right = try await service.create(length: 5000, metadata: metadata, by: Self.caller)
            let done = try await service.append(right.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
            #expect(done.status == .complete)
        }
    }

    @Test func deferredLengthEmptyFilesWrongOffsetsAndOtherOwners() async throws {
        try await Self.with { module, _ in
            let service = module.uploads
            let data = Self.bytes(70_000)
            var record = try await service.create(length: nil, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            record = try await service.append(record.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[0..<40_000]))
            #expect(record.length == nil && record.status == .open)
            await #expect(throws: Problem.self) {
                _ = try await service.append(record.id, offset: 10, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[10..<20]))
            }
            let stranger = UploadService.Caller(subject: "user-2", client: "app", agency: nil, requestID: "t")
            await #expect(throws: Problem.self) {
                _ = try await service.append(record.id, offset: 40_000, declaredLength: nil, checksum: nil, by: stranger, body: Self.body(data[40_000...]))
            }
            #expect(try await service.upload(id: record.id, owner: "user-2") == nil)
            record = try await service.append(record.id, offset: 40_000, declaredLength: 70_000, checksum: nil, by: Self.caller, body: Self.body(data[40_000...]))
            #expect(record.status == .complete && record.digest == Self.hex(data))
            #expect(try await service.upload(id: record.id, owner: Self.caller.subject)?.sha256 == Self.hex(data))

            let empty = try await service.create(length: 0, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            let finished = try await service.append(empty.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body([][...]))
            #expect(finished.status == .complete && finished.digest == Self.hex([]))
            #expect(try await Self.read(service, finished) == [])
        }
    }

    @Test func sameContentTwiceIsStoredOnceAndTerminationKeepsWhatOthersUse() async throws {
        try await Self.with { module, services in
            let service = module.uploads
            let data = Self.bytes(90_000, seed: 5)
            var first = try await service.create(length: 90_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            first = try await service.append(first.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
            var second = try await service.create(length: 90_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            second = try await service.append(second.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
            let count = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM doc_contents").first()!.decode(column: "n", as: Int.self)
            #expect(count == 1)
            await service.files.settled()
            let files = try FileManager.default.subpathsOfDirectory(atPath: service.files.contentDirectory).filter { $0.hasSuffix(first.id) || $0.hasSuffix(second.id) }
            #expect(files.count == 1)
            try await service.terminate(first.id, by: Self.caller)
            #expect(try await Self.read(service, second) == data)
            try await service.terminate(second.id, by: Self.caller)
            let left = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM doc_contents").first()!.decode(column: "n", as: Int.self)
            #expect(left == 0)
            #expect(try FileManager.default.subpathsOfDirectory(atPath: service.files.contentDirectory).filter { $0.contains("-") }.isEmpty)
        }
    }

    @Test func theSweeperDeletesExpiredUploadsAndTheirBytes() async throws {
        // An hour's expiry, and the sweeper asked about a time two hours on: no dependence on how fast the
        // machine runs the test.
        try await Self.with(configure: { $0.uploadExpiry = DurationValue(.seconds(3600)) }) { module, services in
            let service = module.uploads
            let data = Self.bytes(80_000)
            var done = try await service.create(length: 80_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            done = try await service.append(done.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
            var open = try await service.create(length: 80_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            open = try await service.append(open.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[0..<70_000]))
            let content = try await service.content(of: done)
            #expect(FileManager.default.fileExists(atPath: service.files.uploadPath(open.id).string))
            #expect(FileManager.default.fileExists(atPath: service.files.contentPath(content.file).string))
            #expect(try await service.sweep(now: Date()) == 0)
            #expect(try await service.sweep(now: Date().addingTimeInterval(7200)) == 2)
            #expect(!FileManager.default.fileExists(atPath: service.files.uploadPath(open.id).string))
            #expect(!FileManager.default.fileExists(atPath: service.files.contentPath(content.file).string))
            let rows = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM doc_uploads").first()!.decode(column: "n", as: Int.self)
            #expect(rows == 0)
            await #expect(throws: Problem.self) { _ = try await service.owned(done.id, by: Self.caller.subject) }
        }
    }

    @Test func alteredContentIsRefusedNotServed() async throws {
        try await Self.with { module, _ in
            let service = module.uploads
            let data = Self.bytes(100_000)
            var record = try await service.create(length: 100_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            record = try await service.append(record.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
            let content = try await service.content(of: record)
            let path = service.files.contentPath(content.file).string
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            handle.seek(toFileOffset: 70_000)
            handle.write(Data([0x00, 0x01]))
            try handle.close()
            // The first segment is intact; the second is not.
            #expect(try await Self.read(service, record, 0..<1000) == Array(data[0..<1000]))
            await #expect(throws: SegmentError.altered(index: 1)) { _ = try await Self.read(service, record) }
        }
    }

    @Test func rewrappingMovesDataKeysToTheNewMasterKeyWithoutTouchingFiles() async throws {
        try await Self.with { module, services in
            let data = Self.bytes(70_000)
            var record = try await module.uploads.create(length: 70_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            record = try await module.uploads.append(record.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
            var open = try await module.uploads.create(length: 70_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            open = try await module.uploads.append(open.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[0..<1000]))
            let content = try await module.uploads.content(of: record)
            let path = module.uploads.files.contentPath(content.file).string
            let before = try Data(contentsOf: URL(fileURLWithPath: path))

            // The operator sets a new master key and lists the old one as previous.
            let newKey = MasterKey.generate()
            var configuration = services.configuration
            configuration.previousMasterKeys = services.masterKey.base64
            let rotated = PlatformServices(configuration: configuration, database: services.database, blobs: services.blobs, audit: services.audit, masterKey: newKey)
            let module2 = try await DocStoreModule(services: rotated)
            #expect(try await Self.read(module2.uploads, record) == data)
            #expect(try await module2.rewrapKeys() == 3)
            #expect(try await module2.rewrapKeys() == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

            // Without the previous key, everything still opens.
            var current = configuration
            current.previousMasterKeys = ""
            let module3 = try await DocStoreModule(services: PlatformServices(configuration: current, database: services.database, blobs: services.blobs, audit: services.audit, masterKey: newKey))
            #expect(try await Self.read(module3.uploads, record) == data)
            let finished = try await module3.uploads.append(open.id, offset: 1000, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[1000...]))
            #expect(finished.digest == Self.hex(data))
            // The old module, with only the old key, can no longer open them.
            await #expect(throws: DataKeyError.self) { _ = try await Self.read(module.uploads, record) }
        }
    }

    @Test func aFailedCompletionLosesNoAcknowledgedByteAndCanBeRetried() async throws {
        try await Self.with { module, services in
            let service = module.uploads
            let data = Self.bytes(150_000, seed: 11)
            var record = try await service.create(length: 150_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            record = try await service.append(record.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[0..<100_000]))
            // The content table is unavailable when the last chunk arrives: the completion fails…
            try await services.database.sql.raw("ALTER TABLE doc_contents RENAME TO doc_contents_away").run()
            await #expect(throws: (any Error).self) {
                _ = try await service.append(record.id, offset: 100_000, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[100_000...]))
            }
            try await services.database.sql.raw("ALTER TABLE doc_contents_away RENAME TO doc_contents").run()
            // …and nothing acknowledged is lost: same offset, no content name left behind, the retry completes.
            #expect(try await service.owned(record.id, by: Self.caller.subject).received == 100_000)
            #expect((FileManager.default.subpaths(atPath: service.files.contentDirectory) ?? []).filter { $0.contains(record.id) }.isEmpty)
            let done = try await service.append(record.id, offset: 100_000, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[100_000...]))
            #expect(done.digest == Self.hex(data))
            #expect(try await Self.read(service, done) == data)
            #expect(!FileManager.default.fileExists(atPath: service.files.uploadPath(record.id).string))
        }
    }

    @Test func aBodyCutOffAfterItsLastByteStillCompletesTheUpload() async throws {
        struct Cut: Error {}
        try await Self.with { module, _ in
            let service = module.uploads
            let data = Self.bytes(70_000, seed: 12)
            let record = try await service.create(length: 70_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(bytes: data))
                continuation.finish(throwing: Cut())
            }
            let done = try await service.append(record.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: body)
            #expect(done.status == .complete && done.digest == Self.hex(data))
            // A plain upload wants all or nothing.
            let plain = try await service.create(length: nil, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            let cut = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(bytes: data[0..<1000]))
                continuation.finish(throwing: Cut())
            }
            await #expect(throws: Cut.self) {
                _ = try await service.append(plain.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: cut, keepInterrupted: false)
            }
        }
    }

    @Test func filesNoRowAccountsForAreSweptOnceOld() async throws {
        try await Self.with { module, _ in
            let service = module.uploads
            let data = Self.bytes(70_000, seed: 13)
            var kept = try await service.create(length: 70_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            kept = try await service.append(kept.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[...]))
            var open = try await service.create(length: 70_000, metadata: UploadMetadata(raw: "", values: [:]), by: Self.caller)
            open = try await service.append(open.id, offset: 0, declaredLength: nil, checksum: nil, by: Self.caller, body: Self.body(data[0..<1000]))
            // What crashes leave: an upload file without a row, a content name without a row.
            let strayUpload = UploadService.newID()
            let strayContent = "ab/cd/\(String(repeating: "ab", count: 32))-\(UploadService.newID())"
            _ = FileManager.default.createFile(atPath: service.files.uploadPath(strayUpload).string, contents: Data([1, 2, 3]))
            try FileManager.default.createDirectory(atPath: service.files.contentDirectory + "/ab/cd", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: service.files.contentPath(strayContent).string, contents: Data([4, 5, 6]))
            // Young files are left alone (a writer may be about to commit).
            #expect(try await service.sweepOrphans(olderThan: .seconds(3600)) == 0)
            #expect(try await service.sweepOrphans(olderThan: .seconds(3600), now: Date().addingTimeInterval(7200)) == 2)
            #expect(!FileManager.default.fileExists(atPath: service.files.uploadPath(strayUpload).string))
            #expect(!FileManager.default.fileExists(atPath: service.files.contentPath(strayContent).string))
            #expect(try await Self.read(service, kept) == data)
            #expect(FileManager.default.fileExists(atPath: service.files.uploadPath(open.id).string))
        }
    }
}
