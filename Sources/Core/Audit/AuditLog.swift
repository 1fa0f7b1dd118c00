import Crypto
import Logging
import SQLKit

/// The append-only, hash-chained audit log. Every entry stores the previous entry's hash and its
/// own (an HMAC keyed from the master key); `audit_head` holds the last `seq` and hash so that removing
/// entries at the end is detected too. Triggers refuse UPDATE, DELETE and TRUNCATE of entries and any
/// step back of the head.
///
/// Appends are group-committed: concurrent `record` calls are written together in one transaction (one
/// fsync), and each call returns once its entry is committed. Several `lgsp` processes on one PostgreSQL
/// database share one chain: the head row's lock orders them.
public final class AuditLog: Sendable {
    public let database: Database
    let key: SymmetricKey
    private let appender: AuditAppender

    public init(database: Database, masterKey: MasterKey) {
        self.database = database
        self.key = AuditEntry.chainKey(masterKey)
        self.appender = AuditAppender(database: database, key: AuditEntry.chainKey(masterKey))
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
        // Append-only at the database too. Someone with the owner's rights can still drop the triggers;
        // the keyed hash chain is what detects that.
        Migration("0002_append_only_triggers") { context in
            switch context.engine {
            case .sqlite:
                for statement in [
                    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
                    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
                    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'audit_head cannot be removed'); END",
                    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head WHEN NEW.seq <= OLD.seq BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END",
                ] {
                    try await context.execute(statement)
                }
            case .postgres:
                for statement in [
                    """
                    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME; END $$
                    """,
                    """
                    CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.seq <= OLD.seq THEN RAISE EXCEPTION 'audit_head only moves forward'; END IF;
                        RETURN NEW;
                    END $$
                    """,
                    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
                    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
                    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
                    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
                    "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
                ] {
                    try await context.execute(statement)
                }
            }
        },
    ])

    /// Appends an entry and returns it once committed (group commit with concurrent callers).
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditEntry {
        try await appender.append(event)
    }

    /// Appends an entry inside the caller's transaction, so that it commits (or not) with the caller's own
    /// writes. Holds the chain's head until that transaction ends: keep such transactions short.
    @discardableResult
    public func record(_ event: AuditEvent, in transaction: any SQLDatabase) async throws -> AuditEntry {
        try await Self.append([event], on: transaction, engine: database.engine, key: key)[0]
    }

    /// Writes `events` as consecutive entries on `connection`, which must be inside a transaction.
    static func append(_ events: [AuditEvent], on connection: any SQLDatabase, engine: DatabaseEngine, key: SymmetricKey) async throws -> [AuditEntry] {
        let lock = engine == .postgres ? " FOR UPDATE" : ""
        guard let head = try await connection.raw(
            SQLQueryString("SELECT seq, hash FROM audit_head WHERE id = 1\(unsafeRaw: lock)")
        ).first() else {
            throw AuditLogError.missingHead
        }
        var seq = try head.decode(column: "seq", as: Int64.self)
        var previous = try head.decode(column: "hash", as: String.self)
        let at = Timestamp.now()
        var entries: [AuditEntry] = []
        entries.reserveCapacity(events.count)
        for event in events {
            seq += 1
            let entry = AuditEntry(seq: seq, at: at, event: event, previousHash: previous, key: key)
            entries.append(entry)
            previous = entry.hash
        }
        var insert = connection.insert(into: "audit_entries").columns(
            "seq", "at", "subject", "client_id", "agency", "action", "object_type", "object_id",
            "outcome", "request_id", "digests", "details", "prev_hash", "hash"
        )
        for entry in entries {
            let event = entry.event
            insert = insert.values(
                SQLBind(entry.seq), SQLBind(entry.at), SQLBind(event.subject), SQLBind(event.client), SQLBind(event.agency),
                SQLBind(event.action), SQLBind(event.objectType), SQLBind(event.objectID), SQLBind(event.outcome.rawValue),
                SQLBind(event.requestID), SQLBind(CanonicalJSON.object(event.digests)), SQLBind(CanonicalJSON.object(event.details)),
                SQLBind(entry.previousHash), SQLBind(entry.hash)
            )
        }
        try await insert.run()
        try await connection.raw("UPDATE audit_head SET seq = \(bind: seq), hash = \(bind: previous) WHERE id = 1").run()
        return entries
    }

    /// Entries with `seq` greater than `after`, in order, at most `limit`.
    public func entries(after: Int64 = 0, limit: Int = 1000) async throws -> [AuditEntry] {
        try await Self.entries(on: database.sql, after: after, through: .max, limit: limit)
    }

    static func entries(on connection: any SQLDatabase, after: Int64, through: Int64, limit: Int) async throws -> [AuditEntry] {
        let rows = try await connection.raw(
            """
            SELECT seq, at, subject, client_id, agency, action, object_type, object_id, outcome, request_id,
                digests, details, prev_hash, hash
            FROM audit_entries WHERE seq > \(bind: after) AND seq <= \(bind: through) ORDER BY seq LIMIT \(bind: limit)
            """
        ).all()
        return try rows.map(Self.entry(from:))
    }

    /// The last `seq` and hash as the head row records them.
    public func head() async throws -> (seq: Int64, hash: String) {
        try await Self.head(on: database.sql)
    }

    static func head(on connection: any SQLDatabase) async throws -> (seq: Int64, hash: String) {
        guard let row = try await connection.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() else {
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

/// Collects concurrent appends and writes them in one transaction each round.
actor AuditAppender {
    let database: Database
    let key: SymmetricKey
    private var pending: [(event: AuditEvent, continuation: CheckedContinuation<AuditEntry, any Error>)] = []
    private var flushing = false
    static let maxBatch = 500

    init(database: Database, key: SymmetricKey) {
        self.database = database
        self.key = key
    }

    func append(_ event: AuditEvent) async throws -> AuditEntry {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((event, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maxBatch))
            pending.removeFirst(batch.count)
            let events = batch.map(\.event)
            let engine = database.engine
            let key = self.key
            do {
                let entries = try await database.transaction { connection in
                    try await AuditLog.append(events, on: connection, engine: engine, key: key)
                }
                for (waiter, entry) in zip(batch, entries) {
                    waiter.continuation.resume(returning: entry)
                }
            } catch {
                for waiter in batch {
                    waiter.continuation.resume(throwing: error)
                }
            }
        }
        flushing = false
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
