/// Form submissions, for the document store: a dossier made from a submission takes its files as
/// components. Declared here; Forms implements it, App injects it.
public protocol SubmissionLookup: Sendable {
    /// The submission with that id, or nil.
    func submission(id: String) async throws -> SubmissionInfo?
}

/// What the document store needs to know about a submission.
public struct SubmissionInfo: Sendable, Equatable {
    public let id: String
    public let formKey: String
    public let formVersion: Int
    /// The administrative procedure the form belongs to, when the form says.
    public let procedureCode: String?
    public let ownerAgency: String
    /// The token subject and client that submitted it.
    public let submitterSubject: String
    public let submitterClient: String
    /// The submitter's agency: an official's or an agency system's (nil for citizens and businesses).
    public let submitterAgency: String?
    public let dataHash: String
    /// Each `x-file` value of the submission: where in the data, the field's label, the upload id.
    public let files: [SubmittedFile]

    public init(
        id: String, formKey: String, formVersion: Int, procedureCode: String?, ownerAgency: String, submitterSubject: String,
        submitterClient: String, submitterAgency: String?, dataHash: String, files: [SubmittedFile]
    ) {
        self.id = id
        self.formKey = formKey
        self.formVersion = formVersion
        self.procedureCode = procedureCode
        self.ownerAgency = ownerAgency
        self.submitterSubject = submitterSubject
        self.submitterClient = submitterClient
        self.submitterAgency = submitterAgency
        self.dataHash = dataHash
        self.files = files
    }
}

public struct SubmittedFile: Sendable, Equatable {
    public let pointer: String
    public let label: String?
    public let uploadID: String

    public init(pointer: String, label: String?, uploadID: String) {
        self.pointer = pointer
        self.label = label
        self.uploadID = uploadID
    }
}
