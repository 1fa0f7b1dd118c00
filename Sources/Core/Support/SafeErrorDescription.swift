import PostgresKit

/// An error described for logs and operator messages without the data it may carry. PostgreSQL errors
/// hide everything in their `description`; here they show their code, SQLSTATE and server message, but
/// never the statement's bound values or the server's `detail` (which can quote row values).
public enum SafeErrorDescription {
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            var parts = ["PostgreSQL \(error.code)"]
            if let state = error.serverInfo?[.sqlState] { parts.append("SQLSTATE \(state)") }
            if let message = error.serverInfo?[.message] { parts.append(message) }
            if let underlying = error.underlying { parts.append(describe(underlying)) }
            return parts.joined(separator: ": ")
        }
        return "\(error)"
    }
}
