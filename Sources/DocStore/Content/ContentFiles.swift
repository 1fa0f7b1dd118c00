import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOFileSystem

/// The document store's files: `<docstore>/uploads/<id>.data` while an upload is open, then
/// `<docstore>/content/ab/cd/<sha256>-<upload id>` — content-addressed (one entry per digest in
/// `doc_contents`), the upload id in the name so two uploads of the same bytes never write over each other.
/// Every file holds sealed segments (`SegmentCipher`).
struct ContentFiles: Sendable {
    let root: String
    let fileSystem: FileSystem
    /// Removals nobody waits for (see `discardContentFile`), by number.
    private let discarding = NIOLockedValueBox<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))

    init(root: String, fileSystem: FileSystem = .shared) async throws {
        self.root = root
        self.fileSystem = fileSystem
        try await fileSystem.createDirectory(at: FilePath(uploadDirectory), withIntermediateDirectories: true)
        try await fileSystem.createDirectory(at: FilePath(contentDirectory), withIntermediateDirectories: true)
    }

    var uploadDirectory: String { root + "/uploads" }
    var contentDirectory: String { root + "/content" }

    func uploadPath(_ id: String) -> FilePath { FilePath("\(uploadDirectory)/\(id).data") }
    func contentPath(_ relative: String) -> FilePath { FilePath("\(contentDirectory)/\(relative)") }

    static func contentName(digest: String, uploadID: String) -> String {
        "\(digest.prefix(2))/\(digest.dropFirst(2).prefix(2))/\(digest)-\(uploadID)"
    }

    /// Creates the empty file of a new upload (and makes its name durable).
    func createUploadFile(_ id: String) async throws {
        let handle = try await fileSystem.openFile(
            forWritingAt: uploadPath(id),
            options: .init(existingFile: .truncate, newFile: .init(permissions: [.ownerReadWrite], transactionalCreation: false))
        )
        do {
            try await handle.close()
        } catch {
            await handle.closeEvenIfCancelled()
            throw error
        }
        try await synchronizeDirectory(FilePath(uploadDirectory))
    }

    /// Opens an upload's file for appending after `sealedLength` bytes, cutting off anything beyond them
    /// (bytes written by a request that was never acknowledged).
    func openUploadForAppend(_ id: String, sealedLength: Int64) async throws -> WriteFileHandle {
        let handle = try await fileSystem.openFile(
            forWritingAt: uploadPath(id),
            options: .init(existingFile: .open, newFile: .init(permissions: [.ownerReadWrite], transactionalCreation: false))
        )
        do {
            let size = try await handle.info().size
            guard size >= sealedLength else {
                throw SegmentError.truncated
            }
            if size != sealedLength {
                try await handle.resize(to: .bytes(sealedLength))
            }
            return handle
        } catch {
            await handle.closeEvenIfCancelled()
            throw error
        }
    }

    /// Gives a finished upload's file a second name in the content folder (a hard link), durably. The
    /// upload's own name is removed only once the database says the content exists.
    func linkIntoContent(uploadID: String, as name: String) async throws {
        let destination = contentPath(name)
        let leaf = destination.removingLastComponent()
        if try await fileSystem.info(forFileAt: leaf) == nil {
            try await fileSystem.createDirectory(at: leaf, withIntermediateDirectories: true)
            try await synchronizeDirectory(leaf.removingLastComponent())
            try await synchronizeDirectory(FilePath(contentDirectory))
        }
        // A name left by an attempt that failed before its transaction committed.
        await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: destination) }.value
        try FileManager.default.linkItem(atPath: uploadPath(uploadID).string, toPath: destination.string)
        try await synchronizeDirectory(leaf)
    }

    /// Names under `uploads/` (`<id>.data`) and `content/` (`ab/cd/<digest>-<id>`) last changed before
    /// `cutoff`: candidates for the orphan sweep.
    func files(olderThan cutoff: Date) -> (uploads: [String], content: [String]) {
        func old(_ path: String) -> Bool {
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return false }
            return modified < cutoff
        }
        let uploads = ((try? FileManager.default.contentsOfDirectory(atPath: uploadDirectory)) ?? [])
            .filter { $0.hasSuffix(".data") && old("\(uploadDirectory)/\($0)") }
        let content = (FileManager.default.subpaths(atPath: contentDirectory) ?? [])
            .filter { $0.split(separator: "/").count == 3 && $0.contains("-") && old("\(contentDirectory)/\($0)") }
        return (uploads, content)
    }

    func removeUploadFile(_ id: String) async {
        let path = uploadPath(id)
        await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: path) }.value
    }

    func removeContentFile(_ name: String) async {
        let path = contentPath(name)
        await Task { [fileSystem] in _ = try? await fileSystem.removeItem(at: path) }.value
    }

    /// Removes a content file nothing refers to (the second copy of bytes already stored) without making
    /// anyone wait: freeing a large file's blocks takes tens of milliseconds. If the process stops first,
    /// the orphan sweep removes it.
    func discardContentFile(_ name: String) {
        discarding.withLockedValue { state in
            let number = state.next
            state.next += 1
            state.running[number] = Task { [fileSystem, discarding, path = contentPath(name)] in
                _ = try? await fileSystem.removeItem(at: path)
                _ = discarding.withLockedValue { $0.running.removeValue(forKey: number) }
            }
        }
    }

    /// Waits for every removal started by `discardContentFile`.
    func settled() async {
        while let task = discarding.withLockedValue({ $0.running.first?.value }) {
            await task.value
        }
    }

    private func synchronizeDirectory(_ directory: FilePath) async throws {
        try await fileSystem.withDirectoryHandle(atPath: directory) { try await $0.synchronize() }
    }

    /// Feeds the plaintext of `segments` whole segments of a file to `body`, in order.
    func readSegments(_ path: FilePath, cipher: SegmentCipher, count segments: Int64, _ body: (ByteBuffer) throws -> Void) async throws {
        guard segments > 0 else { return }
        try await fileSystem.withFileHandle(forReadingAt: path) { handle in
            var index: Int64 = 0
            let batch: Int64 = 16
            while index < segments {
                let count = min(batch, segments - index)
                var chunk = try await handle.readChunk(
                    fromAbsoluteOffset: index * Int64(SegmentCipher.sealedSize), length: .bytes(count * Int64(SegmentCipher.sealedSize))
                )
                guard chunk.readableBytes == Int(count) * SegmentCipher.sealedSize else { throw SegmentError.truncated }
                for offset in 0..<count {
                    let sealed = chunk.readSlice(length: SegmentCipher.sealedSize)!
                    try body(try cipher.open(sealed, index: index + offset))
                }
                index += count
            }
        }
    }

    /// Streams the plaintext bytes `range` of a content file of `size` bytes to `write`. The file's
    /// length is checked against `size` first: a truncated or padded file is refused before any byte goes out.
    func stream(
        _ path: FilePath, cipher: SegmentCipher, size: Int64, range: Range<Int64>,
        _ write: (ByteBuffer) async throws -> Void
    ) async throws {
        guard !range.isEmpty else { return }
        let handle = try await fileSystem.openFile(forReadingAt: path, options: .init())
        do {
            guard try await handle.info().size == SegmentCipher.sealedLength(of: size) else { throw SegmentError.truncated }
            let plainSize = Int64(SegmentCipher.plainSize)
            var segment = range.lowerBound / plainSize
            let last = (range.upperBound - 1) / plainSize
            let batch: Int64 = 16
            while segment <= last {
                let count = min(batch, last - segment + 1)
                let start = segment * Int64(SegmentCipher.sealedSize)
                let end = min(start + count * Int64(SegmentCipher.sealedSize), SegmentCipher.sealedLength(of: size))
                var chunk = try await handle.readChunk(fromAbsoluteOffset: start, length: .bytes(end - start))
                guard chunk.readableBytes == Int(end - start) else { throw SegmentError.truncated }
                for index in segment..<(segment + count) {
                    let sealed = chunk.readSlice(length: min(SegmentCipher.sealedSize, chunk.readableBytes))!
                    var plain = try cipher.open(sealed, index: index)
                    let plainStart = index * plainSize
                    let from = max(range.lowerBound, plainStart) - plainStart
                    let to = min(range.upperBound, plainStart + Int64(plain.readableBytes)) - plainStart
                    plain.moveReaderIndex(forwardBy: Int(from))
                    try await write(plain.getSlice(at: plain.readerIndex, length: Int(to - from))!)
                }
                segment += count
            }
            try await handle.close()
        } catch {
            await handle.closeEvenIfCancelled()
            throw error
        }
    }
}
