import Core
import Foundation
import LGSPTesting
import NIOCore
import Testing

/// A writer cancelled mid-blob (a health check past its deadline, a client gone) closes its file and
/// leaves nothing behind; before, NIO could not close the handle in a cancelled task and stopped the
/// process for the leaked descriptor.
@Suite struct FileBlobStoreCancellationTests {
    /// One chunk, then a wait that only cancellation ends.
    struct Stalling: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        struct AsyncIterator: AsyncIteratorProtocol {
            var sent = false
            mutating func next() async throws -> ByteBuffer? {
                if !sent {
                    sent = true
                    return ByteBuffer(repeating: 7, count: 100_000)
                }
                try await Task.sleep(for: .seconds(60))
                return nil
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
    }

    @Test func aCancelledWriterClosesItsFileAndLeavesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await FileBlobStore(root: directory.path)
        let writer = Task { try await store.put(Stalling(), maxSize: nil) }
        try await Task.sleep(for: .milliseconds(200))
        writer.cancel()
        await #expect(throws: CancellationError.self) { _ = try await writer.value }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory).isEmpty)
    }
}
