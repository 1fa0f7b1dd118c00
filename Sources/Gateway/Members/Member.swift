import Core
import Foundation

/// A member of the platform: an agency or unit with its electronic identifier (QCVN 102 or Decision 20).
struct Member: Codable, Sendable, Equatable {
    enum Level: String, Codable, Sendable, CaseIterable {
        /// Provincial People's Committee and bodies at that level.
        case province
        /// Departments and equivalent (sở, ban, ngành).
        case department
        /// Communes and wards (xã, phường, đặc khu).
        case commune
        /// Public service units (đơn vị sự nghiệp).
        case unit
        /// Central bodies and others connected to the platform.
        case other
    }

    enum Status: String, Codable, Sendable, CaseIterable {
        case active
        /// Merged into `successors` (one).
        case merged
        /// Split into `successors`.
        case split
        /// Dissolved; its systems went to `successors` (one) or were disabled.
        case dissolved
    }

    struct Contact: Codable, Sendable, Equatable {
        var name: String
        var role: String?
        var email: String?
        var phone: String?
    }

    /// An identifier and name the member carried, and when (R-11.3: the history is kept).
    struct Name: Codable, Sendable, Equatable {
        let identifier: String
        let name: String
        let validFrom: String
        let validTo: String?
        let operation: String
    }

    let id: String
    var identifier: String
    var name: String
    var parentId: String?
    var level: Level
    var contacts: [Contact]
    var status: Status
    var successors: [String]
    let createdAt: String
    var updatedAt: String
    /// Filled on single reads.
    var names: [Name]?
}

/// An information system or database (HTTT/CSDL) of a member.
struct ConnectedSystem: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        case informationSystem = "information-system"
        case database
    }

    enum Status: String, Codable, Sendable {
        case active, disabled
    }

    let id: String
    var memberId: String
    let code: String
    var name: String
    let kind: Kind
    var description: String?
    var status: Status
    /// Environment → SSO client id.
    var clients: [String: String]
    let createdAt: String
    var updatedAt: String
}

/// The environments a system gets credentials for (R-PL01-3.1).
enum Environment: String, Codable, Sendable, CaseIterable {
    case test, production
}
