import Foundation

/// The engine behind a `Database`.
public enum DatabaseEngine: String, Sendable, Codable {
    case sqlite
    case postgres
}

/// Where a database lives: an SQLite file, or a PostgreSQL server described by a `postgres://` URL.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public var engine: DatabaseEngine {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable&search_path=schema`
    /// (`postgresql://` too). Returns nil for anything else.
    public init?(url: String) {
        guard let location = PostgresLocation(url: url) else { return nil }
        self = .postgres(location)
    }
}

/// A PostgreSQL server, database, credentials and session options.
public struct PostgresLocation: Sendable, Equatable {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tls: TLSMode
    /// Schema(s) searched first, set on every connection (`search_path`).
    public var searchPath: String?

    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String?,
        tls: TLSMode = .prefer, searchPath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.searchPath = searchPath
    }

    public init?(url: String) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme),
            let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else { return nil }
        var tls = TLSMode.prefer
        var searchPath: String?
        for item in components.queryItems ?? [] {
            switch item.name.lowercased() {
            case "sslmode", "tlsmode":
                switch item.value?.lowercased() {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: return nil
                }
            case "search_path", "schema":
                guard let value = item.value, !value.isEmpty else { return nil }
                searchPath = value
            default:
                return nil
            }
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(
            host: host, port: components.port ?? 5432,
            // URLComponents already decoded user and password once; decoding again would corrupt a
            // password containing "%41".
            username: user,
            password: components.password,
            database: path.isEmpty ? nil : path,
            tls: tls, searchPath: searchPath
        )
    }

    /// The location without its password, for logs and messages.
    public var redactedDescription: String {
        "postgres://\(username)@\(host):\(port)/\(database ?? "")"
    }
}
