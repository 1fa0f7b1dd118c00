import Core

/// The tables of the Forms module (`form_`). Names never change once released.
enum FormMigrations {
    static let all: [Migration] = [
        Migration("0001_forms") { types in
            [
                """
                CREATE TABLE form_forms (
                    key TEXT PRIMARY KEY,
                    title TEXT NOT NULL,
                    title_folded TEXT NOT NULL,
                    procedure_code TEXT,
                    owner_agency TEXT NOT NULL,
                    description TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                """
                CREATE TABLE form_versions (
                    id \(types.identityPrimaryKey),
                    form_key TEXT NOT NULL REFERENCES form_forms(key),
                    number INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    schema_json TEXT NOT NULL,
                    schema_hash TEXT NOT NULL,
                    note TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    created_by TEXT,
                    published_at \(types.timestamp),
                    retired_at \(types.timestamp),
                    UNIQUE (form_key, number)
                )
                """,
                """
                CREATE TABLE form_submissions (
                    id TEXT PRIMARY KEY,
                    form_key TEXT NOT NULL REFERENCES form_forms(key),
                    version INTEGER NOT NULL,
                    submitter_kind TEXT NOT NULL,
                    submitter TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    submitter_agency TEXT,
                    owner_agency TEXT NOT NULL,
                    status TEXT NOT NULL,
                    data_json TEXT NOT NULL,
                    data_hash TEXT NOT NULL,
                    submitted_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                "CREATE INDEX form_submissions_by_form ON form_submissions (form_key, status, submitted_at)",
                "CREATE INDEX form_submissions_by_submitter ON form_submissions (submitter, submitted_at)",
            ]
        }
    ]
}
