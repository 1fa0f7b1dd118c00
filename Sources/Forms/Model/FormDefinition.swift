import Core

/// A form (biểu mẫu): who owns it, which procedure it serves. Its content lives in versions.
public struct FormInfo: Sendable, Codable, Equatable {
    public var key: String
    public var title: String
    public var procedureCode: String?
    /// Electronic identifier of the owning agency; its officials review the submissions.
    public var ownerAgency: String
    public var description: String?
    public var createdAt: String
    public var updatedAt: String

    /// Lower-case ASCII letters, digits and hyphens, 2–64 characters, starting with a letter.
    static func isValidKey(_ key: String) -> Bool {
        (2...64).contains(key.utf8.count) && key.utf8.first.map { (0x61...0x7A).contains($0) } == true
            && key.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
    }
}

public enum FormVersionStatus: String, Sendable, Codable {
    case draft, published, retired
}

/// One version of a form: its JSON Schema (with platform keywords and hints). Published versions never
/// change; a submission names the version it was validated against.
public struct FormVersion: Sendable, Codable, Equatable {
    public var formKey: String
    public var number: Int
    public var status: FormVersionStatus
    public var schema: JSONValue
    public var schemaHash: String
    public var note: String?
    public var createdAt: String
    public var createdBy: String?
    public var publishedAt: String?
    public var retiredAt: String?
}

/// Who submitted: a person signed in through an application, or an agency system.
public struct Submitter: Sendable, Codable, Equatable {
    public var kind: String
    public var subject: String
    public var client: String
    public var agency: String?
}

public enum SubmissionStatus: String, Sendable, Codable, CaseIterable {
    case received, processing, accepted, rejected
}

/// A stored submission: the data exactly as validated, with the version it was validated against.
public struct FormSubmission: Sendable, Codable, Equatable {
    public var id: String
    public var formKey: String
    public var version: Int
    public var submitter: Submitter
    public var ownerAgency: String
    public var status: SubmissionStatus
    public var data: JSONValue
    public var dataHash: String
    public var submittedAt: String
    public var updatedAt: String
}
