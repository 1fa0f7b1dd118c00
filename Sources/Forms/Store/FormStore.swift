import Core
import Crypto
import Foundation
import SQLKit

/// SQL for forms, versions and submissions. No HTTP here.
struct FormStore: Sendable {
    let database: Database

    static let formColumns = "key, title, title_folded, procedure_code, owner_agency, description, created_at, updated_at"
    static let versionColumns = "form_key, number, status, schema_json, schema_hash, note, created_at, created_by, published_at, retired_at"
    static let submissionColumns = """
        id, form_key, version, submitter_kind, submitter, client_id, submitter_agency, owner_agency, status, data_json, data_hash, \
        submitted_at, updated_at
        """

    static func canonicalJSON(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    static func hash(_ text: String) -> String {
        "sha256:" + SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    // MARK: Forms

    func forms(publishedOnly: Bool, query: String?, limit: Int, offset: Int) async throws -> [(FormInfo, Int?)] {
        var sql = SQLQueryString("SELECT \(unsafeRaw: Self.formColumns), (SELECT MAX(number) FROM form_versions v WHERE v.form_key = f.key AND v.status = 'published') AS current FROM form_forms f")
        var clauses: [SQLQueryString] = []
        if publishedOnly { clauses.append("EXISTS (SELECT 1 FROM form_versions v WHERE v.form_key = f.key AND v.status = 'published')") }
        if let query, !query.isEmpty {
            let folded = "%" + VietnameseText.searchKey(query).replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            clauses.append("(title_folded LIKE \(bind: folded) OR LOWER(COALESCE(procedure_code, '')) LIKE \(bind: folded.lowercased()) OR key LIKE \(bind: folded))")
        }
        if !clauses.isEmpty {
            sql.appendLiteral(" WHERE ")
            for (index, clause) in clauses.enumerated() {
                if index > 0 { sql.appendLiteral(" AND ") }
                sql.appendInterpolation(clause)
            }
        }
        sql.appendInterpolation(" ORDER BY key LIMIT \(bind: limit) OFFSET \(bind: offset)" as SQLQueryString)
        return try await database.sql.raw(sql).all().map { row in (try Self.form(from: row), try row.decode(column: "current", as: Int?.self)) }
    }

    func form(_ key: String, _ sql: (any SQLDatabase)? = nil) async throws -> FormInfo? {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.formColumns) FROM form_forms WHERE key = \(bind: key)").first().map(Self.form)
    }

    func lockForm(_ key: String, _ sql: any SQLDatabase) async throws -> FormInfo? {
        let lock = database.engine == .postgres ? " FOR UPDATE" : ""
        return try await sql.raw("SELECT \(unsafeRaw: Self.formColumns) FROM form_forms WHERE key = \(bind: key)\(unsafeRaw: lock)").first().map(Self.form)
    }

    func insert(_ form: FormInfo, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO form_forms (\(unsafeRaw: Self.formColumns))
            VALUES (\(bind: form.key), \(bind: form.title), \(bind: VietnameseText.searchKey(form.title)), \(bind: form.procedureCode),
                \(bind: form.ownerAgency), \(bind: form.description), \(bind: form.createdAt), \(bind: form.updatedAt))
            """
        ).run()
    }

    func update(_ form: FormInfo, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE form_forms SET title = \(bind: form.title), title_folded = \(bind: VietnameseText.searchKey(form.title)),
                procedure_code = \(bind: form.procedureCode), owner_agency = \(bind: form.ownerAgency), description = \(bind: form.description),
                updated_at = \(bind: form.updatedAt)
            WHERE key = \(bind: form.key)
            """
        ).run()
    }

    static func form(from row: any SQLRow) throws -> FormInfo {
        FormInfo(
            key: try row.decode(column: "key", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            procedureCode: try row.decode(column: "procedure_code", as: String?.self),
            ownerAgency: try row.decode(column: "owner_agency", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }

    // MARK: Versions

    func versions(_ key: String, _ sql: (any SQLDatabase)? = nil) async throws -> [FormVersion] {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.versionColumns) FROM form_versions WHERE form_key = \(bind: key) ORDER BY number")
            .all().map(Self.version)
    }

    func version(_ key: String, number: Int, _ sql: (any SQLDatabase)? = nil) async throws -> FormVersion? {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.versionColumns) FROM form_versions WHERE form_key = \(bind: key) AND number = \(bind: number)")
            .first().map(Self.version)
    }

    /// The newest published version.
    func current(_ key: String) async throws -> FormVersion? {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.versionColumns) FROM form_versions WHERE form_key = \(bind: key) AND status = 'published' ORDER BY number DESC LIMIT 1"
        ).first().map(Self.version)
    }

    func insert(_ version: FormVersion, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO form_versions (\(unsafeRaw: Self.versionColumns))
            VALUES (\(bind: version.formKey), \(bind: version.number), \(bind: version.status.rawValue), \(bind: Self.canonicalJSON(version.schema)),
                \(bind: version.schemaHash), \(bind: version.note), \(bind: version.createdAt), \(bind: version.createdBy), \(bind: version.publishedAt),
                \(bind: version.retiredAt))
            """
        ).run()
    }

    func update(_ version: FormVersion, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE form_versions SET status = \(bind: version.status.rawValue), schema_json = \(bind: Self.canonicalJSON(version.schema)),
                schema_hash = \(bind: version.schemaHash), note = \(bind: version.note), published_at = \(bind: version.publishedAt),
                retired_at = \(bind: version.retiredAt)
            WHERE form_key = \(bind: version.formKey) AND number = \(bind: version.number)
            """
        ).run()
    }

    static func version(from row: any SQLRow) throws -> FormVersion {
        FormVersion(
            formKey: try row.decode(column: "form_key", as: String.self),
            number: try row.decode(column: "number", as: Int.self),
            status: FormVersionStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .retired,
            schema: try parse(try row.decode(column: "schema_json", as: String.self)),
            schemaHash: try row.decode(column: "schema_hash", as: String.self),
            note: try row.decode(column: "note", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            createdBy: try row.decode(column: "created_by", as: String?.self),
            publishedAt: try row.decode(column: "published_at", as: String?.self),
            retiredAt: try row.decode(column: "retired_at", as: String?.self)
        )
    }

    // MARK: Submissions

    func insert(_ submission: FormSubmission, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO form_submissions (\(unsafeRaw: Self.submissionColumns))
            VALUES (\(bind: submission.id), \(bind: submission.formKey), \(bind: submission.version), \(bind: submission.submitter.kind),
                \(bind: submission.submitter.subject), \(bind: submission.submitter.client), \(bind: submission.submitter.agency),
                \(bind: submission.ownerAgency), \(bind: submission.status.rawValue), \(bind: Self.canonicalJSON(submission.data)),
                \(bind: submission.dataHash), \(bind: submission.submittedAt), \(bind: submission.updatedAt))
            """
        ).run()
    }

    func submission(_ id: String, _ sql: (any SQLDatabase)? = nil) async throws -> FormSubmission? {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.submissionColumns) FROM form_submissions WHERE id = \(bind: id)").first().map(Self.submission)
    }

    func setStatus(_ id: String, _ status: SubmissionStatus, at time: String, _ sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE form_submissions SET status = \(bind: status.rawValue), updated_at = \(bind: time) WHERE id = \(bind: id)").run()
    }

    /// A page of a form's submissions, newest first; `before` is the `submittedAt|id` of the last one seen.
    func submissions(form key: String, status: SubmissionStatus?, submitter: String?, limit: Int, before: (String, String)?) async throws -> [FormSubmission] {
        var sql = SQLQueryString("SELECT \(unsafeRaw: Self.submissionColumns) FROM form_submissions WHERE form_key = \(bind: key)")
        if let status { sql.appendInterpolation(" AND status = \(bind: status.rawValue)" as SQLQueryString) }
        if let submitter { sql.appendInterpolation(" AND submitter = \(bind: submitter)" as SQLQueryString) }
        if let (time, id) = before {
            sql.appendInterpolation(" AND (submitted_at < \(bind: time) OR (submitted_at = \(bind: time) AND id < \(bind: id)))" as SQLQueryString)
        }
        sql.appendInterpolation(" ORDER BY submitted_at DESC, id DESC LIMIT \(bind: limit)" as SQLQueryString)
        return try await database.sql.raw(sql).all().map(Self.submission)
    }

    static func submission(from row: any SQLRow) throws -> FormSubmission {
        FormSubmission(
            id: try row.decode(column: "id", as: String.self),
            formKey: try row.decode(column: "form_key", as: String.self),
            version: try row.decode(column: "version", as: Int.self),
            submitter: Submitter(
                kind: try row.decode(column: "submitter_kind", as: String.self),
                subject: try row.decode(column: "submitter", as: String.self),
                client: try row.decode(column: "client_id", as: String.self),
                agency: try row.decode(column: "submitter_agency", as: String?.self)
            ),
            ownerAgency: try row.decode(column: "owner_agency", as: String.self),
            status: SubmissionStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .received,
            data: try parse(try row.decode(column: "data_json", as: String.self)),
            dataHash: try row.decode(column: "data_hash", as: String.self),
            submittedAt: try row.decode(column: "submitted_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }
}
