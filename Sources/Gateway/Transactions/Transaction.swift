import Foundation

/// One call through the proxy as the transaction log keeps it (R-14.5, R-8.3, R-PL01-4): who called what,
/// when, how it went, how long, how many bytes, and the SHA-256 of each body — never a body itself.
struct Transaction: Codable, Sendable, Equatable {
    var id: Int64?
    let at: String
    /// Vietnam calendar day of `at` (quotas and statistics count by it).
    let day: String
    let requestId: String
    var consumerSystemId: String?
    /// The consumer's member identifier and system code, `000.00.32.H49/benh-an`.
    var consumer: String?
    var providerSystemId: String?
    var serviceId: String?
    let serviceCode: String
    let version: String
    var environment: String?
    var grantId: String?
    let method: String
    /// The path with its values replaced by the OpenAPI template (`/records/{id}`) or `{…}`.
    var pathTemplate: String
    var status: Int
    /// Why the gateway answered itself, or what failed: `no-grant`, `rate-limited`, `upstream-timeout`…
    var errorType: String?
    var latencyMs: Double
    /// Time to the upstream's response head, when it was called.
    var upstreamMs: Double?
    var bytesIn: Int64
    var bytesOut: Int64
    var requestSha256: String?
    var responseSha256: String?

    /// Whether the upstream was called (what the daily quota counts).
    var forwarded: Bool { upstreamMs != nil }
}
