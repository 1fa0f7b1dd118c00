import Core

/// The tables of the Gateway module (`gw_`). Names never change once released.
enum GatewayMigrations {
    static let all: [Migration] = [
        Migration("0001_members_systems") { types in
            [
                // Members (agencies) of the platform; `identifier` is the current electronic identifier.
                """
                CREATE TABLE gw_members (
                    id TEXT PRIMARY KEY,
                    identifier TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    search_text TEXT NOT NULL,
                    parent_id TEXT REFERENCES gw_members (id),
                    level TEXT NOT NULL,
                    contacts TEXT NOT NULL,
                    status TEXT NOT NULL,
                    successors TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                "CREATE INDEX gw_members_parent ON gw_members (parent_id)",
                // Every identifier and name a member has carried, with the period and the operation.
                """
                CREATE TABLE gw_member_names (
                    id \(types.identityPrimaryKey),
                    member_id TEXT NOT NULL REFERENCES gw_members (id),
                    identifier TEXT NOT NULL,
                    name TEXT NOT NULL,
                    valid_from \(types.timestamp) NOT NULL,
                    valid_to \(types.timestamp),
                    operation TEXT NOT NULL
                )
                """,
                "CREATE INDEX gw_member_names_member ON gw_member_names (member_id, id)",
                "CREATE INDEX gw_member_names_identifier ON gw_member_names (identifier)",
                // Restructuring operations as they happened.
                """
                CREATE TABLE gw_member_events (
                    id \(types.identityPrimaryKey),
                    member_id TEXT NOT NULL REFERENCES gw_members (id),
                    operation TEXT NOT NULL,
                    details TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    at \(types.timestamp) NOT NULL
                )
                """,
                "CREATE INDEX gw_member_events_member ON gw_member_events (member_id, id)",
                // Information systems and databases (HTTT/CSDL) of a member.
                """
                CREATE TABLE gw_systems (
                    id TEXT PRIMARY KEY,
                    member_id TEXT NOT NULL REFERENCES gw_members (id),
                    code TEXT NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    description TEXT,
                    status TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL,
                    UNIQUE (member_id, code)
                )
                """,
                // The SSO client of a system in each environment (R-PL01-3.1).
                """
                CREATE TABLE gw_system_clients (
                    system_id TEXT NOT NULL REFERENCES gw_systems (id),
                    environment TEXT NOT NULL,
                    client_id TEXT NOT NULL UNIQUE,
                    created_at \(types.timestamp) NOT NULL,
                    PRIMARY KEY (system_id, environment)
                )
                """,
            ]
        },
        Migration("0002_services") { types in
            [
                // One version of a service registered by a provider system (R-7.1a-registry). JSON in TEXT.
                """
                CREATE TABLE gw_services (
                    id TEXT PRIMARY KEY,
                    system_id TEXT NOT NULL REFERENCES gw_systems (id),
                    code TEXT NOT NULL,
                    version TEXT NOT NULL,
                    name TEXT NOT NULL,
                    search_text TEXT NOT NULL,
                    description TEXT,
                    purpose TEXT,
                    status TEXT NOT NULL,
                    upstreams TEXT NOT NULL,
                    upstream_auth TEXT NOT NULL,
                    upstream_secret TEXT,
                    documentation TEXT,
                    openapi TEXT,
                    test_collection TEXT,
                    contact TEXT,
                    health TEXT,
                    security_commitment TEXT,
                    timeout_ms INTEGER NOT NULL,
                    max_request_bytes BIGINT NOT NULL,
                    published_at \(types.timestamp),
                    deprecated_at \(types.timestamp),
                    sunset_at \(types.timestamp),
                    successor_version TEXT,
                    retire_notice_at \(types.timestamp),
                    retire_at \(types.timestamp),
                    retire_reason TEXT,
                    retired_at \(types.timestamp),
                    suspended_at \(types.timestamp),
                    suspended_reason TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL,
                    UNIQUE (code, version)
                )
                """,
                "CREATE INDEX gw_services_system ON gw_services (system_id)",
                // Lifecycle changes and notices, visible to consumers (R-7.1b-ops, R-PL01-3.4, 3.5).
                """
                CREATE TABLE gw_service_events (
                    id \(types.identityPrimaryKey),
                    service_id TEXT NOT NULL REFERENCES gw_services (id),
                    event TEXT NOT NULL,
                    from_status TEXT,
                    to_status TEXT,
                    at \(types.timestamp) NOT NULL,
                    actor TEXT NOT NULL,
                    details TEXT NOT NULL
                )
                """,
                "CREATE INDEX gw_service_events_service ON gw_service_events (service_id, id)",
            ]
        },
        Migration("0003_access") { types in
            [
                // A consumer system's request to use a service version in one environment (form Mẫu 02).
                """
                CREATE TABLE gw_access_requests (
                    id TEXT PRIMARY KEY,
                    consumer_system_id TEXT NOT NULL REFERENCES gw_systems (id),
                    service_id TEXT NOT NULL REFERENCES gw_services (id),
                    environment TEXT NOT NULL,
                    purpose TEXT NOT NULL,
                    scope_of_use TEXT NOT NULL,
                    contact TEXT NOT NULL,
                    status TEXT NOT NULL,
                    received_at \(types.timestamp) NOT NULL,
                    deadline_at \(types.timestamp) NOT NULL,
                    decided_at \(types.timestamp),
                    decided_by TEXT,
                    decision_reason TEXT,
                    grant_id TEXT
                )
                """,
                "CREATE INDEX gw_access_requests_service ON gw_access_requests (service_id, status)",
                "CREATE INDEX gw_access_requests_consumer ON gw_access_requests (consumer_system_id, status)",
                // What an approval gives; deny by default: no active grant, no call (R-PL01-3.3).
                """
                CREATE TABLE gw_grants (
                    id TEXT PRIMARY KEY,
                    request_id TEXT NOT NULL REFERENCES gw_access_requests (id),
                    consumer_system_id TEXT NOT NULL REFERENCES gw_systems (id),
                    service_id TEXT NOT NULL REFERENCES gw_services (id),
                    environment TEXT NOT NULL,
                    methods TEXT,
                    paths TEXT,
                    rate_per_second DOUBLE PRECISION,
                    burst INTEGER,
                    daily_quota INTEGER,
                    status TEXT NOT NULL,
                    status_reason TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                // At most one grant that is not revoked per consumer, service version and environment.
                "CREATE UNIQUE INDEX gw_grants_live ON gw_grants (consumer_system_id, service_id, environment) WHERE status <> 'revoked'",
                "CREATE INDEX gw_grants_service ON gw_grants (service_id)",
            ]
        },
        Migration("0004_transactions") { types in
            [
                // Every call through the proxy (R-14.5, R-8.3, R-PL01-4): metadata and digests, never bodies.
                """
                CREATE TABLE gw_transactions (
                    id \(types.identityPrimaryKey),
                    at \(types.timestamp) NOT NULL,
                    day TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    consumer_system_id TEXT,
                    consumer TEXT,
                    provider_system_id TEXT,
                    service_id TEXT,
                    service_code TEXT NOT NULL,
                    version TEXT NOT NULL,
                    environment TEXT,
                    grant_id TEXT,
                    method TEXT NOT NULL,
                    path_template TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    error_type TEXT,
                    latency_ms DOUBLE PRECISION NOT NULL,
                    upstream_ms DOUBLE PRECISION,
                    bytes_in BIGINT NOT NULL,
                    bytes_out BIGINT NOT NULL,
                    request_sha256 TEXT,
                    response_sha256 TEXT
                )
                """,
                "CREATE INDEX gw_transactions_at ON gw_transactions (at)",
                "CREATE INDEX gw_transactions_consumer ON gw_transactions (consumer_system_id, at)",
                "CREATE INDEX gw_transactions_service ON gw_transactions (service_id, at)",
                "CREATE INDEX gw_transactions_grant_day ON gw_transactions (grant_id, day)",
            ]
        },
        Migration("0005_health_checks") { types in
            [
                // Connection status collected from providers' health URLs, kept ≥ 3 months (R-PL01-2.3.2).
                """
                CREATE TABLE gw_health_checks (
                    id \(types.identityPrimaryKey),
                    service_id TEXT NOT NULL REFERENCES gw_services (id),
                    at \(types.timestamp) NOT NULL,
                    outcome TEXT NOT NULL,
                    http_status INTEGER,
                    latency_ms DOUBLE PRECISION NOT NULL,
                    error TEXT
                )
                """,
                "CREATE INDEX gw_health_checks_service ON gw_health_checks (service_id, at)",
                "CREATE INDEX gw_health_checks_at ON gw_health_checks (at)",
                // Each polled service's state: when it is next due (a process claims a probe by moving
                // it on, so two processes never probe the same service twice), its latest check, and how
                // many checks in a row failed or succeeded.
                """
                CREATE TABLE gw_health_state (
                    service_id TEXT PRIMARY KEY REFERENCES gw_services (id),
                    next_due \(types.timestamp) NOT NULL,
                    last_at \(types.timestamp),
                    last_outcome TEXT,
                    last_http_status INTEGER,
                    last_latency_ms DOUBLE PRECISION,
                    last_error TEXT,
                    failures INTEGER NOT NULL,
                    successes INTEGER NOT NULL,
                    at_risk INTEGER NOT NULL
                )
                """,
                "CREATE INDEX gw_health_state_due ON gw_health_state (next_due)",
            ]
        },
    ]
}
