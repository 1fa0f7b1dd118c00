import Crypto
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOFileSystem

/// Turns arriving bytes into sealed segments appended to an upload's file, a batch at a time, with the
/// three costly steps overlapped instead of added up: while one core hashes a batch (the whole-file
/// SHA-256 and the chunk checksum) another seals it, and the file system's threads copy the previous
/// batch's sealed bytes into the file. At most three batches are held (the one being hashed and sealed,
/// its sealed bytes, the previous sealed bytes being written), so memory stays bounded whatever the size.
///
/// The caller hands batches in order and waits for each `absorb` before the next; `finish` writes what
/// is left. Nothing here is durable until the caller fsyncs the file.
struct UploadSealer: Sendable {
    /// Bytes gathered before a batch is handed over.
    static let batchSize = 1 << 19

    let cipher: SegmentCipher
    let handle: WriteFileHandle
    /// Index of the segment `pending` belongs to.
    private(set) var segment: Int64
    /// Plaintext of the segment not yet full.
    private(set) var pending: ByteBuffer
    /// Where the next sealed bytes go in the file.
    private(set) var position: Int64
    private(set) var hasher: SHA256
    private(set) var running: ChunkChecksum.Running?
    /// Sealed bytes not yet written.
    private var unwritten = ByteBuffer()
    /// Where the file's pages were last handed to the kernel for writing back.
    private var kicked: Int64

    init(cipher: SegmentCipher, handle: WriteFileHandle, segment: Int64, pending: ByteBuffer, hasher: SHA256, running: ChunkChecksum.Running?) {
        self.cipher = cipher
        self.handle = handle
        self.segment = segment
        self.pending = pending
        self.position = segment * Int64(SegmentCipher.sealedSize)
        self.kicked = position
        self.hasher = hasher
        self.running = running
    }

    /// Hashes and seals `batch` while the previous batch's sealed bytes are written.
    mutating func absorb(_ batch: [ByteBuffer]) async throws {
        async let hashed = Self.hash(batch, hasher, running)
        let kick = position - kicked >= Self.writebackStep ? kicked..<position : nil
        async let written = Self.write(unwritten, to: handle, at: position, kicking: kick)
        var output = ByteBuffer()
        output.reserveCapacity(batch.reduce(pending.readableBytes) { $0 + $1.readableBytes } / SegmentCipher.plainSize * SegmentCipher.sealedSize)
        for chunk in batch {
            var rest = chunk
            while rest.readableBytes > 0 {
                let take = min(rest.readableBytes, SegmentCipher.plainSize - pending.readableBytes)
                if pending.readableBytes == 0, take == SegmentCipher.plainSize {
                    // A whole segment inside the chunk: sealed from where it lies.
                    try cipher.seal(rest.readSlice(length: take)!, index: segment, into: &output)
                    segment += 1
                    continue
                }
                var slice = rest.readSlice(length: take)!
                pending.writeBuffer(&slice)
                if pending.readableBytes == SegmentCipher.plainSize {
                    try cipher.seal(pending, index: segment, into: &output)
                    segment += 1
                    pending.clear()
                }
            }
        }
        position += try await written
        if let kick { kicked = kick.upperBound }
        (hasher, running) = await hashed
        unwritten = output
    }

    /// Writes every sealed byte, sealing the last partial segment first when the file is complete (an
    /// incomplete upload keeps it as `pending`, stored with the offset).
    mutating func finish(sealingPending: Bool) async throws {
        if sealingPending, pending.readableBytes > 0 {
            try cipher.seal(pending, index: segment, into: &unwritten)
            segment += 1
            pending.clear()
        }
        position += try await Self.write(unwritten, to: handle, at: position)
        unwritten.clear()
    }

    private static func hash(_ batch: [ByteBuffer], _ hasher: SHA256, _ running: ChunkChecksum.Running?) async -> (SHA256, ChunkChecksum.Running?) {
        var hasher = hasher
        var running = running
        for chunk in batch {
            running?.update(chunk)
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return (hasher, running)
    }

    /// Bytes written between two hand-overs to the kernel's writeback.
    static let writebackStep: Int64 = 8 << 20

    /// Writes `bytes` at `position`; with `kicking`, first asks the kernel to start writing back that range,
    /// already in the file, to disk (without waiting for it), so the fsync that acknowledges the request
    /// finds little left to do instead of the whole body. On Linux `POSIX_FADV_DONTNEED` starts the
    /// writeback of dirty pages and drops the clean ones, which the upload will not read again.
    private static func write(_ bytes: ByteBuffer, to handle: WriteFileHandle, at position: Int64, kicking: Range<Int64>? = nil) async throws -> Int64 {
        #if os(Linux)
        if let kicking {
            _ = try await handle.withUnsafeDescriptor { descriptor in
                posix_fadvise(descriptor.rawValue, off_t(kicking.lowerBound), off_t(kicking.count), POSIX_FADV_DONTNEED)
            }
        }
        #endif
        return bytes.readableBytes == 0 ? 0 : try await handle.write(contentsOf: bytes, toAbsoluteOffset: position)
    }
}
