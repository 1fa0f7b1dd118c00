import Crypto
import Foundation
import NIOCore
import NIOFileSystem

/// Blobs as files: `<root>/sha256/ab/cd/<digest>`. Content is streamed into `<root>/tmp/<random>.part`
/// while it is hashed, fsynced, then renamed under its digest and the directory fsynced. A writer killed
/// half-way leaves only a `.part` file, which `sweepTemporaryFiles` removes later.
public struct FileBlobStore: BlobStore {
    public let root: String
    private let fileSystem: FileSystem

    public init(root: String, fileSystem: FileSystem = .shared) async throws {
        self.root = root
        self.fileSystem = fileSystem
        try await fileSystem.createDirectory(at: FilePath(temporaryDirectory), withIntermediateDirectories: true)
        try await fileSystem.createDirectory(at: FilePath(contentDirectory), withIntermediateDirectories: true)
    }

    public var temporaryDirectory: String { root + "/tmp" }
    public var contentDirectory: String { root + "/sha256" }

    func path(of digest: BlobDigest) -> String {
        let hex = digest.hex
        return "\(contentDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }

    public func put(_ content: some AsyncSequence<ByteBuffer, any Error> & Sendable, maxSize: Int64?) async throws -> BlobRef {
        let temporary = FilePath("\(temporaryDirectory)/\(UUID().uuidString.lowercased()).part")
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            // Visible under its temporary name while it is written (no O_TMPFILE): the rename below is
            // the one step that makes a blob appear.
            let handle = try await fileSystem.openFile(
                forWritingAt: temporary,
                options: OpenOptions.Write(
                    existingFile: .none,
                    newFile: .init(permissions: [.ownerReadWrite], transactionalCreation: false)
                )
            )
            do {
                try await handle.withBufferedWriter(capacity: .kibibytes(256)) { writer in
                    for try await chunk in content {
                        size += Int64(chunk.readableBytes)
                        if let maxSize, size > maxSize {
                            throw BlobStoreError.tooLarge(limit: maxSize)
                        }
                        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                        try await writer.write(contentsOf: chunk)
                    }
                }
                try await handle.synchronize()
                try await handle.close()
            } catch {
                await handle.closeEvenIfCancelled()
                throw error
            }
        } catch {
            await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: temporary) }.value
            throw error
        }

        let digest = BlobDigest(hex: hasher.finalize().hexString)!
        let destination = FilePath(path(of: digest))
        let leaf = destination.removingLastComponent()
        do {
            try await makeDurableDirectories(leaf)
            if try await fileSystem.info(forFileAt: destination) != nil {
                // Same digest, same content: keep the one already there.
                await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: temporary) }.value
            } else {
                do {
                    try await fileSystem.moveItem(at: temporary, to: destination)
                } catch let error as FileSystemError where error.code == .fileAlreadyExists {
                    // Another writer of the same content won the race.
                    await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: temporary) }.value
                }
            }
            // Also when the blob was already there: its writer may not have made the rename durable yet.
            try await synchronizeDirectory(leaf)
        } catch {
            await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: temporary) }.value
            throw error
        }
        return BlobRef(digest: digest, size: size)
    }

    /// Creates `sha256/ab/cd` as needed; every directory created, and its parent's entry for it, is
    /// fsynced, so a blob the caller was told is stored survives a crash.
    private func makeDurableDirectories(_ leaf: FilePath) async throws {
        if try await fileSystem.info(forFileAt: leaf) != nil { return }
        let middle = leaf.removingLastComponent()
        let middleExisted = try await fileSystem.info(forFileAt: middle) != nil
        try await fileSystem.createDirectory(at: leaf, withIntermediateDirectories: true)
        try await synchronizeDirectory(middle)
        if !middleExisted {
            try await synchronizeDirectory(FilePath(contentDirectory))
        }
    }

    private func synchronizeDirectory(_ directory: FilePath) async throws {
        try await fileSystem.withDirectoryHandle(atPath: directory) { handle in
            try await handle.synchronize()
        }
    }

    public func read<R: Sendable>(
        _ digest: BlobDigest,
        _ body: (any AsyncSequence<ByteBuffer, any Error>) async throws -> R
    ) async throws -> R? {
        let file = FilePath(path(of: digest))
        let handle: ReadFileHandle
        do {
            handle = try await fileSystem.openFile(forReadingAt: file, options: OpenOptions.Read())
        } catch let error as FileSystemError where error.code == .notFound {
            return nil
        }
        do {
            let result = try await body(handle.readChunks(chunkLength: .kibibytes(128)))
            try await handle.close()
            return result
        } catch {
            await handle.closeEvenIfCancelled()
            throw error
        }
    }

    public func size(of digest: BlobDigest) async throws -> Int64? {
        guard let info = try await fileSystem.info(forFileAt: FilePath(path(of: digest))) else { return nil }
        return info.size
    }

    /// Removes the file. Content is shared by everything that stored the same bytes: the owner of blob
    /// references (DocStore) deletes only when no reference remains.
    public func delete(_ digest: BlobDigest) async throws {
        _ = try await fileSystem.removeItem(at: FilePath(path(of: digest)))
    }

    /// Removes `.part` files older than `age` — what writers that died left behind. Younger ones may
    /// belong to a writer still running (possibly another process sharing the directory).
    @discardableResult
    public func sweepTemporaryFiles(olderThan age: Duration) async throws -> Int {
        let cutoff = Date().addingTimeInterval(-Double(age.components.seconds))
        var removed = 0
        let names = try FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)
        for name in names where name.hasSuffix(".part") {
            let file = FilePath("\(temporaryDirectory)/\(name)")
            guard let info = try await fileSystem.info(forFileAt: file) else { continue }
            let modified = Date(timeIntervalSince1970: Double(info.lastDataModificationTime.seconds))
            if modified < cutoff {
                await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: file) }.value
                removed += 1
            }
        }
        return removed
    }
}

extension BlobStore {
    /// Stores a byte buffer already in memory (small content: probes, tests, generated documents).
    public func put(_ buffer: ByteBuffer, maxSize: Int64? = nil) async throws -> BlobRef {
        try await put(SingleBufferSequence(buffer: buffer), maxSize: maxSize)
    }
}

/// One buffer as an `AsyncSequence`.
public struct SingleBufferSequence: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let buffer: ByteBuffer

    public init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        public mutating func next() async throws -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
