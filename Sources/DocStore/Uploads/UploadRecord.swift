import Core
import Foundation

/// A temporary upload as stored in `doc_uploads`.
struct UploadRecord: Sendable, Equatable {
    enum Status: String, Sendable {
        /// Bytes still arriving.
        case open
        /// Every byte arrived; the content is in the content store under `digest`.
        case complete
    }

    var id: String
    /// The subject of the token that created it (a person's id, or a client's for agency systems).
    var owner: String
    var ownerClient: String
    var ownerAgency: String?
    var name: String?
    var mediaType: String?
    /// The `Upload-Metadata` header as received (returned on `HEAD`).
    var metadata: String
    /// nil while deferred (`Upload-Defer-Length`).
    var length: Int64?
    var received: Int64
    var declaredSHA256: String?
    var status: Status
    var wrappedKey: WrappedKey
    /// The last partial segment, sealed (base64), while open.
    var tail: String?
    var digest: String?
    /// What used the upload (`dossier:…`, `result:…`), once used.
    var consumedBy: String?
    var createdAt: String
    var updatedAt: String
    var expiresAt: String
    var completedAt: String?

    /// The upload's id is also the context its data key is wrapped with.
    var keyContext: String { id }
}

/// What `GET /api/v1/files/{id}/metadata` and the plain upload answer.
struct FileInfo: Codable, Sendable, Equatable {
    let id: String
    let name: String?
    let mediaType: String?
    let status: String
    let length: Int64?
    let received: Int64
    let size: Int64?
    let sha256: String?
    let createdAt: String
    let expiresAt: String
    let completedAt: String?
    let consumedBy: String?

    init(_ record: UploadRecord) {
        id = record.id
        name = record.name
        mediaType = record.mediaType
        status = record.status.rawValue
        length = record.length
        received = record.received
        size = record.status == .complete ? record.received : nil
        sha256 = record.digest
        createdAt = record.createdAt
        expiresAt = record.expiresAt
        completedAt = record.completedAt
        consumedBy = record.consumedBy
    }
}

/// A permanent content entry (`doc_contents`).
struct ContentRecord: Sendable, Equatable {
    let digest: String
    let size: Int64
    /// Relative to the content folder.
    let file: String
    let wrappedKey: WrappedKey
    let keyContext: String
}
