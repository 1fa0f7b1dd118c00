import Core

/// The tables of the Catalogs module (`cat_`). Names never change once released.
enum CatalogMigrations {
    static let all: [Migration] = [
        Migration("0001_catalogs") { types in
            [
                """
                CREATE TABLE cat_catalogs (
                    key TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_en TEXT,
                    description TEXT,
                    owner_agency TEXT,
                    source TEXT NOT NULL,
                    is_open BOOLEAN NOT NULL,
                    hierarchical BOOLEAN NOT NULL,
                    sync TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                """
                CREATE TABLE cat_versions (
                    id \(types.identityPrimaryKey),
                    catalog_key TEXT NOT NULL REFERENCES cat_catalogs(key),
                    number INTEGER NOT NULL,
                    label TEXT,
                    status TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    note TEXT,
                    effective_from TEXT,
                    effective_to TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    created_by TEXT,
                    published_at \(types.timestamp),
                    retired_at \(types.timestamp),
                    concept_count INTEGER NOT NULL,
                    content_hash TEXT,
                    source_version TEXT,
                    UNIQUE (catalog_key, number)
                )
                """,
                """
                CREATE TABLE cat_concepts (
                    version_id BIGINT NOT NULL REFERENCES cat_versions(id) ON DELETE CASCADE,
                    code TEXT NOT NULL,
                    display TEXT NOT NULL,
                    display_en TEXT,
                    parent_code TEXT,
                    level TEXT,
                    properties TEXT NOT NULL,
                    valid_from TEXT,
                    valid_to TEXT,
                    status TEXT NOT NULL,
                    PRIMARY KEY (version_id, code)
                )
                """,
                "CREATE INDEX cat_concepts_parent ON cat_concepts (version_id, parent_code)",
                """
                CREATE TABLE cat_mappings (
                    version_id BIGINT NOT NULL REFERENCES cat_versions(id) ON DELETE CASCADE,
                    target_catalog TEXT NOT NULL,
                    target_version INTEGER NOT NULL,
                    description TEXT,
                    PRIMARY KEY (version_id, target_catalog)
                )
                """,
                """
                CREATE TABLE cat_mapping_elements (
                    version_id BIGINT NOT NULL REFERENCES cat_versions(id) ON DELETE CASCADE,
                    target_catalog TEXT NOT NULL,
                    source_code TEXT NOT NULL,
                    target_code TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    comment TEXT,
                    PRIMARY KEY (version_id, target_catalog, source_code, target_code)
                )
                """,
                // One row: bumped by every change to catalogs or versions, so caches of other processes
                // notice within a second.
                "CREATE TABLE cat_generation (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)",
                "INSERT INTO cat_generation (id, generation) VALUES (1, 1)",
                """
                CREATE TABLE cat_sync_state (
                    catalog_key TEXT PRIMARY KEY REFERENCES cat_catalogs(key),
                    checked_at \(types.timestamp) NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT,
                    source_etag TEXT,
                    source_version TEXT,
                    changed_at \(types.timestamp)
                )
                """,
                """
                CREATE TABLE cat_webhooks (
                    id TEXT PRIMARY KEY,
                    url TEXT NOT NULL,
                    catalogs TEXT NOT NULL,
                    secret_sealed TEXT NOT NULL,
                    owner_client TEXT NOT NULL,
                    owner_subject TEXT NOT NULL,
                    description TEXT,
                    active BOOLEAN NOT NULL,
                    closed_access BOOLEAN NOT NULL,
                    created_at \(types.timestamp) NOT NULL
                )
                """,
                """
                CREATE TABLE cat_deliveries (
                    id \(types.identityPrimaryKey),
                    webhook_id TEXT NOT NULL REFERENCES cat_webhooks(id) ON DELETE CASCADE,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at \(types.timestamp) NOT NULL,
                    last_status INTEGER,
                    last_error TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    delivered_at \(types.timestamp)
                )
                """,
                "CREATE INDEX cat_deliveries_due ON cat_deliveries (status, next_attempt_at)",
                "CREATE INDEX cat_deliveries_webhook ON cat_deliveries (webhook_id, id)",
            ]
        },
    ]
}
