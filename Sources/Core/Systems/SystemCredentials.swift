/// SSO client credentials for the information systems connected through the gateway: one confidential
/// client-credentials client per system and environment (R-PL01-3.1). Declared here; SSO implements it,
/// App injects it into the gateway.
public protocol SystemCredentials: Sendable {
    /// Creates the client; the secret is returned here once and never again.
    func provision(_ request: SystemClientRequest) async throws -> IssuedCredentials
    /// A new secret for the client (the old one stops working at once).
    func rotateSecret(clientID: String, requestID: String?) async throws -> IssuedCredentials
    /// Turns the client off (or on again): its tokens stop being issued.
    func setDisabled(clientID: String, _ disabled: Bool, requestID: String?) async throws
    /// Moves the client to another agency (restructuring): tokens issued afterwards carry the new code.
    func setAgency(clientID: String, agencyCode: String, requestID: String?) async throws
}

public struct SystemClientRequest: Sendable, Equatable {
    public let clientID: String
    public let name: String
    public let agencyCode: String
    public let scopes: [String]
    public let requestID: String?

    public init(clientID: String, name: String, agencyCode: String, scopes: [String], requestID: String?) {
        self.clientID = clientID
        self.name = name
        self.agencyCode = agencyCode
        self.scopes = scopes
        self.requestID = requestID
    }
}

public struct IssuedCredentials: Sendable, Equatable, Codable {
    public let clientId: String
    public let clientSecret: String

    public init(clientId: String, clientSecret: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }
}
