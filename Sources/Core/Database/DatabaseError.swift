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

/// A PostgreSQL transaction was aborted by a failed statement inside it (even one the code caught); it
/// was rolled back.
public struct TransactionAbortedError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { "Giao dịch cơ sở dữ liệu đã bị hủy do một câu lệnh lỗi bên trong: \(reason)" }
}
