import NIOCore

/// Content-addressed storage for bytes: a blob's name is the SHA-256 of its content.
///
/// Writes are streamed (never whole in memory) and atomic: a blob appears under its name complete or
/// not at all. Storing the same content twice, even at once, stores it once.
public protocol BlobStore: Sendable {
    /// Streams `content` into the store and returns its digest and size. Throws `BlobStoreError.tooLarge`
    /// (and stores nothing) once more than `maxSize` bytes arrive.
    func put(_ content: some AsyncSequence<ByteBuffer, any Error> & Sendable, maxSize: Int64?) async throws -> BlobRef

    /// Streams a blob's content to `body`; nil when there is no such blob.
    func read<R: Sendable>(
        _ digest: BlobDigest,
        _ body: (any AsyncSequence<ByteBuffer, any Error>) async throws -> R
    ) async throws -> R?

    /// The size of a stored blob, nil when absent.
    func size(of digest: BlobDigest) async throws -> Int64?

    /// Removes a blob; absent blobs are not an error.
    func delete(_ digest: BlobDigest) async throws
}

/// A stored blob: its digest and size.
public struct BlobRef: Sendable, Hashable, Codable {
    public let digest: BlobDigest
    public let size: Int64

    public init(digest: BlobDigest, size: Int64) {
        self.digest = digest
        self.size = size
    }
}

/// A SHA-256 digest in lower-case hex: 64 characters of `0-9a-f`, nothing else (it becomes a file name).
public struct BlobDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    public let hex: String

    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        self.hex = hex
    }

    public var description: String { "sha256:\(hex)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        guard let digest = BlobDigest(hex: hex) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 digest"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public enum BlobStoreError: Error, CustomStringConvertible, Sendable {
    case tooLarge(limit: Int64)

    public var description: String {
        switch self {
        case .tooLarge(let limit): return "Nội dung vượt quá giới hạn \(limit) byte."
        }
    }
}
