/// A subscription: an application's URL that receives catalog changes.
public struct Webhook: Sendable, Codable, Equatable {
    public let id: String
    public var url: String
    /// Catalog keys; empty: every catalog.
    public var catalogs: [String]
    public var description: String?
    public var active: Bool
    /// The registering token could read catalogs that are not open (`catalogs.read`): events about them
    /// are sent too.
    public let closedAccess: Bool
    /// The client that registered it (only it, or an administrator, sees and removes it).
    public let ownerClient: String
    public let ownerSubject: String
    public let createdAt: String

    func wants(_ catalog: String, open: Bool) -> Bool {
        active && (open || closedAccess) && (catalogs.isEmpty || catalogs.contains(catalog))
    }
}

/// One event to one webhook, until acknowledged (2xx) or given up.
public struct WebhookDelivery: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending, delivered, failed
    }

    public let id: Int64
    public let webhookID: String
    public let eventID: String
    public let eventType: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: String
    /// HTTP status of the last answer (nil: no answer).
    public var lastStatus: Int?
    public var lastError: String?
    public let createdAt: String
    public var deliveredAt: String?
}
