import Core
import Foundation
import SQLKit

/// Webhooks and their deliveries in `cat_webhooks` / `cat_deliveries`. Deliveries are queued in the same
/// transaction as the change they announce (an outbox): a publish that rolls back announces nothing, one
/// that commits is announced even if the process stops right after.
struct WebhookOutbox: Sendable {
    let database: Database
    let masterKey: MasterKey

    static let secretPurpose = "catalogs.webhook-secret"

    // MARK: Webhooks

    static let columns = "id, url, catalogs, owner_client, owner_subject, description, active, closed_access, created_at"

    func webhooks(ownerClient: String? = nil) async throws -> [Webhook] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM cat_webhooks")
        if let ownerClient { query = query + " WHERE owner_client = \(bind: ownerClient)" }
        return try await database.sql.raw(query + " ORDER BY created_at, id").all().map(Self.webhook(from:))
    }

    func webhook(_ id: String) async throws -> Webhook? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM cat_webhooks WHERE id = \(bind: id)").first().map(Self.webhook(from:))
    }

    /// Stores a webhook with its secret sealed under the master key.
    func insert(_ webhook: Webhook, secret: Data, _ sql: any SQLDatabase) async throws {
        let sealed = try masterKey.seal(secret, purpose: Self.secretPurpose)
        try await sql.raw(
            """
            INSERT INTO cat_webhooks (id, url, catalogs, secret_sealed, owner_client, owner_subject, description, active, closed_access, created_at)
            VALUES (\(bind: webhook.id), \(bind: webhook.url), \(bind: CatalogStore.json(webhook.catalogs)), \(bind: sealed),
                \(bind: webhook.ownerClient), \(bind: webhook.ownerSubject), \(bind: webhook.description), \(bind: webhook.active),
                \(bind: webhook.closedAccess), \(bind: webhook.createdAt))
            """
        ).run()
    }

    func setActive(_ id: String, _ active: Bool, _ sql: (any SQLDatabase)? = nil) async throws {
        try await (sql ?? database.sql).raw("UPDATE cat_webhooks SET active = \(bind: active) WHERE id = \(bind: id)").run()
    }

    func delete(_ id: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM cat_deliveries WHERE webhook_id = \(bind: id)").run()
        try await sql.raw("DELETE FROM cat_webhooks WHERE id = \(bind: id)").run()
    }

    func secret(of id: String) async throws -> Data? {
        guard let row = try await database.sql.raw("SELECT secret_sealed FROM cat_webhooks WHERE id = \(bind: id)").first() else { return nil }
        return try masterKey.open(try row.decode(column: "secret_sealed", as: String.self), purpose: Self.secretPurpose)
    }

    static func webhook(from row: any SQLRow) throws -> Webhook {
        Webhook(
            id: try row.decode(column: "id", as: String.self),
            url: try row.decode(column: "url", as: String.self),
            catalogs: try CatalogStore.parse([String].self, try row.decode(column: "catalogs", as: String.self)),
            description: try row.decode(column: "description", as: String?.self),
            active: try row.decode(column: "active", as: Bool.self),
            closedAccess: try row.decode(column: "closed_access", as: Bool.self),
            ownerClient: try row.decode(column: "owner_client", as: String.self),
            ownerSubject: try row.decode(column: "owner_subject", as: String.self),
            createdAt: try row.decode(column: "created_at", as: String.self)
        )
    }

    // MARK: Deliveries

    /// Queues `event` for every active webhook that wants its catalog (in the caller's transaction).
    func enqueue(_ event: WebhookEvent, open: Bool, _ sql: any SQLDatabase) async throws {
        let hooks = try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM cat_webhooks WHERE active = \(bind: true)").all()
            .map(Self.webhook(from:)).filter { $0.wants(event.catalog, open: open) }
        guard !hooks.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = String(decoding: try encoder.encode(event), as: UTF8.self)
        let now = Timestamp.now()
        for hook in hooks {
            try await sql.raw(
                """
                INSERT INTO cat_deliveries (webhook_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
                VALUES (\(bind: hook.id), \(bind: event.id), \(bind: event.type), \(bind: payload), 'pending', 0, \(bind: now), \(bind: now))
                """
            ).run()
        }
    }

    static let deliveryColumns = "id, webhook_id, event_id, event_type, status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at"

    func deliveries(webhook id: String, limit: Int) async throws -> [WebhookDelivery] {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.deliveryColumns) FROM cat_deliveries WHERE webhook_id = \(bind: id) ORDER BY id DESC LIMIT \(bind: limit)"
        ).all().map(Self.delivery(from:))
    }

    struct Due: Sendable {
        let delivery: WebhookDelivery
        let payload: String
        let url: String
    }

    /// Claims up to `limit` due deliveries: each is leased (its next attempt pushed `lease` ahead) with a
    /// compare-and-set, so two processes never send the same attempt.
    func claimDue(limit: Int, lease: Duration) async throws -> [Due] {
        let now = Timestamp.now()
        let rows = try await database.sql.raw(
            """
            SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error,
                d.created_at, d.delivered_at, d.payload, w.url
            FROM cat_deliveries d JOIN cat_webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= \(bind: now) AND w.active = \(bind: true)
            ORDER BY d.next_attempt_at LIMIT \(bind: limit)
            """
        ).all()
        var claimed: [Due] = []
        let leasedUntil = Timestamp.string(from: Date().addingTimeInterval(Double(lease.components.seconds)))
        for row in rows {
            let delivery = try Self.delivery(from: row)
            let updated = try await database.sql.raw(
                """
                UPDATE cat_deliveries SET next_attempt_at = \(bind: leasedUntil)
                WHERE id = \(bind: delivery.id) AND status = 'pending' AND next_attempt_at = \(bind: delivery.nextAttemptAt)
                RETURNING id
                """
            ).all()
            if !updated.isEmpty {
                claimed.append(Due(delivery: delivery, payload: try row.decode(column: "payload", as: String.self), url: try row.decode(column: "url", as: String.self)))
            }
        }
        return claimed
    }

    func record(_ delivery: WebhookDelivery) async throws {
        try await database.sql.raw(
            """
            UPDATE cat_deliveries SET status = \(bind: delivery.status.rawValue), attempts = \(bind: delivery.attempts),
                next_attempt_at = \(bind: delivery.nextAttemptAt), last_status = \(bind: delivery.lastStatus), last_error = \(bind: delivery.lastError),
                delivered_at = \(bind: delivery.deliveredAt)
            WHERE id = \(bind: delivery.id)
            """
        ).run()
    }

    /// Queues a failed delivery again, now.
    func retry(delivery id: Int64, webhook: String) async throws -> Bool {
        let rows = try await database.sql.raw(
            """
            UPDATE cat_deliveries SET status = 'pending', next_attempt_at = \(bind: Timestamp.now())
            WHERE id = \(bind: id) AND webhook_id = \(bind: webhook) AND status = 'failed'
            RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    static func delivery(from row: any SQLRow) throws -> WebhookDelivery {
        let statusText = try row.decode(column: "status", as: String.self)
        return WebhookDelivery(
            id: try row.decode(column: "id", as: Int64.self),
            webhookID: try row.decode(column: "webhook_id", as: String.self),
            eventID: try row.decode(column: "event_id", as: String.self),
            eventType: try row.decode(column: "event_type", as: String.self),
            status: WebhookDelivery.Status(rawValue: statusText) ?? .failed,
            attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: try row.decode(column: "next_attempt_at", as: String.self),
            lastStatus: try row.decode(column: "last_status", as: Int?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            deliveredAt: try row.decode(column: "delivered_at", as: String?.self)
        )
    }
}
