import Core

/// The tables of the DocStore module (`doc_`). Names never change once released.
enum DocStoreMigrations {
    static let all: [Migration] = [
        Migration("0001_dossier_sequences") { _ in
            [
                """
                CREATE TABLE doc_dossier_sequences (
                    agency TEXT NOT NULL,
                    day TEXT NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (agency, day)
                )
                """
            ]
        },
        Migration("0002_files") { types in
            [
                // Permanent content, addressed by the SHA-256 of its plaintext; the bytes are in `file`
                // (relative to the content folder), encrypted under a data key wrapped by the master key.
                """
                CREATE TABLE doc_contents (
                    digest TEXT PRIMARY KEY,
                    size BIGINT NOT NULL,
                    file TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    wrapped_key TEXT NOT NULL,
                    key_context TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL
                )
                """,
                "CREATE INDEX doc_contents_key ON doc_contents (key_id)",
                // Temporary uploads (tus and plain). `received` bytes are acknowledged: whole segments in
                // the upload's file, the rest sealed in `tail`. Complete uploads point at their content.
                """
                CREATE TABLE doc_uploads (
                    id TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    owner_client TEXT NOT NULL,
                    owner_agency TEXT,
                    name TEXT,
                    media_type TEXT,
                    metadata TEXT NOT NULL,
                    length BIGINT,
                    received BIGINT NOT NULL,
                    declared_sha256 TEXT,
                    status TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    wrapped_key TEXT NOT NULL,
                    tail TEXT,
                    digest TEXT REFERENCES doc_contents (digest),
                    consumed_by TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL,
                    expires_at \(types.timestamp) NOT NULL,
                    completed_at \(types.timestamp)
                )
                """,
                "CREATE INDEX doc_uploads_expiry ON doc_uploads (expires_at)",
                "CREATE INDEX doc_uploads_owner ON doc_uploads (owner, created_at)",
                "CREATE INDEX doc_uploads_digest ON doc_uploads (digest)",
                "CREATE INDEX doc_uploads_key ON doc_uploads (key_id)",
            ]
        },
    ]
}
