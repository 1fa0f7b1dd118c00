import ArgumentParser
import Core
import Foundation
import NIOCore
import NIOPosix
import NIOFileSystem

struct BlobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blobs",
        abstract: "Kho tệp theo nội dung (SHA-256).",
        subcommands: [Put.self, Sweep.self]
    )

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "put",
            abstract: "Lưu một tệp vào kho (đọc theo luồng, không nạp cả tệp vào bộ nhớ); in mã SHA-256 và kích thước."
        )

        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Đường dẫn tệp, hoặc - để đọc từ đầu vào chuẩn") var file: String

        func run() async throws {
            let (configuration, _) = try options.load()
            let store = try await FileBlobStore(root: configuration.blobDirectory)
            let ref: BlobRef
            if file == "-" {
                // Standard input may be a pipe: read it sequentially until end of file.
                ref = try await store.put(StandardInputChunks(), maxSize: nil)
            } else {
                ref = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(file)) { handle in
                    try await store.put(handle.readChunks(chunkLength: .kibibytes(64)), maxSize: nil)
                }
            }
            print("\(ref.digest) \(ref.size)")
        }
    }

    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sweep",
            abstract: "Xóa các tệp tạm (.part) do tiến trình ghi bị dừng giữa chừng để lại."
        )

        @OptionGroup var options: ConfigurationOptions
        @Option(help: "Chỉ xóa tệp tạm cũ hơn số giờ này") var olderThanHours: Int = 24

        func run() async throws {
            let (configuration, _) = try options.load()
            let store = try await FileBlobStore(root: configuration.blobDirectory)
            let removed = try await store.sweepTemporaryFiles(olderThan: .seconds(olderThanHours * 3600))
            print("Đã xóa \(removed) tệp tạm.")
        }
    }
}

/// Standard input as chunks, read on NIO's thread pool (never on the cooperative pool) until end of file.
struct StandardInputChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        mutating func next() async throws -> ByteBuffer? {
            let data = try await NIOThreadPool.singleton.runIfActive {
                try FileHandle.standardInput.read(upToCount: 64 * 1024)
            }
            guard let data, !data.isEmpty else { return nil }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}
