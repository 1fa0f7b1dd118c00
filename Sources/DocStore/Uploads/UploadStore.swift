import Core
import Foundation
import SQLKit

/// `doc_uploads` and `doc_contents`, in SQL.
struct UploadStore: Sendable {
    let database: Database

    static let uploadColumns = """
        id, owner, owner_client, owner_agency, name, media_type, metadata, length, received, declared_sha256, status, key_id,
        wrapped_key, tail, digest, consumed_by, created_at, updated_at, expires_at, completed_at
        """

    func insert(_ upload: UploadRecord, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO doc_uploads (\(unsafeRaw: Self.uploadColumns))
            VALUES (\(bind: upload.id), \(bind: upload.owner), \(bind: upload.ownerClient), \(bind: upload.ownerAgency), \(bind: upload.name),
                \(bind: upload.mediaType), \(bind: upload.metadata), \(bind: upload.length), \(bind: upload.received), \(bind: upload.declaredSHA256),
                \(bind: upload.status.rawValue), \(bind: upload.wrappedKey.keyID), \(bind: upload.wrappedKey.sealed), \(bind: upload.tail),
                \(bind: upload.digest), \(bind: upload.consumedBy), \(bind: upload.createdAt), \(bind: upload.updatedAt), \(bind: upload.expiresAt),
                \(bind: upload.completedAt))
            """
        ).run()
    }

    func upload(_ id: String, _ sql: (any SQLDatabase)? = nil, forUpdate: Bool = false) async throws -> UploadRecord? {
        let lock = forUpdate && database.engine == .postgres ? " FOR UPDATE" : ""
        guard let row = try await (sql ?? database.sql).raw(
            "SELECT \(unsafeRaw: Self.uploadColumns) FROM doc_uploads WHERE id = \(bind: id)\(unsafeRaw: lock)"
        ).first() else { return nil }
        return try Self.decode(row)
    }

    /// Records acknowledged progress — only if nobody else moved the upload since `from`.
    func advance(_ id: String, from: Int64, to received: Int64, length: Int64?, tail: String?, expiresAt: String, _ sql: any SQLDatabase) async throws -> Bool {
        let now = Timestamp.now()
        let rows = try await sql.raw(
            """
            UPDATE doc_uploads SET received = \(bind: received), length = \(bind: length), tail = \(bind: tail), updated_at = \(bind: now),
                expires_at = \(bind: expiresAt)
            WHERE id = \(bind: id) AND received = \(bind: from) AND status = 'open'
            RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    func complete(_ id: String, from: Int64, size: Int64, digest: String, expiresAt: String, _ sql: any SQLDatabase) async throws -> Bool {
        let now = Timestamp.now()
        let rows = try await sql.raw(
            """
            UPDATE doc_uploads SET received = \(bind: size), length = \(bind: size), tail = NULL, status = 'complete', digest = \(bind: digest),
                updated_at = \(bind: now), completed_at = \(bind: now), expires_at = \(bind: expiresAt)
            WHERE id = \(bind: id) AND received = \(bind: from) AND status = 'open'
            RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    func delete(_ id: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM doc_uploads WHERE id = \(bind: id)").run()
    }

    func markConsumed(_ id: String, by consumer: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE doc_uploads SET consumed_by = \(bind: consumer) WHERE id = \(bind: id) AND consumed_by IS NULL").run()
    }

    /// Uploads whose expiry has passed (oldest first).
    func expired(before now: String, limit: Int) async throws -> [String] {
        try await database.sql.raw(
            "SELECT id FROM doc_uploads WHERE expires_at < \(bind: now) ORDER BY expires_at LIMIT \(bind: limit)"
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    // MARK: - Content

    func content(_ digest: String, _ sql: (any SQLDatabase)? = nil) async throws -> ContentRecord? {
        guard let row = try await (sql ?? database.sql).raw(
            "SELECT digest, size, file, key_id, wrapped_key, key_context FROM doc_contents WHERE digest = \(bind: digest)"
        ).first() else { return nil }
        return try Self.decodeContent(row)
    }

    /// Inserts the content unless the digest is already stored; true when this row was inserted.
    func insertContent(_ content: ContentRecord, _ sql: any SQLDatabase) async throws -> Bool {
        let rows = try await sql.raw(
            """
            INSERT INTO doc_contents (digest, size, file, key_id, wrapped_key, key_context, created_at)
            VALUES (\(bind: content.digest), \(bind: content.size), \(bind: content.file), \(bind: content.wrappedKey.keyID),
                \(bind: content.wrappedKey.sealed), \(bind: content.keyContext), \(bind: Timestamp.now()))
            ON CONFLICT (digest) DO NOTHING
            RETURNING digest
            """
        ).all()
        return !rows.isEmpty
    }

    /// Whether anything still refers to the content: an upload, a dossier component, a result.
    func isReferenced(_ digest: String, _ sql: any SQLDatabase) async throws -> Bool {
        for (table, column) in [("doc_uploads", "digest")] + ContentReferences.tables {
            if try await sql.raw("SELECT 1 AS x FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) = \(bind: digest) LIMIT 1").first() != nil {
                return true
            }
        }
        return false
    }

    func deleteContent(_ digest: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM doc_contents WHERE digest = \(bind: digest)").run()
    }

    // MARK: - Key rotation

    /// Wrapped keys under another master key than `current`: (table, id column, id, key context, wrapped).
    func keysNotUnder(_ current: String, limit: Int) async throws -> [(table: String, id: String, context: String, wrapped: WrappedKey)] {
        var result: [(table: String, id: String, context: String, wrapped: WrappedKey)] = []
        for row in try await database.sql.raw(
            "SELECT digest, key_id, wrapped_key, key_context FROM doc_contents WHERE key_id <> \(bind: current) LIMIT \(bind: limit)"
        ).all() {
            result.append((
                "doc_contents", try row.decode(column: "digest", as: String.self), try row.decode(column: "key_context", as: String.self),
                WrappedKey(keyID: try row.decode(column: "key_id", as: String.self), sealed: try row.decode(column: "wrapped_key", as: String.self))
            ))
        }
        for row in try await database.sql.raw(
            "SELECT id, key_id, wrapped_key FROM doc_uploads WHERE key_id <> \(bind: current) LIMIT \(bind: limit)"
        ).all() {
            let id = try row.decode(column: "id", as: String.self)
            result.append((
                "doc_uploads", id, id,
                WrappedKey(keyID: try row.decode(column: "key_id", as: String.self), sealed: try row.decode(column: "wrapped_key", as: String.self))
            ))
        }
        return result
    }

    func replaceKey(table: String, id: String, old: WrappedKey, new: WrappedKey) async throws {
        let column = table == "doc_contents" ? "digest" : "id"
        try await database.sql.raw(
            """
            UPDATE \(unsafeRaw: table) SET key_id = \(bind: new.keyID), wrapped_key = \(bind: new.sealed)
            WHERE \(unsafeRaw: column) = \(bind: id) AND wrapped_key = \(bind: old.sealed)
            """
        ).run()
    }

    // MARK: - Decoding

    static func decode(_ row: any SQLRow) throws -> UploadRecord {
        UploadRecord(
            id: try row.decode(column: "id", as: String.self),
            owner: try row.decode(column: "owner", as: String.self),
            ownerClient: try row.decode(column: "owner_client", as: String.self),
            ownerAgency: try row.decode(column: "owner_agency", as: String?.self),
            name: try row.decode(column: "name", as: String?.self),
            mediaType: try row.decode(column: "media_type", as: String?.self),
            metadata: try row.decode(column: "metadata", as: String.self),
            length: try row.decode(column: "length", as: Int64?.self),
            received: try row.decode(column: "received", as: Int64.self),
            declaredSHA256: try row.decode(column: "declared_sha256", as: String?.self),
            status: UploadRecord.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .open,
            wrappedKey: WrappedKey(keyID: try row.decode(column: "key_id", as: String.self), sealed: try row.decode(column: "wrapped_key", as: String.self)),
            tail: try row.decode(column: "tail", as: String?.self),
            digest: try row.decode(column: "digest", as: String?.self),
            consumedBy: try row.decode(column: "consumed_by", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self),
            expiresAt: try row.decode(column: "expires_at", as: String.self),
            completedAt: try row.decode(column: "completed_at", as: String?.self)
        )
    }

    static func decodeContent(_ row: any SQLRow) throws -> ContentRecord {
        ContentRecord(
            digest: try row.decode(column: "digest", as: String.self),
            size: try row.decode(column: "size", as: Int64.self),
            file: try row.decode(column: "file", as: String.self),
            wrappedKey: WrappedKey(keyID: try row.decode(column: "key_id", as: String.self), sealed: try row.decode(column: "wrapped_key", as: String.self)),
            keyContext: try row.decode(column: "key_context", as: String.self)
        )
    }
}

/// The tables that refer to content by digest (besides uploads); content is deleted only when none does.
enum ContentReferences {
    static let tables: [(table: String, column: String)] = [("doc_dossier_components", "digest"), ("doc_results", "digest")]
}
