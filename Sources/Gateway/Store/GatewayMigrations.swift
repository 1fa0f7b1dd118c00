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
        }
    ]
}
