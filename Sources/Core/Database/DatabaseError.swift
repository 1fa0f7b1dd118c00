/// The database could not be reached in time: no connection could be had from the pool.
public struct DatabaseUnavailableError: Error, CustomStringConvertible, Sendable {
    public let engine: DatabaseEngine
    public let reason: String

    public init(engine: DatabaseEngine, reason: String) {
        self.engine = engine
        self.reason = reason
    }

    public var description: String { "Cơ sở dữ liệu \(engine.rawValue) không sẵn sàng: \(reason)" }
}

/// A transaction could not be rolled back; its connection is discarded rather than reused.
struct PoisonedConnectionError: Error {
    let underlying: any Error
}
