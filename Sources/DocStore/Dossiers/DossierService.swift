import Core
import Foundation
import SQLKit

/// Dossiers: received from a citizen's submission or at an agency's counter, components promoted from
/// temporary uploads into permanent content, numbered per Circular 01/2018, moved through their
/// statuses by the receiving agency. Every step and every read is audited.
struct DossierService: Sendable {
    let database: Database
    let store: DossierStore
    let uploads: UploadService
    let submissions: (any SubmissionLookup)?
    let audit: AuditLog

    struct NewDossier: Decodable, Sendable {
        var procedureCode: String
        var procedureName: String?
        var receivingAgency: String?
        var submissionId: String?
        var applicant: Party?
        var components: [NewComponent]?
    }

    struct NewComponent: Decodable, Sendable {
        var uploadId: String
        var name: String?
        var code: String?
    }

    static let maxComponents = 100

    func create(_ input: NewDossier, by actor: DocStoreActor) async throws -> Dossier {
        var errors: [Problem.FieldError] = []
        let procedure = input.procedureCode.trimmingCharacters(in: .whitespaces)
        if procedure.isEmpty || procedure.count > 50 || !procedure.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || ".-_".unicodeScalars.contains($0) }) {
            errors.append(.init(pointer: "/procedureCode", message: "Mã thủ tục hành chính gồm tối đa 50 chữ, số, dấu chấm hoặc gạch, ví dụ 1.001193."))
        }
        if let name = input.procedureName, name.count > 500 {
            errors.append(.init(pointer: "/procedureName", message: "Tên thủ tục dài quá 500 ký tự."))
        }
        if (input.components?.count ?? 0) > Self.maxComponents {
            errors.append(.init(pointer: "/components", message: "Một hồ sơ có tối đa \(Self.maxComponents) thành phần."))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }

        // Who files it, for whom, and where.
        let applicant: Party
        var receiving = input.receivingAgency
        if let agency = actor.actsForAgency(with: DocStoreScopes.dossiersProcess) {
            guard let given = input.applicant else {
                throw Problem.validation([.init(pointer: "/applicant", message: "Cơ quan tiếp nhận hồ sơ cần nêu người nộp (citizen/business và số định danh).")])
            }
            applicant = try Party.validated(given, pointer: "/applicant")
            if let receiving, receiving != agency {
                throw Problem(.forbidden, detail: "Hệ thống của cơ quan \(agency) chỉ tiếp nhận hồ sơ cho chính cơ quan mình.")
            }
            receiving = agency
        } else if actor.scopes.contains(DocStoreScopes.dossiersSubmit) {
            guard let own = actor.ownID else {
                throw Problem(.forbidden, detail: "Token không mang số định danh của người nộp: cần đăng nhập bằng tài khoản công dân/doanh nghiệp với phạm vi personal_id.")
            }
            let kind = actor.personalID != nil ? "citizen" : "business"
            if let given = input.applicant, given.id != own || given.kind != kind {
                throw Problem(.forbidden, detail: "Người dùng chỉ nộp hồ sơ của chính mình.")
            }
            applicant = Party(kind: kind, id: own, name: input.applicant?.name)
        } else {
            throw Problem(.forbidden, detail: "Cần phạm vi dossiers.submit (người nộp) hoặc dossiers.process (cơ quan tiếp nhận).")
        }

        // The submission it came from, and the files it references.
        var submission: SubmissionInfo?
        if let id = input.submissionId {
            guard let submissions, let found = try await submissions.submission(id: id) else {
                throw Problem.validation([.init(pointer: "/submissionId", message: "Không có hồ sơ điện tử (bản nộp biểu mẫu) “\(id)”.")])
            }
            // The applicant's own submission; or, at the counter, one the agency's own staff or system filled
            // in (a citizen's submission becomes a dossier only by the citizen: its files are theirs).
            let mine = found.submitterSubject == actor.subject && found.submitterClient == actor.client
            let counter = actor.actsForAgency(with: DocStoreScopes.dossiersProcess)
            guard mine || (counter != nil && found.submitterAgency == counter && found.ownerAgency == counter) else {
                throw Problem.validation([.init(pointer: "/submissionId", message: "Bản nộp “\(id)” không phải của người gọi hay do cơ quan của người gọi lập.")])
            }
            submission = found
            receiving = receiving ?? found.ownerAgency
        }
        guard let receivingAgency = receiving else {
            throw Problem.validation([.init(pointer: "/receivingAgency", message: "Cần nêu cơ quan tiếp nhận (mã định danh điện tử).")])
        }
        if case .failure(let error) = AgencyCode.validateQCVN102(receivingAgency) {
            throw Problem.validation([.init(pointer: "/receivingAgency", message: error.message)])
        }

        // Components: those named, then the submission's files not already named.
        var planned: [Planned] = []
        for (index, component) in (input.components ?? []).enumerated() {
            if let name = component.name, name.count > 300 {
                throw Problem.validation([.init(pointer: "/components/\(index)/name", message: "Tên thành phần dài quá 300 ký tự.")])
            }
            planned.append(Planned(upload: component.uploadId, owner: actor.subject, name: component.name, code: component.code, field: nil, pointer: "/components/\(index)/uploadId"))
        }
        for file in submission?.files ?? [] where !planned.contains(where: { $0.upload == file.uploadID }) {
            planned.append(Planned(upload: file.uploadID, owner: submission!.submitterSubject, name: file.label, code: nil, field: file.pointer, pointer: "/submissionId"))
        }
        guard planned.count <= Self.maxComponents else {
            throw Problem.validation([.init(pointer: "/components", message: "Một hồ sơ có tối đa \(Self.maxComponents) thành phần.")])
        }
        if Set(planned.map(\.upload)).count != planned.count {
            throw Problem.validation([.init(pointer: "/components", message: "Một tệp chỉ là một thành phần của hồ sơ.")])
        }

        let now = Date()
        let id = "dos_" + UploadService.newID()
        let submissionFound = submission
        let procedureName = input.procedureName
        let plans = planned
        do {
            return try await insert(
                id: id, procedure: procedure, procedureName: procedureName, applicant: applicant, receivingAgency: receivingAgency,
                submission: submissionFound, plans: plans, now: now, by: actor
            )
        } catch where DatabaseErrorKind.isUniqueViolation(error) {
            throw Problem(.conflict, detail: "Bản nộp “\(submissionFound?.id ?? "")” đã thành hồ sơ.")
        }
    }

    private struct Planned: Sendable {
        let upload: String
        let owner: String
        let name: String?
        let code: String?
        let field: String?
        let pointer: String
    }

    private func insert(
        id: String, procedure: String, procedureName: String?, applicant: Party, receivingAgency: String, submission submissionFound: SubmissionInfo?,
        plans: [Planned], now: Date, by actor: DocStoreActor
    ) async throws -> Dossier {
        let stamp = Timestamp.string(from: now)
        let uploadStore = uploads.store
        return try await database.transaction { [store, audit] sql in
            if let submissionFound, try await store.exists(submission: submissionFound.id, sql) {
                throw Problem(.conflict, detail: "Bản nộp “\(submissionFound.id)” đã thành hồ sơ.")
            }
            var components: [Dossier.Component] = []
            for (position, plan) in plans.enumerated() {
                guard UploadService.isID(plan.upload), let upload = try await uploadStore.upload(plan.upload, sql, forUpdate: true), upload.owner == plan.owner,
                    upload.expiresAt > stamp
                else {
                    throw Problem.validation([.init(pointer: plan.pointer, message: "Không có tệp tải lên “\(plan.upload)” (hoặc đã hết hạn).")])
                }
                guard upload.status == .complete, let digest = upload.digest else {
                    throw Problem.validation([.init(pointer: plan.pointer, message: "Tệp “\(plan.upload)” chưa tải lên xong.")])
                }
                components.append(Dossier.Component(
                    position: position + 1, code: plan.code, name: plan.name ?? upload.name ?? "Thành phần \(position + 1)", fileName: upload.name,
                    mediaType: upload.mediaType, size: upload.received, sha256: digest, field: plan.field
                ))
            }
            let code: DossierCode
            do {
                code = try await DossierNumbering.next(agency: receivingAgency, on: now, in: sql)
            } catch DossierNumbering.Failure.exhausted {
                throw Problem(.conflict, detail: "Cơ quan \(receivingAgency) đã tiếp nhận 9.999 hồ sơ trong ngày.")
            }
            let dossier = Dossier(
                id: id, code: code.value, procedureCode: procedure, procedureName: procedureName, applicant: applicant,
                receivingAgency: receivingAgency, submissionId: submissionFound?.id, formKey: submissionFound?.formKey, status: .received,
                receivedAt: stamp, updatedAt: stamp, components: components,
                history: [Dossier.Event(status: .received, note: nil, at: stamp, actor: .init(subject: actor.subject, client: actor.client, agency: actor.agency))]
            )
            try await store.insert(dossier, uploadIDs: plans.map(\.upload), createdBy: actor, sql)
            for item in plans {
                try await uploadStore.markConsumed(item.upload, by: "dossier:\(id)", sql)
            }
            var digests: [String: String] = [:]
            for component in components { digests["component.\(component.position)"] = component.sha256 }
            try await audit.record(actor.event(
                "docstore.dossier.create", type: "dossier", id: id, digests: digests,
                details: ["code": code.value, "procedure": procedure, "agency": receivingAgency, "submission": submissionFound?.id ?? ""]
            ), in: sql)
            return dossier
        }
    }

    /// The dossier if `actor` may see it: its applicant, or the receiving agency (dossiers.process).
    func readable(_ id: String, by actor: DocStoreActor) async throws -> Dossier {
        guard let dossier = try await store.dossier(id) else { throw Problem.notFound("Không có hồ sơ “\(id)”.") }
        let agency = actor.actsForAgency(with: DocStoreScopes.dossiersProcess)
        guard dossier.receivingAgency == agency || (dossier.applicant.id == actor.ownID && actor.scopes.contains(DocStoreScopes.dossiersSubmit)) else {
            throw Problem.notFound("Không có hồ sơ “\(id)”.")
        }
        return dossier
    }

    /// Records a read of personal documents with its purpose (R-8.3, R-14.5).
    func auditRead(_ dossier: Dossier, component: Int? = nil, purpose: String?, by actor: DocStoreActor) async throws {
        let own = dossier.applicant.id == actor.ownID
        var details = ["purpose": purpose ?? (own ? "người nộp xem hồ sơ của mình" : "xử lý hồ sơ tại cơ quan tiếp nhận")]
        if let component { details["component"] = String(component) }
        try await audit.record(actor.event(component == nil ? "docstore.dossier.read" : "docstore.dossier.component.read", type: "dossier", id: dossier.id, details: details))
    }

    func changeStatus(_ id: String, to status: Dossier.Status, note: String?, by actor: DocStoreActor) async throws -> Dossier {
        guard let agency = actor.actsForAgency(with: DocStoreScopes.dossiersProcess) else {
            throw Problem(.forbidden, detail: "Chỉ cơ quan tiếp nhận (dossiers.process) đổi trạng thái hồ sơ.")
        }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.count > 2000 {
            throw Problem.validation([.init(pointer: "/note", message: "Ghi chú dài quá 2.000 ký tự.")])
        }
        if [.supplementRequested, .rejected].contains(status), (note ?? "").isEmpty {
            throw Problem.validation([.init(pointer: "/note", message: "Cần nêu lý do khi \(status == .rejected ? "từ chối" : "yêu cầu bổ sung") hồ sơ.")])
        }
        return try await database.transaction { [store, audit] sql in
            guard let dossier = try await store.dossier(id, sql), dossier.receivingAgency == agency else {
                throw Problem.notFound("Không có hồ sơ “\(id)”.")
            }
            guard dossier.status.next.contains(status) else {
                throw Problem(.conflict, detail: "Hồ sơ đang “\(dossier.status.label)”, không chuyển sang “\(status.label)” được.")
            }
            let now = Timestamp.now()
            guard try await store.setStatus(id, from: dossier.status, to: status, at: now, sql) else {
                throw Problem(.conflict, detail: "Hồ sơ vừa được cập nhật bởi người khác; tải lại rồi thử lại.")
            }
            let event = Dossier.Event(status: status, note: note, at: now, actor: .init(subject: actor.subject, client: actor.client, agency: actor.agency))
            try await store.addEvent(id, event, sql)
            try await audit.record(actor.event("docstore.dossier.status", type: "dossier", id: id, details: ["from": dossier.status.rawValue, "to": status.rawValue]), in: sql)
            var updated = dossier
            updated.status = status
            updated.updatedAt = now
            updated.history.append(event)
            return updated
        }
    }
}
