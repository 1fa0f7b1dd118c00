import Crypto
import Foundation
import LGSPTesting
import NIOCore
import Testing

@testable import Core

@Suite struct FileBlobStoreTests {
    static func withStore(_ body: (FileBlobStore, TemporaryDirectory) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await body(try await FileBlobStore(root: directory.path + "/blobs"), directory)
    }

    static func readAll(_ store: FileBlobStore, _ digest: BlobDigest) async throws -> [UInt8]? {
        try await store.read(digest) { chunks in
            var bytes: [UInt8] = []
            for try await chunk in chunks { bytes += chunk.readableBytesView }
            return bytes
        }
    }

    static func finalFiles(_ store: FileBlobStore) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: store.contentDirectory)
        return (enumerator?.allObjects as? [String] ?? []).filter { $0.split(separator: "/").count == 3 }
    }

    static func temporaryFiles(_ store: FileBlobStore) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory)) ?? []
    }

    @Test func storesUnderTheSHA256OfTheContent() async throws {
        try await Self.withStore { store, _ in
            let content = Array("Sở Khoa học và Công nghệ tỉnh Đắk Lắk".utf8)
            let ref = try await store.put(ByteBuffer(bytes: content))
            #expect(ref.digest.hex == SHA256.hash(data: content).hexString)
            #expect(ref.size == Int64(content.count))
            #expect(try await Self.readAll(store, ref.digest) == content)
            #expect(try await store.size(of: ref.digest) == Int64(content.count))
            #expect(store.path(of: ref.digest).hasSuffix("/\(ref.digest.hex.prefix(2))/\(ref.digest.hex.dropFirst(2).prefix(2))/\(ref.digest.hex)"))
            #expect(Self.temporaryFiles(store).isEmpty)
        }
    }

    @Test func anEmptyBlobIsABlob() async throws {
        try await Self.withStore { store, _ in
            let ref = try await store.put(ByteBuffer())
            #expect(ref.digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            #expect(try await Self.readAll(store, ref.digest) == [])
        }
    }

    @Test func sameContentIsStoredOnceEvenByConcurrentWriters() async throws {
        try await Self.withStore { store, _ in
            let chunks = (0..<64).map { index in ByteBuffer(repeating: UInt8(index), count: 64 * 1024) }
            let refs = try await withThrowingTaskGroup(of: BlobRef.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.put(ChunkSequence(chunks: chunks), maxSize: nil) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(refs).count == 1)
            #expect(refs[0].size == 64 * 64 * 1024)
            #expect(Self.finalFiles(store).count == 1)
            #expect(Self.temporaryFiles(store).isEmpty)
            let read = try await Self.readAll(store, refs[0].digest)
            #expect(read == chunks.flatMap { Array($0.readableBytesView) })
        }
    }

    @Test func contentOverTheLimitIsRefusedAndNothingIsKept() async throws {
        try await Self.withStore { store, _ in
            let chunks = (0..<10).map { _ in ByteBuffer(repeating: 7, count: 1000) }
            await #expect(throws: BlobStoreError.self) {
                try await store.put(ChunkSequence(chunks: chunks), maxSize: 9999)
            }
            #expect(Self.finalFiles(store).isEmpty)
            #expect(Self.temporaryFiles(store).isEmpty)
            let exact = try await store.put(ChunkSequence(chunks: chunks), maxSize: 10000)
            #expect(exact.size == 10000)
        }
    }

    @Test func aWriterThatFailsHalfWayLeavesNoBlob() async throws {
        struct ConnectionLost: Error {}
        try await Self.withStore { store, _ in
            let failing = ChunkSequence(chunks: [ByteBuffer(repeating: 1, count: 300_000)], failAfter: 1)
            await #expect(throws: ConnectionLost.self) {
                _ = try await store.put(failing.throwing(ConnectionLost()), maxSize: nil)
            }
            #expect(Self.finalFiles(store).isEmpty)
            #expect(Self.temporaryFiles(store).isEmpty)
        }
    }

    @Test func sweepRemovesOnlyOldTemporaryFiles() async throws {
        try await Self.withStore { store, _ in
            let old = store.temporaryDirectory + "/dead-writer.part"
            let young = store.temporaryDirectory + "/live-writer.part"
            #expect(FileManager.default.createFile(atPath: old, contents: Data([1, 2, 3])))
            #expect(FileManager.default.createFile(atPath: young, contents: Data([4])))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 24 * 3600)], ofItemAtPath: old)
            let removed = try await store.sweepTemporaryFiles(olderThan: .seconds(24 * 3600))
            #expect(removed == 1)
            #expect(Self.temporaryFiles(store) == ["live-writer.part"])
        }
    }

    @Test func absentBlobsReadAsNilAndDeleteQuietly() async throws {
        try await Self.withStore { store, _ in
            let digest = BlobDigest(hex: String(repeating: "0", count: 64))!
            #expect(try await Self.readAll(store, digest) == nil)
            #expect(try await store.size(of: digest) == nil)
            try await store.delete(digest)
            let ref = try await store.put(ByteBuffer(string: "x"))
            try await store.delete(ref.digest)
            #expect(try await Self.readAll(store, ref.digest) == nil)
        }
    }

    @Test(arguments: ["", "abc", String(repeating: "A", count: 64), String(repeating: "g", count: 64), "../" + String(repeating: "a", count: 61)])
    func digestsAreOnlyLowerCaseHex(text: String) {
        #expect(BlobDigest(hex: text) == nil)
    }
}

/// Chunks as an async sequence, optionally failing after `failAfter` chunks.
struct ChunkSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]
    var failAfter: Int? = nil
    var error: (any Error & Sendable)? = nil

    func throwing(_ error: any Error & Sendable) -> ChunkSequence {
        var copy = self
        copy.error = error
        return copy
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: ChunkSequence
        var index = 0

        mutating func next() async throws -> ByteBuffer? {
            if let failAfter = sequence.failAfter, index >= failAfter, let error = sequence.error { throw error }
            guard index < sequence.chunks.count else { return nil }
            defer { index += 1 }
            return sequence.chunks[index]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }
}
