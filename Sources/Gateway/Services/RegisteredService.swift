import Core
import Foundation

/// A service a provider system publishes through the gateway (R-7.1a-registry): one version of it.
/// Versions of one `code` live side by side; consumers call `/gw/{code}/{version}/…`.
struct RegisteredService: Codable, Sendable, Equatable {
    /// draft → published → deprecated → retired (R-7.1b-ops).
    enum Status: String, Codable, Sendable, CaseIterable {
        case draft, published, deprecated, retired
    }

    let id: String
    /// The provider system, and its member (filled on reads).
    var systemId: String
    var memberId: String?
    let code: String
    let version: String
    var name: String
    var description: String?
    var purpose: String?
    var status: Status
    /// Environment → upstream base URL.
    var upstreams: [String: String]
    var upstreamAuth: UpstreamAuth
    var documentation: ServiceDocumentation?
    var hasOpenAPI: Bool
    var hasTestCollection: Bool
    var contact: Member.Contact?
    var health: HealthProbe?
    var securityCommitment: SecurityCommitment?
    /// Upstream timeout for one call.
    var timeoutMs: Int
    /// Largest request body a consumer may send.
    var maxRequestBytes: Int64
    var publishedAt: String?
    var deprecatedAt: String?
    /// Deprecated versions keep working until then (R-PL01-3.4).
    var sunsetAt: String?
    var successorVersion: String?
    /// When consumers were told the service will stop, and when it stops (R-PL01-3.5).
    var retireNoticeAt: String?
    var retireAt: String?
    var retireReason: String?
    var retiredAt: String?
    /// Temporarily out of service (maintenance, an incident): calls get 503 until it is resumed.
    var suspendedAt: String?
    var suspendedReason: String?
    let createdAt: String
    var updatedAt: String

    /// How the gateway authenticates to the upstream. The secret is never read back.
    struct UpstreamAuth: Codable, Sendable, Equatable {
        enum Kind: String, Codable, Sendable {
            /// Nothing added.
            case none
            /// A fixed header (`header: value`), e.g. an API key.
            case header
            /// OAuth 2.0 client credentials against the provider's token URL; the token is cached until
            /// shortly before it expires.
            case oauth2
        }

        var kind: Kind
        var header: String?
        var tokenUrl: String?
        var clientId: String?
        var scope: String?
        /// Whether a secret is stored (its value never leaves the platform).
        var hasSecret: Bool

        static let none = UpstreamAuth(kind: .none, header: nil, tokenUrl: nil, clientId: nil, scope: nil, hasSecret: false)
    }

    /// A health URL polled by the platform (R-PL01-2.3.1): level 1 (system) or 2 (service).
    struct HealthProbe: Codable, Sendable, Equatable {
        var url: String
        var level: Int
        var intervalSeconds: Int
    }

    /// The provider's security commitment (form Mẫu 03, R-PL01-3.2).
    struct SecurityCommitment: Codable, Sendable, Equatable {
        var signedBy: String
        var signedAt: String
        var reference: String?
    }
}

/// What R-PL01-3.1-doc asks to be documented for every service.
struct ServiceDocumentation: Codable, Sendable, Equatable {
    /// Authentication mechanism, as the consumer sees it.
    var authentication: String
    var contentType: String
    var operations: [Operation]
    /// The states the service (or its resources) can be in, and what they mean.
    var states: [State]?

    struct Operation: Codable, Sendable, Equatable {
        var method: String
        var path: String
        var summary: String
        var headers: [Header]?
        var requestExample: JSONValue?
        var responseExample: JSONValue?
        var responses: [StatusMeaning]?
    }

    struct Header: Codable, Sendable, Equatable {
        var name: String
        var description: String
        var required: Bool?
    }

    struct StatusMeaning: Codable, Sendable, Equatable {
        var status: Int
        var meaning: String
    }

    struct State: Codable, Sendable, Equatable {
        var name: String
        var meaning: String
    }
}

/// A lifecycle change of a service, as consumers see it in the notices.
struct ServiceEvent: Codable, Sendable, Equatable {
    let serviceId: String
    let event: String
    let fromStatus: String?
    let toStatus: String?
    let at: String
    let actor: String
    let details: JSONValue
}
