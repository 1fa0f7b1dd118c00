import Core

/// Who changes a catalog, for the audit log: a token's subject and client, the command line, or the
/// platform itself (seed loading, scheduled synchronization).
public struct CatalogActor: Sendable {
    public let subject: String?
    public let client: String?
    public let requestID: String?

    public init(subject: String?, client: String?, requestID: String?) {
        self.subject = subject
        self.client = client
        self.requestID = requestID
    }

    public static let commandLine = CatalogActor(subject: "cli", client: nil, requestID: nil)
    public static let platform = CatalogActor(subject: nil, client: nil, requestID: nil)

    init(_ context: AppRequestContext) {
        self.init(subject: context.principal?.subject, client: context.principal?.clientID, requestID: context.requestID)
    }

    var name: String { subject ?? "system" }

    func event(
        _ action: String, outcome: AuditOutcome = .success, type: String, id: String, digests: [String: String] = [:],
        details: [String: String] = [:]
    ) -> AuditEvent {
        AuditEvent(
            action: action, outcome: outcome, subject: subject, client: client, objectType: type, objectID: id, requestID: requestID,
            digests: digests, details: details
        )
    }
}
