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
                "CREATE INDEX doc_contents_file ON doc_contents (file)",
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
        Migration("0003_dossiers") { types in
            [
                """
                CREATE TABLE doc_dossiers (
                    id TEXT PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE,
                    procedure_code TEXT NOT NULL,
                    procedure_name TEXT,
                    applicant_kind TEXT NOT NULL,
                    applicant_id TEXT NOT NULL,
                    applicant_name TEXT,
                    receiving_agency TEXT NOT NULL,
                    submission_id TEXT,
                    form_key TEXT,
                    status TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_client TEXT NOT NULL,
                    received_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                "CREATE INDEX doc_dossiers_applicant ON doc_dossiers (applicant_id, received_at)",
                "CREATE INDEX doc_dossiers_agency ON doc_dossiers (receiving_agency, received_at)",
                // One dossier per submission, also under concurrency (NULLs are distinct on both engines).
                "CREATE UNIQUE INDEX doc_dossiers_submission ON doc_dossiers (submission_id)",
                """
                CREATE TABLE doc_dossier_components (
                    dossier_id TEXT NOT NULL REFERENCES doc_dossiers (id),
                    position INTEGER NOT NULL,
                    code TEXT,
                    name TEXT NOT NULL,
                    file_name TEXT,
                    media_type TEXT,
                    size BIGINT NOT NULL,
                    digest TEXT NOT NULL REFERENCES doc_contents (digest),
                    upload_id TEXT NOT NULL,
                    field TEXT,
                    PRIMARY KEY (dossier_id, position)
                )
                """,
                "CREATE INDEX doc_dossier_components_digest ON doc_dossier_components (digest)",
                """
                CREATE TABLE doc_dossier_events (
                    id \(types.identityPrimaryKey),
                    dossier_id TEXT NOT NULL REFERENCES doc_dossiers (id),
                    status TEXT NOT NULL,
                    note TEXT,
                    actor_subject TEXT NOT NULL,
                    actor_client TEXT NOT NULL,
                    actor_agency TEXT,
                    at \(types.timestamp) NOT NULL
                )
                """,
                "CREATE INDEX doc_dossier_events_dossier ON doc_dossier_events (dossier_id, id)",
            ]
        },
        Migration("0004_results") { types in
            [
                """
                CREATE TABLE doc_results (
                    id TEXT PRIMARY KEY,
                    number TEXT NOT NULL,
                    result_type TEXT NOT NULL,
                    procedure_code TEXT,
                    issuing_agency TEXT NOT NULL,
                    signer TEXT NOT NULL,
                    issue_date TEXT NOT NULL,
                    valid_until TEXT,
                    owners TEXT NOT NULL,
                    fields TEXT NOT NULL,
                    dossier_id TEXT REFERENCES doc_dossiers (id),
                    digest TEXT NOT NULL REFERENCES doc_contents (digest),
                    file_name TEXT,
                    media_type TEXT,
                    size BIGINT NOT NULL,
                    seal TEXT NOT NULL,
                    seal_kid TEXT NOT NULL,
                    status TEXT NOT NULL,
                    revoked_at \(types.timestamp),
                    revoked_reason TEXT,
                    revoked_by TEXT,
                    created_by TEXT NOT NULL,
                    created_client TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    UNIQUE (issuing_agency, result_type, number)
                )
                """,
                "CREATE INDEX doc_results_digest ON doc_results (digest)",
                """
                CREATE TABLE doc_result_owners (
                    result_id TEXT NOT NULL REFERENCES doc_results (id),
                    owner_id TEXT NOT NULL,
                    PRIMARY KEY (owner_id, result_id)
                )
                """,
            ]
        },
    ]
}
