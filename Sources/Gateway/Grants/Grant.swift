import Core
import Foundation

/// A consumer system's request to use one service version in one environment, with the fields of form
/// Mẫu 02 (R-11.2, R-PL01-3.3). It is answered within 5 working days; after that it shows as overdue.
struct AccessRequest: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable, CaseIterable {
        case pending, approved, rejected, withdrawn
    }

    let id: String
    let consumerSystemId: String
    let serviceId: String
    let environment: Environment
    let purpose: String
    let scopeOfUse: String
    let contact: Member.Contact
    var status: Status
    let receivedAt: String
    let deadlineAt: String
    var decidedAt: String?
    var decidedBy: String?
    var decisionReason: String?
    var grantId: String?
    /// Still pending after its deadline (computed when read).
    var overdue: Bool
}

/// What an approval gives a consumer: calls to one service version in one environment, optionally only
/// some methods and paths, at a rate (token bucket: `ratePerSecond`, bursts of `burst`) and a daily quota.
/// Deny by default: without an active grant the proxy answers 403.
struct Grant: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable, CaseIterable {
        case active, suspended, revoked
    }

    let id: String
    let requestId: String
    let consumerSystemId: String
    let serviceId: String
    let environment: Environment
    /// Allowed methods (upper case); nil: all.
    var methods: [String]?
    /// Allowed path prefixes below the service's base, matched on whole segments; nil: all.
    var paths: [String]?
    var ratePerSecond: Double?
    var burst: Int?
    /// Calls per day (Vietnam's calendar day).
    var dailyQuota: Int?
    var status: Status
    var statusReason: String?
    let createdAt: String
    var updatedAt: String

    func allows(method: String) -> Bool {
        methods.map { $0.contains(method) || (method == "HEAD" && $0.contains("GET")) } ?? true
    }

    /// `path` is `/`-joined segments after the service base, starting with `/`.
    func allows(path: String) -> Bool {
        guard let paths else { return true }
        return paths.contains { prefix in
            prefix == "/" || path == prefix || path.hasPrefix(prefix.hasSuffix("/") ? prefix : prefix + "/")
        }
    }
}
