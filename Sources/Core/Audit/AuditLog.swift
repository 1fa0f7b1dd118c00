import Logging
import SQLKit

/// The append-only, hash-chained audit log. Every entry stores the previous entry's hash and its
/// own; `audit_head` holds the last `seq` and hash so that removing entries at the end is detected too.
/// Appends are serialized by the database (the head row's lock), so several `lgsp` processes on one
/// PostgreSQL database share one chain.
public final class AuditLog: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public static let migrations = MigrationSet(module: "audit", migrations: [
        Migration("0001_create_audit_entries") { types in
            [
                """
                CREATE TABLE audit_entries (
                    seq BIGINT PRIMARY KEY,
                    at \(types.timestamp) NOT NULL,
                    subject TEXT,
                    client_id TEXT,
                    agency TEXT,
                    action TEXT NOT NULL,
                    object_type TEXT,
                    object_id TEXT,
                    outcome TEXT NOT NULL,
                    request_id TEXT,
                    digests TEXT NOT NULL,
                    details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                )
                """,
                "CREATE INDEX audit_entries_at ON audit_entries (at)",
                "CREATE INDEX audit_entries_action ON audit_entries (action, at)",
                """
                CREATE TABLE audit_head (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    seq BIGINT NOT NULL,
                    hash TEXT NOT NULL
                )
                """,
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\(AuditEntry.genesisHash)')",
            ]
        },
        // Append-only at the database too: an UPDATE or DELETE on entries is refused. Someone with the
        // owner's rights can still drop the trigger; the hash chain is what detects that.
        Migration("0002_append_only_triggers") { context in
            switch context.engine {
            case .sqlite:
                try await context.execute(
                    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"
                )
                try await context.execute(
                    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"
                )
            case .postgres:
                try await context.execute(
                    """
                    CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$
                    """
                )
                try await context.execute(
                    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()"
                )
            }
        },
    ])

    /// Appends an entry and returns it once committed.
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditEntry {
        let engine = database.engine
        return try await database.transaction { connection in
            let lock = engine == .postgres ? " FOR UPDATE" : ""
            guard let head = try await connection.raw(
                SQLQueryString("SELECT seq, hash FROM audit_head WHERE id = 1\(unsafeRaw: lock)")
            ).first() else {
                throw AuditLogError.missingHead
            }
            let entry = AuditEntry(
                seq: try head.decode(column: "seq", as: Int64.self) + 1,
                at: Timestamp.now(),
                event: event,
                previousHash: try head.decode(column: "hash", as: String.self)
            )
            try await connection.raw(
                """
                INSERT INTO audit_entries (seq, at, subject, client_id, agency, action, object_type, object_id,
                    outcome, request_id, digests, details, prev_hash, hash)
                VALUES (\(bind: entry.seq), \(bind: entry.at), \(bind: event.subject), \(bind: event.client),
                    \(bind: event.agency), \(bind: event.action), \(bind: event.objectType), \(bind: event.objectID),
                    \(bind: event.outcome.rawValue), \(bind: event.requestID),
                    \(bind: CanonicalJSON.object(event.digests)), \(bind: CanonicalJSON.object(event.details)),
                    \(bind: entry.previousHash), \(bind: entry.hash))
                """
            ).run()
            try await connection.raw(
                "UPDATE audit_head SET seq = \(bind: entry.seq), hash = \(bind: entry.hash) WHERE id = 1"
            ).run()
            return entry
        }
    }

    /// Entries with `seq` greater than `after`, in order, at most `limit`.
    public func entries(after: Int64 = 0, limit: Int = 1000) async throws -> [AuditEntry] {
        let rows = try await database.sql.raw(
            """
            SELECT seq, at, subject, client_id, agency, action, object_type, object_id, outcome, request_id,
                digests, details, prev_hash, hash
            FROM audit_entries WHERE seq > \(bind: after) ORDER BY seq LIMIT \(bind: limit)
            """
        ).all()
        return try rows.map(Self.entry(from:))
    }

    /// The last `seq` and hash as the head row records them.
    public func head() async throws -> (seq: Int64, hash: String) {
        guard let row = try await database.sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() else {
            throw AuditLogError.missingHead
        }
        return (try row.decode(column: "seq", as: Int64.self), try row.decode(column: "hash", as: String.self))
    }

    static func entry(from row: any SQLRow) throws -> AuditEntry {
        let outcomeText = try row.decode(column: "outcome", as: String.self)
        let digestsText = try row.decode(column: "digests", as: String.self)
        let detailsText = try row.decode(column: "details", as: String.self)
        let event = AuditEvent(
            action: try row.decode(column: "action", as: String.self),
            outcome: AuditOutcome(rawValue: outcomeText) ?? .failure,
            subject: try row.decode(column: "subject", as: String?.self),
            client: try row.decode(column: "client_id", as: String?.self),
            agency: try row.decode(column: "agency", as: String?.self),
            objectType: try row.decode(column: "object_type", as: String?.self),
            objectID: try row.decode(column: "object_id", as: String?.self),
            requestID: try row.decode(column: "request_id", as: String?.self),
            digests: CanonicalJSON.parseObject(digestsText) ?? [:],
            details: CanonicalJSON.parseObject(detailsText) ?? [:]
        )
        // A column that does not read back as what `record` wrote cannot be intact.
        let readable = AuditOutcome(rawValue: outcomeText) != nil
            && CanonicalJSON.parseObject(digestsText) != nil && CanonicalJSON.parseObject(detailsText) != nil
        return AuditEntry(
            seq: try row.decode(column: "seq", as: Int64.self),
            at: try row.decode(column: "at", as: String.self),
            event: event,
            previousHash: try row.decode(column: "prev_hash", as: String.self),
            storedHash: readable ? try row.decode(column: "hash", as: String.self) : "unreadable"
        )
    }
}

public enum AuditLogError: Error, CustomStringConvertible {
    case missingHead

    public var description: String {
        switch self {
        case .missingHead: return "Bảng audit_head không có dòng đầu chuỗi: nhật ký kiểm toán đã bị can thiệp hoặc chưa được migrate."
        }
    }
}
