/// One component that level-2 health (`/health/services`) checks: the database, the blob store, later
/// each registered data-sharing service and upstream system (R-PL01-2.3.1). `check` throws when the
/// component is down; the message it throws is logged, not shown.
public protocol HealthCheck: Sendable {
    var name: String { get }
    func check() async throws
}

/// A check made of a closure.
public struct ClosureHealthCheck: HealthCheck {
    public let name: String
    let body: @Sendable () async throws -> Void

    public init(name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    public func check() async throws {
        try await body()
    }
}

/// The database answers a real query.
public struct DatabaseHealthCheck: HealthCheck {
    public let name = "database"
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func check() async throws {
        try await database.ping()
    }
}

/// The blob store writes, reads back and deletes a probe.
public struct BlobStoreHealthCheck: HealthCheck {
    public let name = "blobs"
    public let store: any BlobStore

    public init(store: any BlobStore) {
        self.store = store
    }

    public func check() async throws {
        // Unique content each time, so the probe never collides with a real blob or another probe.
        let content = "lgsp-health-probe \(Timestamp.now()) \(UInt64.random(in: 0...UInt64.max))"
        let ref = try await store.put(ByteBuffer(string: content), maxSize: 1024)
        let readBack: String?
        do {
            readBack = try await store.read(ref.digest) { chunks in
                var collected = ByteBuffer()
                for try await var chunk in chunks { collected.writeBuffer(&chunk) }
                return String(buffer: collected)
            }
        } catch {
            try? await store.delete(ref.digest)
            throw error
        }
        try await store.delete(ref.digest)
        guard readBack == content else { throw HealthCheckFailure("blob probe read back different content") }
    }
}

public struct HealthCheckFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

import NIOCore
