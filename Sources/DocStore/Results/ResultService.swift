import Core
import Crypto
import Foundation
import SQLKit

/// Digitized results: stored by the issuing agency from an upload, sealed by the platform, verified,
/// revoked (kept, marked), and listed for reuse by agencies that state a purpose — so a citizen is not
/// asked again for a paper the administration already issued (R-7.1c-dossier).
struct ResultService: Sendable {
    let database: Database
    let store: ResultStore
    let dossiers: DossierStore
    let uploads: UploadService
    let sealer: (any DocumentSealer)?
    let audit: AuditLog
    let issuer: String

    struct NewResult: Decodable, Sendable {
        var uploadId: String
        var number: String
        var type: String
        var procedureCode: String?
        var signer: String
        var issueDate: String
        var validUntil: String?
        var owners: [Party]
        var fields: JSONValue?
        var dossierId: String?
    }

    static func isDay(_ text: String) -> Bool {
        guard let date = VietnamTime.date(ofISODay: text) else { return false }
        return (1900...2200).contains(VietnamTime.day(of: date).year)
    }

    static func today() -> String { VietnamTime.isoDay(of: Date()) }

    func create(_ input: NewResult, by actor: DocStoreActor) async throws -> DigitizedResult {
        guard let agency = actor.actsForAgency(with: DocStoreScopes.resultsIssue) else {
            throw Problem(.forbidden, detail: "Chỉ hệ thống của cơ quan có thẩm quyền (results.issue) lưu kết quả số hóa.")
        }
        guard let sealer else { throw Problem(.serviceUnavailable, detail: "Dịch vụ niêm phong chưa sẵn sàng.") }
        var errors: [Problem.FieldError] = []
        func text(_ value: String, _ pointer: String, _ name: String, max: Int) -> String {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.count > max { errors.append(.init(pointer: pointer, message: "\(name) phải có từ 1 đến \(max) ký tự.")) }
            return trimmed
        }
        let number = text(input.number, "/number", "Số kết quả", max: 100)
        let type = text(input.type, "/type", "Loại kết quả", max: 100)
        let signer = text(input.signer, "/signer", "Người ký", max: 200)
        if !Self.isDay(input.issueDate) { errors.append(.init(pointer: "/issueDate", message: "Ngày cấp có dạng YYYY-MM-DD.")) }
        if let until = input.validUntil {
            if !Self.isDay(until) { errors.append(.init(pointer: "/validUntil", message: "Ngày hết hiệu lực có dạng YYYY-MM-DD.")) }
            else if until < input.issueDate { errors.append(.init(pointer: "/validUntil", message: "Ngày hết hiệu lực trước ngày cấp.")) }
        }
        if input.owners.isEmpty || input.owners.count > 20 { errors.append(.init(pointer: "/owners", message: "Kết quả có từ 1 đến 20 chủ sở hữu.")) }
        let fields = input.fields ?? .object([:])
        if case .object = fields {} else { errors.append(.init(pointer: "/fields", message: "Các trường dữ liệu là một đối tượng JSON.")) }
        if (try? fields.encoded().count) ?? 0 > 64 << 10 { errors.append(.init(pointer: "/fields", message: "Các trường dữ liệu vượt quá 64 KiB.")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        var owners: [Party] = []
        for (index, owner) in input.owners.enumerated() { owners.append(try Party.validated(owner, pointer: "/owners/\(index)")) }
        if let dossierID = input.dossierId {
            guard let dossier = try await dossiers.dossier(dossierID), dossier.receivingAgency == agency else {
                throw Problem.validation([.init(pointer: "/dossierId", message: "Không có hồ sơ “\(dossierID)” của cơ quan \(agency).")])
            }
        }
        let upload = try await uploads.owned(input.uploadId, by: actor.subject)
        guard upload.status == .complete, let digest = upload.digest else {
            throw Problem.validation([.init(pointer: "/uploadId", message: "Tệp “\(input.uploadId)” chưa tải lên xong.")])
        }

        let now = Date()
        var result = DigitizedResult(
            id: "res_" + UploadService.newID(), number: number, type: type, procedureCode: input.procedureCode, issuingAgency: agency,
            signer: signer, issueDate: input.issueDate, validUntil: input.validUntil, owners: owners, fields: fields, dossierId: input.dossierId,
            fileName: upload.name, mediaType: upload.mediaType, size: upload.received, sha256: digest, seal: "", sealKeyId: "", status: "valid",
            revokedAt: nil, revokedReason: nil, createdAt: Timestamp.string(from: now)
        )
        let seal = try await sealer.seal(result.sealedClaims(issuer: issuer, issuedAt: Int64(now.timeIntervalSince1970)), type: DigitizedResult.sealType)
        result = DigitizedResult(
            id: result.id, number: number, type: type, procedureCode: result.procedureCode, issuingAgency: agency, signer: signer,
            issueDate: result.issueDate, validUntil: result.validUntil, owners: owners, fields: fields, dossierId: result.dossierId,
            fileName: result.fileName, mediaType: result.mediaType, size: result.size, sha256: digest, seal: seal.jws, sealKeyId: seal.keyID,
            status: "valid", revokedAt: nil, revokedReason: nil, createdAt: result.createdAt
        )
        let sealed = result
        let uploadID = upload.id
        do {
            try await store(sealed, upload: uploadID, digest: digest, keyID: seal.keyID, agency: agency, by: actor)
        } catch where DatabaseErrorKind.isUniqueViolation(error) {
            throw Problem(.conflict, detail: "Cơ quan \(agency) đã lưu kết quả loại “\(type)” số “\(number)”.")
        }
        return sealed
    }

    private func store(_ sealed: DigitizedResult, upload uploadID: String, digest: String, keyID: String, agency: String, by actor: DocStoreActor) async throws {
        let uploadStore = uploads.store
        let (type, number) = (sealed.type, sealed.number)
        try await database.transaction { [store, audit] sql in
            if try await store.exists(agency: agency, type: type, number: number, sql) {
                throw Problem(.conflict, detail: "Cơ quan \(agency) đã lưu kết quả loại “\(type)” số “\(number)”.")
            }
            guard let locked = try await uploadStore.upload(uploadID, sql, forUpdate: true), locked.digest == digest else {
                throw Problem.validation([.init(pointer: "/uploadId", message: "Tệp “\(uploadID)” vừa bị xóa.")])
            }
            try await store.insert(sealed, by: actor, sql)
            try await uploadStore.markConsumed(uploadID, by: "result:\(sealed.id)", sql)
            try await audit.record(actor.event(
                "docstore.result.create", type: "result", id: sealed.id, digests: ["content": digest, "seal": SHA256.hash(data: Data(sealed.seal.utf8)).hexString],
                details: ["type": type, "number": number, "kid": keyID]
            ), in: sql)
        }
    }

    enum Access: Equatable {
        case issuer, owner
        case reuse(purpose: String)
    }

    /// The result and on what ground `actor` may read it: the issuing agency, an owner, or an agency
    /// reusing it for a stated purpose (valid results only).
    func readable(_ id: String, purpose: String?, by actor: DocStoreActor) async throws -> (DigitizedResult, Access) {
        guard id.hasPrefix("res_"), let result = try await store.result(id) else { throw Problem.notFound("Không có kết quả “\(id)”.") }
        if result.issuingAgency == actor.actsForAgency(with: DocStoreScopes.resultsIssue) { return (result, .issuer) }
        if let own = actor.ownID, actor.scopes.contains(DocStoreScopes.resultsRead), result.owners.contains(where: { $0.id == own }) {
            return (result, .owner)
        }
        if actor.actsForAgency(with: DocStoreScopes.resultsReuse) != nil {
            let purpose = try Purpose.required(purpose)
            guard result.isValid(on: Self.today()) else { throw Problem(.gone, detail: "Kết quả “\(id)” đã bị thu hồi hoặc hết hiệu lực.") }
            return (result, .reuse(purpose: purpose))
        }
        throw Problem.notFound("Không có kết quả “\(id)”.")
    }

    func auditRead(_ result: DigitizedResult, access: Access, action: String, by actor: DocStoreActor) async throws {
        let purpose: String
        switch access {
        case .issuer: purpose = "cơ quan cấp kết quả xem"
        case .owner: purpose = "chủ sở hữu xem kết quả của mình"
        case .reuse(let stated): purpose = stated
        }
        try await audit.record(actor.event(action, type: "result", id: result.id, details: ["purpose": purpose, "ground": "\(access)"]))
    }

    /// An owner's results: their own (all), or for reuse (valid only, with a purpose, audited).
    func list(owner: String?, type: String?, purpose: String?, by actor: DocStoreActor) async throws -> [DigitizedResult] {
        if let reuser = actor.actsForAgency(with: DocStoreScopes.resultsReuse) {
            guard let owner, !owner.isEmpty else {
                throw Problem.validation([.init(pointer: "/query/owner", message: "Cần số định danh cá nhân hoặc mã số thuế của chủ sở hữu.")])
            }
            let stated = try Purpose.required(purpose)
            let today = Self.today()
            let found = try await store.results(owner: owner, type: type, limit: 200).filter { $0.isValid(on: today) }
            try await audit.record(actor.event(
                "docstore.result.reuse-list", type: "person", id: SHA256.hash(data: Data(owner.utf8)).hexString,
                details: ["purpose": stated, "type": type ?? "", "count": String(found.count), "agency": reuser]
            ))
            return found
        }
        guard let own = actor.ownID, actor.scopes.contains(DocStoreScopes.resultsRead) else {
            throw Problem(.forbidden, detail: "Cần phạm vi results.reuse (cơ quan) hoặc results.read với personal_id (chủ sở hữu).")
        }
        if let owner, owner != own { throw Problem(.forbidden, detail: "Người dùng chỉ xem kết quả của chính mình.") }
        return try await store.results(owner: own, type: type, limit: 200)
    }

    func revoke(_ id: String, reason: String?, by actor: DocStoreActor) async throws -> DigitizedResult {
        guard let agency = actor.actsForAgency(with: DocStoreScopes.resultsIssue) else {
            throw Problem(.forbidden, detail: "Chỉ cơ quan cấp (results.issue) thu hồi kết quả.")
        }
        guard let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines), (5...1000).contains(reason.count) else {
            throw Problem.validation([.init(pointer: "/reason", message: "Cần nêu lý do thu hồi (5–1.000 ký tự).")])
        }
        return try await database.transaction { [store, audit] sql in
            guard let result = try await store.result(id, sql), result.issuingAgency == agency else { throw Problem.notFound("Không có kết quả “\(id)”.") }
            let now = Timestamp.now()
            guard try await store.revoke(id, reason: reason, by: actor.subject, at: now, sql) else {
                throw Problem(.conflict, detail: "Kết quả “\(id)” đã bị thu hồi.")
            }
            try await audit.record(actor.event("docstore.result.revoke", type: "result", id: id, details: ["reason": reason]), in: sql)
            var revoked = result
            revoked.status = "revoked"
            revoked.revokedAt = now
            revoked.revokedReason = reason
            return revoked
        }
    }

    struct Verification: Encodable, Sendable {
        let id: String
        /// Seal, metadata and file all check, and the result is in force today.
        let valid: Bool
        let sealValid: Bool
        let metadataMatches: Bool
        let fileMatches: Bool
        let revoked: Bool
        let inForce: Bool
        let keyId: String
        let sealedAt: String?
        let problems: [String]
    }

    /// Re-checks the seal's signature, that it covers the stored metadata and digest, and the file's bytes.
    func verify(_ result: DigitizedResult) async throws -> Verification {
        var problems: [String] = []
        var sealValid = false
        var metadataMatches = false
        var sealedAt: String?
        if let sealer {
            do {
                let claims = try await sealer.verify(result.seal, type: DigitizedResult.sealType)
                sealValid = true
                if case .integer(let iat) = claims["iat"] ?? .null { sealedAt = Timestamp.string(from: Date(timeIntervalSince1970: Double(iat))) }
                let expected = result.sealedClaims(issuer: issuer, issuedAt: 0)
                metadataMatches = claims["sub"] == expected["sub"] && claims["iss"] == expected["iss"] && claims["content"] == expected["content"]
                    && claims["result"] == expected["result"]
                if !metadataMatches { problems.append("Dữ liệu lưu trữ khác nội dung đã niêm phong.") }
            } catch let error as SealError {
                problems.append("Dấu niêm phong không hợp lệ: \(error.reason).")
            }
        } else {
            problems.append("Dịch vụ niêm phong chưa sẵn sàng.")
        }
        var fileMatches = false
        if let content = try await uploads.store.content(result.sha256) {
            var hasher = SHA256()
            do {
                try await uploads.stream(content, range: 0..<content.size) { buffer in
                    buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                }
                fileMatches = hasher.finalize().hexString == result.sha256 && content.size == result.size
            } catch {
                problems.append("Tệp lưu trữ không đọc được nguyên vẹn: \(error).")
            }
            if !fileMatches && problems.isEmpty { problems.append("SHA-256 của tệp lưu trữ khác giá trị đã niêm phong.") }
        } else {
            problems.append("Không còn tệp nội dung.")
        }
        let inForce = result.isValid(on: Self.today())
        if result.isRevoked { problems.append("Kết quả đã bị thu hồi: \(result.revokedReason ?? "").") }
        else if !inForce { problems.append("Kết quả chưa hoặc không còn hiệu lực.") }
        return Verification(
            id: result.id, valid: sealValid && metadataMatches && fileMatches && inForce, sealValid: sealValid, metadataMatches: metadataMatches,
            fileMatches: fileMatches, revoked: result.isRevoked, inForce: inForce, keyId: result.sealKeyId, sealedAt: sealedAt, problems: problems
        )
    }
}
