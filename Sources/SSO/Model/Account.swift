import Core
import Foundation

/// A person who signs in: a citizen or business (identified by a personal id or a tax code), or an
/// official (a username, an agency and roles).
public struct Account: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case citizen
        case official
    }

    /// Stable and opaque: the `sub` of every token.
    public let id: String
    public var kind: Kind
    /// What the person types to sign in: an official's username, a citizen's personal id or tax code.
    public var username: String
    public var personalID: String?
    public var taxCode: String?
    public var name: String
    public var email: String?
    public var agencyCode: String?
    public var roles: [String]
    public var totpRequired: Bool
    public var hasTOTP: Bool
    public var disabled: Bool
    public var createdAt: String
    public var updatedAt: String
    public var passwordChangedAt: String

    enum CodingKeys: String, CodingKey {
        case id, kind, username, personalID = "personalId", taxCode, name, email, agencyCode, roles, totpRequired, hasTOTP = "hasTotp"
        case disabled, createdAt, updatedAt, passwordChangedAt
    }
}
