import Core
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFileSystem
import SQLKit

/// Temporary uploads: created, appended to (tus `PATCH` or one plain `POST`), completed into permanent
/// content, read, terminated, and swept when they expire.
///
/// Durability: a request's bytes are sealed into segments and appended to the upload's file, the file
/// is fsynced, and only then is the new offset committed with the last partial segment (`tail`) in
/// the same row. Whatever a crash leaves in the file past the committed offset is cut off by the next
/// append, so the offset a client reads with `HEAD` always has every byte behind it.
public final class UploadService: Sendable {
    let database: Database
    let store: UploadStore
    let files: ContentFiles
    let keys: DataKeyWrapper
    let audit: AuditLog
    let settings: DocStoreSettings
    let logger = Logger(label: "lgsp.docstore")
    /// Uploads a request is writing to (one writer per upload in this process).
    private let writing = NIOLockedValueBox<Set<String>>([])
    /// The whole-file SHA-256 so far of open uploads, so an append does not re-read what came before.
    /// Lost on restart: the first append after it re-reads the file once.
    private let hashes = NIOLockedValueBox<[String: (received: Int64, hasher: SHA256)]>([:])

    init(database: Database, files: ContentFiles, keys: DataKeyWrapper, audit: AuditLog, settings: DocStoreSettings) {
        self.database = database
        self.store = UploadStore(database: database)
        self.files = files
        self.keys = keys
        self.audit = audit
        self.settings = settings
    }

    /// The document store's uploads over the platform's database, audit log and `<data-dir>/docstore`.
    public static func make(services: PlatformServices) async throws -> UploadService {
        let configuration = services.configuration
        return UploadService(
            database: services.database, files: try await ContentFiles(root: configuration.docStoreDirectory),
            keys: DataKeyWrapper(configuration: configuration, masterKey: services.masterKey), audit: services.audit, settings: configuration.docStore
        )
    }

    /// Who is uploading or reading.
    struct Caller: Sendable {
        let subject: String
        let client: String
        let agency: String?
        let requestID: String

        func event(_ action: String, id: String, outcome: AuditOutcome = .success, digests: [String: String] = [:], details: [String: String] = [:]) -> AuditEvent {
            AuditEvent(
                action: action, outcome: outcome, subject: subject, client: client, agency: agency, objectType: "upload", objectID: id,
                requestID: requestID, digests: digests, details: details
            )
        }
    }

    var maxSize: Int64 { Int64(settings.uploadMaxSize.bytes) }

    func expiry(from date: Date = Date()) -> String {
        Timestamp.string(from: date.addingTimeInterval(Double(settings.uploadExpiry.duration.components.seconds)))
    }

    // MARK: - Create

    func create(length: Int64?, metadata: UploadMetadata, by caller: Caller) async throws -> UploadRecord {
        if let length {
            guard length >= 0 else { throw Problem(.badRequest, detail: "Upload-Length phải là số nguyên không âm.") }
            guard length <= maxSize else {
                throw Problem(.contentTooLarge, detail: "Tệp \(length) byte vượt quá giới hạn \(maxSize) byte (Tus-Max-Size).", extensions: ["limit": String(maxSize)])
            }
        }
        let id = Self.newID()
        let (_, wrapped) = try keys.newDataKey(context: id)
        let now = Timestamp.now()
        let record = UploadRecord(
            id: id, owner: caller.subject, ownerClient: caller.client, ownerAgency: caller.agency, name: metadata.name,
            mediaType: metadata.mediaType, metadata: metadata.raw, length: length, received: 0, declaredSHA256: metadata.declaredSHA256,
            status: .open, wrappedKey: wrapped, tail: nil, digest: nil, consumedBy: nil, createdAt: now, updatedAt: now,
            expiresAt: expiry(), completedAt: nil
        )
        try await files.createUploadFile(id)
        do {
            try await store.insert(record, database.sql)
        } catch {
            await files.removeUploadFile(id)
            throw error
        }
        return record
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }

    // MARK: - Read

    /// The upload if `caller` owns it and it has not expired; otherwise 404 (someone else's upload is
    /// indistinguishable from none) or 410.
    func owned(_ id: String, by subject: String) async throws -> UploadRecord {
        guard Self.isID(id), let record = try await store.upload(id), record.owner == subject else {
            throw Problem.notFound("Không có tệp tải lên “\(id)”.")
        }
        guard record.expiresAt > Timestamp.now() else {
            throw Problem(.gone, detail: "Tệp tải lên “\(id)” đã hết hạn.")
        }
        return record
    }

    static func isID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The content of a complete upload.
    func content(of record: UploadRecord) async throws -> ContentRecord {
        guard record.status == .complete, let digest = record.digest, let content = try await store.content(digest) else {
            throw Problem(.conflict, detail: "Tệp “\(record.id)” chưa tải lên xong (đã nhận \(record.received) byte).")
        }
        return content
    }

    /// Streams bytes `range` of stored content.
    func stream(_ content: ContentRecord, range: Range<Int64>, _ write: (ByteBuffer) async throws -> Void) async throws {
        let key = try keys.unwrap(content.wrappedKey, context: content.keyContext)
        try await files.stream(files.contentPath(content.file), cipher: SegmentCipher(key: key), size: content.size, range: range, write)
    }

    // MARK: - Append

    /// Appends a request body at `offset`. Returns the upload as acknowledged. A body cut off by the client
    /// keeps what arrived (tus), unless a checksum was sent for it (then nothing of it is kept).
    func append(
        _ id: String, offset: Int64, declaredLength: Int64?, checksum: ChunkChecksum?, by caller: Caller,
        body: some AsyncSequence<ByteBuffer, any Error>, keepInterrupted: Bool = true
    ) async throws -> UploadRecord {
        guard writing.withLockedValue({ $0.insert(id).inserted }) else {
            throw Problem(.conflict, detail: "Tệp “\(id)” đang được ghi bởi một yêu cầu khác.")
        }
        defer { _ = writing.withLockedValue { $0.remove(id) } }

        var record = try await owned(id, by: caller.subject)
        guard record.status == .open else {
            throw Problem(.conflict, detail: "Tệp “\(id)” đã tải lên xong.", extensions: ["offset": String(record.received)])
        }
        guard offset == record.received else {
            throw Problem(.conflict, detail: "Upload-Offset \(offset) không khớp vị trí đã nhận \(record.received).", extensions: ["offset": String(record.received)])
        }
        if let declaredLength {
            if let length = record.length, length != declaredLength {
                throw Problem(.badRequest, detail: "Upload-Length đã được đặt là \(length), không đổi được.")
            }
            guard declaredLength >= record.received, declaredLength <= maxSize else {
                throw Problem(.contentTooLarge, detail: "Upload-Length \(declaredLength) không hợp lệ (đã nhận \(record.received), tối đa \(maxSize) byte).", extensions: ["limit": String(maxSize)])
            }
            record.length = declaredLength
        }

        let cipher = SegmentCipher(key: try keys.unwrap(record.wrappedKey, context: record.keyContext))
        let plainSize = Int64(SegmentCipher.plainSize)
        let start = record.received
        let segment = start / plainSize
        var pending = ByteBuffer()
        if let tail = record.tail {
            guard let sealed = Data(base64Encoded: tail) else { throw SegmentError.truncated }
            pending = try cipher.open(ByteBuffer(bytes: sealed), index: segment)
            guard Int64(pending.readableBytes) == start % plainSize else { throw SegmentError.truncated }
        }
        let hasher = try await hashState(record, cipher: cipher, segments: segment, tail: pending)

        let handle = try await files.openUploadForAppend(id, sealedLength: segment * Int64(SegmentCipher.sealedSize))
        var sealer = UploadSealer(
            cipher: cipher, handle: handle, segment: segment, pending: pending, hasher: hasher,
            running: checksum.map { ChunkChecksum.Running(algorithm: $0.algorithm) }
        )
        var arrived: Int64 = 0
        do {
            // Batches go to the sealer while the next one arrives; one batch is sealed at a time.
            try await withThrowingTaskGroup(of: UploadSealer.self) { group in
                var batch: [ByteBuffer] = []
                var batchBytes = 0
                var sealing = false
                do {
                    for try await chunk in body {
                        arrived += Int64(chunk.readableBytes)
                        if let length = record.length, start + arrived > length {
                            throw Problem(.contentTooLarge, detail: "Nội dung vượt quá Upload-Length \(length) byte.", extensions: ["limit": String(length)])
                        }
                        if record.length == nil, start + arrived > maxSize {
                            throw Problem(.contentTooLarge, detail: "Tệp vượt quá giới hạn \(maxSize) byte.", extensions: ["limit": String(maxSize)])
                        }
                        batch.append(chunk)
                        batchBytes += chunk.readableBytes
                        if batchBytes >= UploadSealer.batchSize {
                            if sealing, let sealed = try await group.next() { sealer = sealed }
                            group.addTask { [sealer, batch] in
                                var next = sealer
                                try await next.absorb(batch)
                                return next
                            }
                            sealing = true
                            batch = []
                            batchBytes = 0
                        }
                    }
                } catch let problem as Problem {
                    throw problem
                } catch {
                    // The client went away: keep what arrived, unless it came with a checksum (or the
                    // caller wants all or nothing).
                    guard checksum == nil, keepInterrupted else { throw error }
                }
                if sealing, let sealed = try await group.next() { sealer = sealed }
                try await sealer.absorb(batch)
            }
            if let checksum, let running = sealer.running, running.finalize() != checksum.expected {
                throw Problem(ChunkChecksum.mismatch, detail: "Mã kiểm tra \(checksum.algorithm.rawValue) của đoạn dữ liệu không khớp; vị trí vẫn là \(start).",
                              extensions: ["offset": String(start)])
            }
            let total = start + arrived
            // Every byte arrived (even if the connection broke just after): complete, or tus clients that
            // see offset == length on HEAD would never send the request that completes it.
            let completing = record.length == total
            try await sealer.finish(sealingPending: completing)
            try await handle.synchronize()
            try await handle.close()

            if completing {
                return try await complete(record, from: start, hasher: sealer.hasher, by: caller)
            }
            let tail = sealer.pending.readableBytes > 0 ? try Self.sealTail(sealer.pending, index: sealer.segment, cipher: cipher) : nil
            let expires = expiry()
            let advanced = try await database.transaction { [store, record] sql in
                try await store.advance(id, from: start, to: total, length: record.length, tail: tail, expiresAt: expires, sql)
            }
            guard advanced else { throw Problem(.conflict, detail: "Tệp “\(id)” vừa được ghi bởi một yêu cầu khác.") }
            hashes.withLockedValue { $0[id] = (total, sealer.hasher) }
            record.received = total
            record.tail = tail
            record.expiresAt = expires
            return record
        } catch {
            await handle.closeEvenIfCancelled()
            throw error
        }
    }

    /// Ends an upload of deferred length at what has arrived (the plain one-request upload).
    func finish(_ record: UploadRecord, by caller: Caller) async throws -> UploadRecord {
        if record.status == .complete { return record }
        return try await append(
            record.id, offset: record.received, declaredLength: record.received, checksum: nil, by: caller, body: SingleBufferSequence(buffer: ByteBuffer())
        )
    }

    static func sealTail(_ pending: ByteBuffer, index: Int64, cipher: SegmentCipher) throws -> String {
        var sealed = ByteBuffer()
        try cipher.seal(pending, index: index, into: &sealed)
        return Data(sealed.readableBytesView).base64EncodedString()
    }

    /// The running SHA-256 of the first `received` bytes: cached, or re-read from the file.
    private func hashState(_ record: UploadRecord, cipher: SegmentCipher, segments: Int64, tail: ByteBuffer) async throws -> SHA256 {
        if let cached = hashes.withLockedValue({ $0[record.id] }), cached.received == record.received {
            return cached.hasher
        }
        var hasher = SHA256()
        try await files.readSegments(files.uploadPath(record.id), cipher: cipher, count: segments) { plain in
            plain.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        tail.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return hasher
    }

    /// Every byte is in the file: checks the declared SHA-256, moves the file into the content store and
    /// records both in one transaction. Identical content already stored is kept and ours dropped.
    private func complete(_ record: UploadRecord, from start: Int64, hasher: SHA256, by caller: Caller) async throws -> UploadRecord {
        let size = record.length ?? start
        let digest = hasher.finalize().hexString
        hashes.withLockedValue { $0[record.id] = nil }
        if let declared = record.declaredSHA256, declared != digest {
            throw Problem(
                ChunkChecksum.mismatch,
                detail: "SHA-256 của toàn bộ tệp (\(digest)) khác giá trị đã khai báo; vị trí vẫn là \(start).",
                extensions: ["offset": String(start)]
            )
        }
        // A second name for the file in the content store; the upload's own name stays until the
        // transaction has committed, so a failure or crash anywhere here loses no acknowledged byte.
        let name = ContentFiles.contentName(digest: digest, uploadID: record.id)
        try await files.linkIntoContent(uploadID: record.id, as: name)
        let expires = expiry()
        let inserted: Bool
        do {
            inserted = try await database.transaction { [store, audit] sql in
                // The data key as it is now: `lgsp docstore rewrap` may have re-wrapped it during the upload.
                guard let locked = try await store.upload(record.id, sql, forUpdate: true), locked.status == .open, locked.received == start else {
                    throw Problem(.conflict, detail: "Tệp “\(record.id)” vừa được ghi bởi một yêu cầu khác.")
                }
                let content = ContentRecord(digest: digest, size: size, file: name, wrappedKey: locked.wrappedKey, keyContext: locked.keyContext)
                let inserted = try await store.insertContent(content, sql)
                guard try await store.complete(record.id, from: start, size: size, digest: digest, expiresAt: expires, sql) else {
                    throw Problem(.conflict, detail: "Tệp “\(record.id)” vừa được ghi bởi một yêu cầu khác.")
                }
                try await audit.record(
                    caller.event("docstore.upload.complete", id: record.id, digests: ["content": digest], details: ["size": String(size)]), in: sql
                )
                return inserted
            }
        } catch {
            await files.removeContentFile(name)
            throw error
        }
        await files.removeUploadFile(record.id)
        if !inserted {
            // The same bytes were already stored: the upload points at that content.
            files.discardContentFile(name)
        }
        var done = record
        done.status = .complete
        done.received = size
        done.length = size
        done.tail = nil
        done.digest = digest
        done.expiresAt = expires
        done.completedAt = Timestamp.now()
        return done
    }

    // MARK: - Delete

    /// tus `termination`: the upload goes, and its content unless something else uses it.
    func terminate(_ id: String, by caller: Caller) async throws {
        guard writing.withLockedValue({ $0.insert(id).inserted }) else {
            throw Problem(.conflict, detail: "Tệp “\(id)” đang được ghi bởi một yêu cầu khác.")
        }
        defer { _ = writing.withLockedValue { $0.remove(id) } }
        _ = try await owned(id, by: caller.subject)
        try await remove(id, event: caller.event("docstore.upload.delete", id: id), onlyIfExpiredBefore: nil)
    }

    /// Deletes an upload row (and content nobody else uses) in a transaction, then their files.
    @discardableResult
    private func remove(_ id: String, event: AuditEvent?, onlyIfExpiredBefore cutoff: String?) async throws -> Bool {
        let outcome: (removed: Bool, content: String?) = try await database.transaction { [store, audit] sql in
            guard let record = try await store.upload(id, sql, forUpdate: true) else { return (false, nil) }
            if let cutoff, record.expiresAt >= cutoff { return (false, nil) }
            try await store.delete(id, sql)
            var contentFile: String?
            if let digest = record.digest, !(try await store.isReferenced(digest, sql)), let content = try await store.content(digest, sql) {
                try await store.deleteContent(digest, sql)
                contentFile = content.file
            }
            if let event { try await audit.record(event, in: sql) }
            return (true, contentFile)
        }
        guard outcome.removed else { return false }
        hashes.withLockedValue { $0[id] = nil }
        await files.removeUploadFile(id)
        if let file = outcome.content { await files.removeContentFile(file) }
        return true
    }

    // MARK: - Sweep

    /// Deletes every upload whose expiry has passed, with its bytes (and content no dossier or result
    /// uses). Returns how many went.
    @discardableResult
    public func sweep(now: Date = Date()) async throws -> Int {
        let cutoff = Timestamp.string(from: now)
        var removed = 0
        while true {
            let ids = try await store.expired(before: cutoff, limit: 200)
            var progressed = false
            for id in ids where writing.withLockedValue({ $0.insert(id).inserted }) {
                defer { _ = writing.withLockedValue { $0.remove(id) } }
                let event = AuditEvent(action: "docstore.upload.expired", outcome: .success, subject: "system", objectType: "upload", objectID: id)
                if try await remove(id, event: event, onlyIfExpiredBefore: cutoff) {
                    removed += 1
                    progressed = true
                }
            }
            if ids.count < 200 || !progressed { break }
        }
        if removed > 0 { logger.info("Đã xóa \(removed) tệp tải lên hết hạn.") }
        return removed
    }
}

extension UploadService {
    /// Removes files no row accounts for, last changed more than `age` ago: what a crash leaves between
    /// creating an upload's file and inserting its row, between giving finished content its name and
    /// committing, or between committing and removing the upload's own name. Returns how many went.
    @discardableResult
    public func sweepOrphans(olderThan age: Duration = .seconds(3600), now: Date = Date()) async throws -> Int {
        let (uploadNames, contentNames) = files.files(olderThan: now.addingTimeInterval(-Double(age.components.seconds)))
        var removed = 0
        for name in uploadNames {
            let id = String(name.dropLast(".data".count))
            guard Self.isID(id), !writing.withLockedValue({ $0.contains(id) }) else { continue }
            let record = try await store.upload(id)
            if record == nil || record?.status == .complete {
                await files.removeUploadFile(id)
                removed += 1
            }
        }
        for name in contentNames {
            let id = String(name.split(separator: "-").last ?? "")
            guard !writing.withLockedValue({ $0.contains(id) }) else { continue }
            if try await database.sql.raw("SELECT 1 AS x FROM doc_contents WHERE file = \(bind: name)").first() == nil {
                await files.removeContentFile(name)
                removed += 1
            }
        }
        if removed > 0 { logger.warning("Đã xóa \(removed) tệp không còn bản ghi nào tham chiếu (do tiến trình bị dừng giữa chừng).") }
        return removed
    }
}

extension UploadService: UploadLookup {
    public func upload(id: String, owner: String?) async throws -> UploadInfo? {
        guard Self.isID(id), let record = try await store.upload(id), record.status == .complete, record.expiresAt > Timestamp.now() else {
            return nil
        }
        if let owner, record.owner != owner { return nil }
        return UploadInfo(id: id, name: record.name, mediaType: record.mediaType, size: record.received, sha256: record.digest)
    }
}
