import Core
import Foundation

/// Who calls the document store, from the verified token: a person (citizen, business or official)
/// through an application, or an agency system.
struct DocStoreActor: Sendable {
    let subject: String
    let client: String
    let agency: String?
    let personalID: String?
    let taxCode: String?
    let scopes: Set<String>
    let requestID: String

    init(_ context: AppRequestContext) {
        let principal = context.principal!
        subject = principal.subject
        client = principal.clientID
        agency = principal.agencyCode
        personalID = principal.personalID
        taxCode = principal.taxCode
        scopes = principal.scopes
        requestID = context.requestID
    }

    init(subject: String, client: String, agency: String?, personalID: String?, taxCode: String?, scopes: Set<String>, requestID: String) {
        self.subject = subject
        self.client = client
        self.agency = agency
        self.personalID = personalID
        self.taxCode = taxCode
        self.scopes = scopes
        self.requestID = requestID
    }

    /// The personal id or tax code the token speaks for (its own records).
    var ownID: String? { personalID ?? taxCode }

    /// An agency's official or system acting for its agency with `scope`.
    func actsForAgency(with scope: String) -> String? {
        scopes.contains(scope) ? agency : nil
    }

    func event(
        _ action: String, type: String, id: String, outcome: AuditOutcome = .success, digests: [String: String] = [:], details: [String: String] = [:]
    ) -> AuditEvent {
        AuditEvent(
            action: action, outcome: outcome, subject: subject, client: client, agency: agency, objectType: type, objectID: id,
            requestID: requestID, digests: digests, details: details
        )
    }

    var uploadCaller: UploadService.Caller {
        UploadService.Caller(subject: subject, client: client, agency: agency, requestID: requestID)
    }
}

/// The document store's scopes.
enum DocStoreScopes {
    static let files = "docstore.files"
    /// Citizens and businesses: file their own dossiers, read them.
    static let dossiersSubmit = "dossiers.submit"
    /// Agencies: receive dossiers (also at the counter for an applicant), read and process their agency's.
    static let dossiersProcess = "dossiers.process"
    /// Agencies: store digitized results, revoke them.
    static let resultsIssue = "results.issue"
    /// Agencies: read citizens' valid results for reuse, stating a purpose.
    static let resultsReuse = "results.reuse"
    /// Citizens and businesses: read their own results.
    static let resultsRead = "results.read"
}

/// An applicant or owner: a citizen by personal id or a business by tax code.
struct Party: Codable, Sendable, Equatable {
    var kind: String
    var id: String
    var name: String?

    static func validated(_ party: Party, pointer: String) throws -> Party {
        var errors: [Problem.FieldError] = []
        var result = party
        switch party.kind {
        case "citizen":
            switch PersonalID.validate(party.id) {
            case .success(let id): result.id = id.value
            case .failure(let error): errors.append(.init(pointer: pointer + "/id", message: error.message))
            }
        case "business":
            switch TaxCode.validate(party.id) {
            case .success(let code): result.id = code.value
            case .failure(let error): errors.append(.init(pointer: pointer + "/id", message: error.message))
            }
        default:
            errors.append(.init(pointer: pointer + "/kind", message: "Loại chủ thể là citizen (công dân) hoặc business (doanh nghiệp)."))
        }
        if let name = party.name, name.count > 200 {
            errors.append(.init(pointer: pointer + "/name", message: "Tên dài quá 200 ký tự."))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return result
    }
}

/// A purpose stated for reading someone's documents: 10–500 characters.
enum Purpose {
    static func required(_ value: String?) throws -> String {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), value.count >= 10, value.count <= 500 else {
            throw Problem.validation([.init(pointer: "/query/purpose", message: "Cần nêu mục đích sử dụng (10–500 ký tự), ví dụ “giải quyết thủ tục 1.001193 cho người nộp”.")])
        }
        return value
    }
}
