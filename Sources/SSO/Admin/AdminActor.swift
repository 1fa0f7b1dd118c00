import Core

/// Who makes an administrative change, for the audit log: a token's subject and client, or the CLI.
public struct AdminActor: Sendable {
    public let subject: String?
    public let client: String?
    public let requestID: String?

    public init(subject: String?, client: String?, requestID: String?) {
        self.subject = subject
        self.client = client
        self.requestID = requestID
    }

    /// An operator at the `lgsp` command line.
    public static let commandLine = AdminActor(subject: "cli", client: nil, requestID: nil)

    init(_ context: AppRequestContext) {
        self.init(subject: context.principal?.subject, client: context.principal?.clientID, requestID: context.requestID)
    }

    func event(_ action: String, type: String, id: String, details: [String: String] = [:]) -> AuditEvent {
        AuditEvent(action: action, outcome: .success, subject: subject, client: client, objectType: type, objectID: id, requestID: requestID, details: details)
    }
}
