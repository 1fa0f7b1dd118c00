import Core
import Foundation

/// A dossier (hồ sơ) as the API shows it.
struct Dossier: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable, CaseIterable {
        case received, processing
        case supplementRequested = "supplement_requested"
        case done, rejected, returned

        /// The statuses a dossier may move to from this one.
        var next: Set<Status> {
            switch self {
            case .received: return [.processing, .supplementRequested, .rejected]
            case .processing: return [.supplementRequested, .done, .rejected]
            case .supplementRequested: return [.processing, .rejected]
            case .done, .rejected: return [.returned]
            case .returned: return []
            }
        }

        var label: String {
            switch self {
            case .received: return "Đã tiếp nhận"
            case .processing: return "Đang xử lý"
            case .supplementRequested: return "Yêu cầu bổ sung"
            case .done: return "Đã giải quyết"
            case .rejected: return "Từ chối"
            case .returned: return "Đã trả kết quả"
            }
        }
    }

    struct Component: Codable, Sendable, Equatable {
        let position: Int
        let code: String?
        let name: String
        let fileName: String?
        let mediaType: String?
        let size: Int64
        let sha256: String
        /// The form field it came from (JSON Pointer), for dossiers made from a submission.
        let field: String?
    }

    struct Event: Codable, Sendable, Equatable {
        let status: Status
        let note: String?
        let at: String
        let actor: Actor

        struct Actor: Codable, Sendable, Equatable {
            let subject: String
            let client: String
            let agency: String?
        }
    }

    let id: String
    let code: String
    let procedureCode: String
    let procedureName: String?
    let applicant: Party
    let receivingAgency: String
    let submissionId: String?
    let formKey: String?
    var status: Status
    let receivedAt: String
    var updatedAt: String
    var components: [Component]
    var history: [Event]
}
