import Core

/// The gateway's systems get their client-credentials clients here.
public struct SSOSystemCredentials: SystemCredentials {
    let clients: ClientService

    public init(clients: ClientService) {
        self.clients = clients
    }

    static func actor(_ requestID: String?) -> AdminActor {
        AdminActor(subject: "gateway", client: nil, requestID: requestID)
    }

    public func provision(_ request: SystemClientRequest) async throws -> IssuedCredentials {
        let created = try await clients.create(
            .init(
                clientId: request.clientID, name: request.name, type: .confidential, tokenEndpointAuthMethod: .clientSecretBasic,
                redirectUris: [], postLogoutRedirectUris: [], grantTypes: [.clientCredentials], scopes: request.scopes,
                agencyCode: request.agencyCode
            ),
            by: Self.actor(request.requestID)
        )
        return IssuedCredentials(clientId: created.client.id, clientSecret: created.clientSecret ?? "")
    }

    public func rotateSecret(clientID: String, requestID: String?) async throws -> IssuedCredentials {
        let rotated = try await clients.rotateSecret(clientID, by: Self.actor(requestID))
        return IssuedCredentials(clientId: clientID, clientSecret: rotated.clientSecret ?? "")
    }

    public func setDisabled(clientID: String, _ disabled: Bool, requestID: String?) async throws {
        _ = try await clients.update(clientID, .init(disabled: disabled), by: Self.actor(requestID))
    }

    public func setAgency(clientID: String, agencyCode: String, requestID: String?) async throws {
        _ = try await clients.update(clientID, .init(agencyCode: agencyCode), by: Self.actor(requestID))
    }
}
