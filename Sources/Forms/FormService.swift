import Core
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Who is acting, for the audit log.
struct FormActor: Sendable {
    let subject: String?
    let client: String?
    let agency: String?
    let requestID: String?

    static let commandLine = FormActor(subject: "cli", client: nil, agency: nil, requestID: nil)
    static let platform = FormActor(subject: nil, client: nil, agency: nil, requestID: nil)

    init(subject: String?, client: String?, agency: String?, requestID: String?) {
        self.subject = subject
        self.client = client
        self.agency = agency
        self.requestID = requestID
    }

    init(_ context: AppRequestContext) {
        self.init(subject: context.principal?.subject, client: context.principal?.clientID, agency: context.principal?.agencyCode, requestID: context.requestID)
    }

    func event(_ action: String, type: String, id: String, outcome: AuditOutcome = .success, digests: [String: String] = [:], details: [String: String] = [:]) -> AuditEvent {
        AuditEvent(action: action, outcome: outcome, subject: subject, client: client, objectType: type, objectID: id, requestID: requestID, digests: digests, details: details)
    }
}

/// Forms and their versions (draft → published → retired), and submissions validated against the
/// version in force. Every change is audited; submissions' data never goes to the audit log, its digest does.
public struct FormService: Sendable {
    let database: Database
    let store: FormStore
    let audit: AuditLog
    let codes: any CodeLookup
    let uploads: (any UploadLookup)?
    /// Published versions never change: their compiled schemas are kept.
    let compiled = NIOLockedValueBox([String: CompiledSchema]())

    struct NewForm: Sendable, Decodable {
        var key: String
        var title: String
        var procedureCode: String?
        var ownerAgency: String
        var description: String?
        var schema: JSONValue?
    }

    static func compiler() -> SchemaCompiler { SchemaCompiler(formatAssertion: true) }

    /// Compiles a schema for a draft; a schema that does not compile is a 422 pointing into it.
    static func compile(_ schema: JSONValue) throws -> CompiledSchema {
        do {
            return try compiler().compile(schema)
        } catch {
            throw Problem.validation([.init(pointer: "/schema" + error.pointer.dropFirst(), message: error.message)], detail: "Lược đồ biểu mẫu không hợp lệ.")
        }
    }

    func schema(of version: FormVersion) throws -> CompiledSchema {
        let key = "\(version.formKey)#\(version.number)#\(version.schemaHash)"
        if let cached = compiled.withLockedValue({ $0[key] }) { return cached }
        let schema = try Self.compile(version.schema)
        if version.status != .draft { compiled.withLockedValue { $0[key] = schema } }
        return schema
    }

    // MARK: Definitions

    func createForm(_ input: NewForm, by actor: FormActor) async throws -> (FormInfo, FormVersion) {
        var errors: [Problem.FieldError] = []
        if !FormInfo.isValidKey(input.key) {
            errors.append(.init(pointer: "/key", message: "Khóa gồm chữ thường không dấu, chữ số và dấu gạch nối, 2–64 ký tự, bắt đầu bằng chữ (ví dụ to-khai-khai-sinh)."))
        }
        if input.title.trimmingCharacters(in: .whitespaces).isEmpty || input.title.count > 300 {
            errors.append(.init(pointer: "/title", message: "Tên biểu mẫu không được trống, tối đa 300 ký tự."))
        }
        if case .failure(let problem) = AgencyCode.validate(input.ownerAgency) {
            errors.append(.init(pointer: "/ownerAgency", message: problem.message))
        }
        if let code = input.procedureCode, code.isEmpty || code.count > 64 {
            errors.append(.init(pointer: "/procedureCode", message: "Mã thủ tục hành chính tối đa 64 ký tự."))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let schema = input.schema ?? ["type": "object", "properties": [:]]
        _ = try Self.compile(schema)
        let now = Timestamp.now()
        let form = FormInfo(
            key: input.key, title: VietnameseText.nfc(input.title), procedureCode: input.procedureCode, ownerAgency: input.ownerAgency,
            description: input.description.map(VietnameseText.nfc), createdAt: now, updatedAt: now
        )
        let draft = FormVersion(
            formKey: form.key, number: 1, status: .draft, schema: schema, schemaHash: FormStore.hash(FormStore.canonicalJSON(schema)), note: nil,
            createdAt: now, createdBy: actor.subject, publishedAt: nil, retiredAt: nil
        )
        try await database.transaction { [store, audit] sql in
            if try await store.form(form.key, sql) != nil { throw Problem(.conflict, detail: "Đã có biểu mẫu “\(form.key)”.") }
            try await store.insert(form, sql)
            try await store.insert(draft, sql)
            try await audit.record(actor.event("forms.form.create", type: "form", id: form.key, digests: ["schema": draft.schemaHash], details: ["owner": form.ownerAgency]), in: sql)
        }
        return (form, draft)
    }

    /// Changes a form's title, procedure code, owner agency or description (`null` clears the optional ones).
    func updateForm(_ key: String, changes: [String: JSONValue], by actor: FormActor) async throws -> FormInfo {
        let allowed: Set<String> = ["title", "procedureCode", "ownerAgency", "description"]
        let unknown = changes.keys.filter { !allowed.contains($0) }.sorted().map {
            Problem.FieldError(pointer: "/\($0)", message: "Không sửa được trường này (sửa được: \(allowed.sorted().joined(separator: ", "))).")
        }
        guard unknown.isEmpty else { throw Problem.validation(unknown) }
        return try await database.transaction { [store, audit] sql in
            guard var form = try await store.lockForm(key, sql) else { throw Self.noForm(key) }
            var errors: [Problem.FieldError] = []
            for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
                let text = value.stringValue
                if value != .null && text == nil {
                    errors.append(.init(pointer: "/\(name)", message: "Phải là chuỗi."))
                    continue
                }
                switch name {
                case "title":
                    guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= 300 else {
                        errors.append(.init(pointer: "/title", message: "Tên biểu mẫu không được trống, tối đa 300 ký tự."))
                        continue
                    }
                    form.title = VietnameseText.nfc(text)
                case "ownerAgency":
                    guard let text, case .success = AgencyCode.validate(text) else {
                        errors.append(.init(pointer: "/ownerAgency", message: "Mã định danh điện tử của cơ quan không hợp lệ."))
                        continue
                    }
                    form.ownerAgency = text
                case "procedureCode":
                    if let text, text.isEmpty || text.count > 64 {
                        errors.append(.init(pointer: "/procedureCode", message: "Mã thủ tục hành chính tối đa 64 ký tự."))
                        continue
                    }
                    form.procedureCode = text
                default:
                    form.description = text.map(VietnameseText.nfc)
                }
            }
            guard errors.isEmpty else { throw Problem.validation(errors) }
            form.updatedAt = Timestamp.now()
            try await store.update(form, sql)
            try await audit.record(actor.event("forms.form.update", type: "form", id: key, details: ["fields": changes.keys.sorted().joined(separator: ",")]), in: sql)
            return form
        }
    }

    /// A new draft, copied from the newest version (one draft at a time).
    func createDraft(_ key: String, by actor: FormActor) async throws -> FormVersion {
        try await database.transaction { [store, audit] sql in
            guard try await store.lockForm(key, sql) != nil else { throw Self.noForm(key) }
            let versions = try await store.versions(key, sql)
            if let draft = versions.first(where: { $0.status == .draft }) {
                throw Problem(.conflict, detail: "Biểu mẫu đã có bản nháp (phiên bản \(draft.number)); sửa hoặc công bố bản đó.")
            }
            let latest = versions.last!
            let draft = FormVersion(
                formKey: key, number: latest.number + 1, status: .draft, schema: latest.schema, schemaHash: latest.schemaHash, note: nil,
                createdAt: Timestamp.now(), createdBy: actor.subject, publishedAt: nil, retiredAt: nil
            )
            try await store.insert(draft, sql)
            try await audit.record(actor.event("forms.version.create", type: "form-version", id: "\(key)/\(draft.number)"), in: sql)
            return draft
        }
    }

    /// Replaces a draft's schema (it must compile).
    func updateDraft(_ key: String, number: Int, schema: JSONValue, note: String?, by actor: FormActor) async throws -> FormVersion {
        _ = try Self.compile(schema)
        return try await database.transaction { [store, audit] sql in
            guard try await store.lockForm(key, sql) != nil else { throw Self.noForm(key) }
            guard var version = try await store.version(key, number: number, sql) else { throw Self.noVersion(key, number) }
            guard version.status == .draft else {
                throw Problem(.conflict, detail: "Phiên bản \(number) đã công bố nên không sửa được; tạo bản nháp mới.")
            }
            version.schema = schema
            version.schemaHash = FormStore.hash(FormStore.canonicalJSON(schema))
            version.note = note ?? version.note
            try await store.update(version, sql)
            try await audit.record(actor.event("forms.version.update", type: "form-version", id: "\(key)/\(number)", digests: ["schema": version.schemaHash]), in: sql)
            return version
        }
    }

    /// Publishes a draft: the schema compiles, uses only what the validator enforces, and every catalog it
    /// names exists.
    func publish(_ key: String, number: Int, by actor: FormActor) async throws -> FormVersion {
        guard let draft = try await store.version(key, number: number) else { throw Self.noVersion(key, number) }
        let schema = try Self.compile(draft.schema)
        var errors = schema.unsupported.map { Problem.FieldError(pointer: "/schema" + $0.pointer.dropFirst(), message: $0.message) }
        for use in schema.catalogs {
            let answer = try await codes.validate(code: "", in: use.catalog, on: nil)
            if answer.outcome == .unknownCatalog || answer.outcome == .noVersion {
                errors.append(.init(pointer: "/schema" + use.pointer.dropFirst() + "/x-catalog", message: answer.message ?? "Không có danh mục “\(use.catalog)”."))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "Biểu mẫu chưa công bố được.") }
        return try await database.transaction { [store, audit] sql in
            guard try await store.lockForm(key, sql) != nil else { throw Self.noForm(key) }
            guard var version = try await store.version(key, number: number, sql) else { throw Self.noVersion(key, number) }
            guard version.status == .draft, version.schemaHash == draft.schemaHash else {
                throw Problem(.conflict, detail: "Phiên bản \(number) không còn là bản nháp đã kiểm tra; thử lại.")
            }
            version.status = .published
            version.publishedAt = Timestamp.now()
            try await store.update(version, sql)
            try await audit.record(actor.event("forms.version.publish", type: "form-version", id: "\(key)/\(number)", digests: ["schema": version.schemaHash]), in: sql)
            return version
        }
    }

    func retire(_ key: String, number: Int, by actor: FormActor) async throws -> FormVersion {
        try await database.transaction { [store, audit] sql in
            guard try await store.lockForm(key, sql) != nil else { throw Self.noForm(key) }
            guard var version = try await store.version(key, number: number, sql) else { throw Self.noVersion(key, number) }
            guard version.status == .published else { throw Problem(.conflict, detail: "Chỉ ngừng được phiên bản đã công bố.") }
            version.status = .retired
            version.retiredAt = Timestamp.now()
            try await store.update(version, sql)
            try await audit.record(actor.event("forms.version.retire", type: "form-version", id: "\(key)/\(number)"), in: sql)
            return version
        }
    }

    // MARK: Submissions

    /// The published version to validate against: the one asked for, else the newest.
    func versionForSubmission(_ key: String, number: Int?) async throws -> FormVersion {
        guard try await store.form(key) != nil else { throw Self.noForm(key) }
        if let number {
            guard let version = try await store.version(key, number: number), version.status == .published else {
                throw Problem(.conflict, detail: "Phiên bản \(number) của biểu mẫu “\(key)” không nhận hồ sơ (chưa công bố hoặc đã ngừng).")
            }
            return version
        }
        guard let current = try await store.current(key) else { throw Problem(.conflict, detail: "Biểu mẫu “\(key)” chưa có phiên bản công bố.") }
        return current
    }

    func check(_ data: JSONValue, against version: FormVersion, owner: String?) async throws -> [SchemaViolation] {
        let validator = FormValidator(schema: try schema(of: version), codes: codes, uploads: uploads)
        return try await validator.validate(data, on: Date(), owner: owner)
    }

    func submit(_ key: String, version number: Int?, data: JSONValue, submitter: Submitter, by actor: FormActor) async throws -> FormSubmission {
        let version = try await versionForSubmission(key, number: number)
        let violations = try await check(data, against: version, owner: submitter.subject)
        guard violations.isEmpty else {
            throw Problem.validation(violations.map { .init(pointer: "/data" + $0.pointer, message: $0.message, code: $0.keyword) }, detail: "Hồ sơ có \(violations.count) lỗi.")
        }
        guard let form = try await store.form(key) else { throw Self.noForm(key) }
        let now = Timestamp.now()
        let canonical = FormStore.canonicalJSON(data)
        let submission = FormSubmission(
            id: "sub_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), formKey: key, version: version.number,
            submitter: submitter, ownerAgency: form.ownerAgency, status: .received, data: data, dataHash: FormStore.hash(canonical),
            submittedAt: now, updatedAt: now
        )
        try await database.transaction { [store, audit] sql in
            try await store.insert(submission, sql)
            try await audit.record(actor.event("forms.submission.create", type: "form-submission", id: submission.id, digests: ["data": submission.dataHash],
                                               details: ["form": key, "version": String(version.number)]), in: sql)
        }
        return submission
    }

    func setStatus(_ id: String, _ status: SubmissionStatus, by actor: FormActor) async throws {
        try await database.transaction { [store, audit] sql in
            try await store.setStatus(id, status, at: Timestamp.now(), sql)
            try await audit.record(actor.event("forms.submission.status", type: "form-submission", id: id, details: ["status": status.rawValue]), in: sql)
        }
    }

    static func noForm(_ key: String) -> Problem { Problem.notFound("Không có biểu mẫu “\(key)”.") }
    static func noVersion(_ key: String, _ number: Int) -> Problem { Problem.notFound("Biểu mẫu “\(key)” không có phiên bản \(number).") }
}

extension FormService: SubmissionLookup {
    public func submission(id: String) async throws -> SubmissionInfo? {
        guard let submission = try await store.submission(id), let version = try await store.version(submission.formKey, number: submission.version),
            let form = try await store.form(submission.formKey)
        else { return nil }
        let (_, deferred) = try schema(of: version).evaluate(submission.data, today: FormCalendar.day(of: Date()))
        let files = deferred.compactMap { check -> SubmittedFile? in
            guard case .file = check.kind else { return nil }
            return SubmittedFile(pointer: check.pointer, label: check.label, uploadID: check.value)
        }
        return SubmissionInfo(
            id: submission.id, formKey: submission.formKey, formVersion: submission.version, procedureCode: form.procedureCode,
            ownerAgency: submission.ownerAgency, submitterSubject: submission.submitter.subject, submitterClient: submission.submitter.client,
            submitterAgency: submission.submitter.agency, dataHash: submission.dataHash, files: files
        )
    }
}
