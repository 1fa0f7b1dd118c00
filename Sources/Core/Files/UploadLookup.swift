/// Temporary uploads, for modules that accept a file by its upload id (Forms' `x-file` fields).
/// Declared here; the document store implements it, App injects it. Until it does, forms refuse files.
public protocol UploadLookup: Sendable {
    /// The finished upload with that id readable by `owner`, or nil.
    func upload(id: String, owner: String?) async throws -> UploadInfo?
}

/// What a form needs to know about an upload.
public struct UploadInfo: Sendable, Equatable {
    public let id: String
    public let name: String?
    public let mediaType: String?
    public let size: Int64
    public let sha256: String?

    public init(id: String, name: String?, mediaType: String?, size: Int64, sha256: String?) {
        self.id = id
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
    }
}
