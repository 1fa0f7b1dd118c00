import Core

/// The SSO module's tables. Secrets are never stored in the clear: opaque tokens and codes as SHA-256,
/// client secrets as an HMAC, passwords as bcrypt, private keys and TOTP secrets sealed with a key
/// derived from the master key.
enum SSOMigrations {
    static let all: [Migration] = [
        Migration("0001_create_sso_tables") { types in
            [
                """
                CREATE TABLE sso_keys (
                    kid TEXT PRIMARY KEY,
                    alg TEXT NOT NULL,
                    public_jwk TEXT NOT NULL,
                    private_key TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
                    created_at \(types.timestamp) NOT NULL,
                    retired_at \(types.timestamp),
                    publish_until \(types.timestamp)
                )
                """,
                """
                CREATE TABLE sso_users (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'official')),
                    username TEXT NOT NULL UNIQUE,
                    personal_id TEXT UNIQUE,
                    tax_code TEXT UNIQUE,
                    name TEXT NOT NULL,
                    email TEXT,
                    agency_code TEXT,
                    roles TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    password_changed_at \(types.timestamp) NOT NULL,
                    totp_secret TEXT,
                    totp_required BOOLEAN NOT NULL,
                    totp_last_step BIGINT,
                    disabled BOOLEAN NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                """
                CREATE TABLE sso_login_failures (
                    identifier TEXT PRIMARY KEY,
                    failures INTEGER NOT NULL,
                    lockouts INTEGER NOT NULL,
                    locked_until \(types.timestamp),
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                """
                CREATE TABLE sso_clients (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('public', 'confidential')),
                    auth_method TEXT NOT NULL,
                    secret_hash TEXT,
                    jwks TEXT,
                    redirect_uris TEXT NOT NULL,
                    post_logout_redirect_uris TEXT NOT NULL,
                    grant_types TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    agency_code TEXT,
                    disabled BOOLEAN NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    updated_at \(types.timestamp) NOT NULL
                )
                """,
                """
                CREATE TABLE sso_sessions (
                    id_hash TEXT PRIMARY KEY,
                    sid TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES sso_users (id),
                    auth_time \(types.timestamp) NOT NULL,
                    amr TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    last_seen_at \(types.timestamp) NOT NULL,
                    expires_at \(types.timestamp) NOT NULL,
                    ended_at \(types.timestamp)
                )
                """,
                "CREATE INDEX sso_sessions_user ON sso_sessions (user_id)",
                """
                CREATE TABLE sso_auth_requests (
                    id TEXT PRIMARY KEY,
                    csrf_hash TEXT NOT NULL,
                    client_id TEXT NOT NULL REFERENCES sso_clients (id),
                    redirect_uri TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    state TEXT,
                    nonce TEXT,
                    code_challenge TEXT,
                    code_challenge_method TEXT,
                    login_hint TEXT,
                    pending_user_id TEXT,
                    created_at \(types.timestamp) NOT NULL,
                    expires_at \(types.timestamp) NOT NULL
                )
                """,
                """
                CREATE TABLE sso_codes (
                    code_hash TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    sid TEXT NOT NULL,
                    redirect_uri TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    nonce TEXT,
                    code_challenge TEXT,
                    code_challenge_method TEXT,
                    auth_time \(types.timestamp) NOT NULL,
                    amr TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    expires_at \(types.timestamp) NOT NULL,
                    used_at \(types.timestamp),
                    family_id TEXT,
                    access_jti TEXT
                )
                """,
                """
                CREATE TABLE sso_refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    family_id TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    sid TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    auth_time \(types.timestamp) NOT NULL,
                    amr TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    expires_at \(types.timestamp) NOT NULL,
                    family_expires_at \(types.timestamp) NOT NULL,
                    used_at \(types.timestamp),
                    revoked_at \(types.timestamp)
                )
                """,
                "CREATE INDEX sso_refresh_tokens_family ON sso_refresh_tokens (family_id)",
                """
                CREATE TABLE sso_revocations (
                    kind TEXT NOT NULL CHECK (kind IN ('jti', 'family', 'session')),
                    value TEXT NOT NULL,
                    expires_at \(types.timestamp) NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    PRIMARY KEY (kind, value)
                )
                """,
                "CREATE INDEX sso_revocations_created ON sso_revocations (created_at)",
                """
                CREATE TABLE sso_client_assertions (
                    jti_hash TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    expires_at \(types.timestamp) NOT NULL
                )
                """,
            ]
        },
        Migration("0002_identity_brokering") { types in
            [
                """
                CREATE TABLE sso_broker_states (
                    state_hash TEXT PRIMARY KEY,
                    provider TEXT NOT NULL,
                    auth_request_id TEXT NOT NULL,
                    browser_hash TEXT NOT NULL,
                    nonce TEXT NOT NULL,
                    code_verifier TEXT NOT NULL,
                    created_at \(types.timestamp) NOT NULL,
                    expires_at \(types.timestamp) NOT NULL,
                    used_at \(types.timestamp)
                )
                """,
                """
                CREATE TABLE sso_identity_links (
                    provider TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    account_id TEXT NOT NULL REFERENCES sso_users (id),
                    personal_id TEXT NOT NULL,
                    linked_at \(types.timestamp) NOT NULL,
                    last_login_at \(types.timestamp) NOT NULL,
                    PRIMARY KEY (provider, subject)
                )
                """,
                "CREATE INDEX sso_identity_links_account ON sso_identity_links (account_id)",
                "ALTER TABLE sso_sessions ADD COLUMN idp TEXT",
                "ALTER TABLE sso_sessions ADD COLUMN idp_sid TEXT",
            ]
        },
    ]
}
