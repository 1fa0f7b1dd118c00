/// What happened, as a caller reports it to the audit log: who, what, outcome, and digests of any
/// content involved — never the content itself, passwords or tokens.
public struct AuditEvent: Sendable, Equatable, Codable {
    /// The person or system acting: a user's subject id, or nil for the platform itself.
    public var subject: String?
    /// The OAuth client (application) the action came through.
    public var client: String?
    /// The agency's electronic identifier.
    public var agency: String?
    /// Dotted action name, e.g. `gateway.call`, `sso.login`, `system.migrate`.
    public var action: String
    public var objectType: String?
    public var objectID: String?
    public var outcome: AuditOutcome
    public var requestID: String?
    /// Name → `sha256:<hex>` of content that passed (payloads, files).
    public var digests: [String: String]
    /// Small, non-personal facts (status codes, sizes, service names).
    public var details: [String: String]

    public init(
        action: String,
        outcome: AuditOutcome,
        subject: String? = nil,
        client: String? = nil,
        agency: String? = nil,
        objectType: String? = nil,
        objectID: String? = nil,
        requestID: String? = nil,
        digests: [String: String] = [:],
        details: [String: String] = [:]
    ) {
        self.action = action
        self.outcome = outcome
        self.subject = subject
        self.client = client
        self.agency = agency
        self.objectType = objectType
        self.objectID = objectID
        self.requestID = requestID
        self.digests = digests
        self.details = details
    }
}

public enum AuditOutcome: String, Sendable, Codable, CaseIterable {
    case success
    case failure
    /// Refused by access control.
    case denied
}
