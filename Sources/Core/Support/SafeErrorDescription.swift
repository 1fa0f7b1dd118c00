import PostgresKit
import SQLiteNIO

/// An error described for logs and operator messages without the data it may carry.
///
/// PostgreSQL errors show their code, SQLSTATE and the names of the schema objects involved, never the
/// server's message or detail (both can quote values: `invalid input syntax for type bigint: "…"`) nor
/// the statement's bound values. SQLite errors show their message, which names constraints and columns
/// but not values.
public enum SafeErrorDescription {
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            var parts = ["PostgreSQL \(error.code)"]
            if let info = error.serverInfo {
                if let state = info[.sqlState] { parts.append("SQLSTATE \(state)") }
                for (label, field) in [("schema", PSQLError.ServerInfo.Field.schemaName), ("table", .tableName),
                                       ("column", .columnName), ("constraint", .constraintName), ("routine", .routine)] {
                    if let value = info[field] { parts.append("\(label) \(value)") }
                }
            }
            if let underlying = error.underlying { parts.append(describe(underlying)) }
            return parts.joined(separator: ", ")
        }
        if let error = error as? SQLiteError {
            return "SQLite \(error.reason): \(error.message)"
        }
        return "\(String(reflecting: type(of: error))): \(error)"
    }

    /// The SQLSTATE of a PostgreSQL error, nil for anything else.
    public static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

/// Recognizes errors of both engines by kind, for callers that answer them (a unique violation is a 409).
public enum DatabaseErrorKind {
    /// A UNIQUE or PRIMARY KEY constraint refused the write (PostgreSQL 23505; SQLite UNIQUE/PRIMARY KEY).
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == "23505"
        }
        if let error = error as? SQLiteError {
            return [.constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed].contains(error.reason)
                && (error.message.contains("UNIQUE") || error.message.contains("PRIMARY KEY"))
        }
        return false
    }
}
