import Core
import Foundation
import SQLKit

/// `doc_results` and `doc_result_owners`.
struct ResultStore: Sendable {
    let database: Database

    static let columns = """
        id, number, result_type, procedure_code, issuing_agency, signer, issue_date, valid_until, owners, fields, dossier_id, digest,
        file_name, media_type, size, seal, seal_kid, status, revoked_at, revoked_reason, created_at
        """

    func insert(_ result: DigitizedResult, by actor: DocStoreActor, _ sql: any SQLDatabase) async throws {
        let owners = String(decoding: try JSONEncoder().encode(result.owners), as: UTF8.self)
        let fields = String(decoding: try result.fields.encoded(), as: UTF8.self)
        try await sql.raw(
            """
            INSERT INTO doc_results (\(unsafeRaw: Self.columns), created_by, created_client)
            VALUES (\(bind: result.id), \(bind: result.number), \(bind: result.type), \(bind: result.procedureCode), \(bind: result.issuingAgency),
                \(bind: result.signer), \(bind: result.issueDate), \(bind: result.validUntil), \(bind: owners), \(bind: fields), \(bind: result.dossierId),
                \(bind: result.sha256), \(bind: result.fileName), \(bind: result.mediaType), \(bind: result.size), \(bind: result.seal),
                \(bind: result.sealKeyId), \(bind: result.status), \(bind: result.revokedAt), \(bind: result.revokedReason), \(bind: result.createdAt),
                \(bind: actor.subject), \(bind: actor.client))
            """
        ).run()
        for owner in Set(result.owners.map(\.id)) {
            try await sql.raw("INSERT INTO doc_result_owners (result_id, owner_id) VALUES (\(bind: result.id), \(bind: owner))").run()
        }
    }

    func exists(agency: String, type: String, number: String, _ sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            "SELECT 1 AS x FROM doc_results WHERE issuing_agency = \(bind: agency) AND result_type = \(bind: type) AND number = \(bind: number)"
        ).first() != nil
    }

    func result(_ id: String, _ sql: (any SQLDatabase)? = nil) async throws -> DigitizedResult? {
        try await (sql ?? database.sql).raw("SELECT \(unsafeRaw: Self.columns) FROM doc_results WHERE id = \(bind: id)").first().map(Self.decode)
    }

    /// An owner's results, newest first; `type` narrows them.
    func results(owner: String, type: String?, limit: Int) async throws -> [DigitizedResult] {
        var query: SQLQueryString = """
            SELECT \(unsafeRaw: Self.columns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            FROM doc_results r JOIN doc_result_owners o ON o.result_id = r.id
            WHERE o.owner_id = \(bind: owner)
            """
        if let type { query = query + " AND r.result_type = \(bind: type)" }
        query = query + " ORDER BY r.issue_date DESC, r.id DESC LIMIT \(bind: limit)"
        return try await database.sql.raw(query).all().map(Self.decode)
    }

    func revoke(_ id: String, reason: String, by subject: String, at: String, _ sql: any SQLDatabase) async throws -> Bool {
        !(try await sql.raw(
            """
            UPDATE doc_results SET status = 'revoked', revoked_at = \(bind: at), revoked_reason = \(bind: reason), revoked_by = \(bind: subject)
            WHERE id = \(bind: id) AND status = 'valid' RETURNING id
            """
        ).all()).isEmpty
    }

    static func decode(_ row: any SQLRow) throws -> DigitizedResult {
        let owners = try JSONDecoder().decode([Party].self, from: Data(try row.decode(column: "owners", as: String.self).utf8))
        let fields = try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(column: "fields", as: String.self).utf8))
        return DigitizedResult(
            id: try row.decode(column: "id", as: String.self), number: try row.decode(column: "number", as: String.self),
            type: try row.decode(column: "result_type", as: String.self), procedureCode: try row.decode(column: "procedure_code", as: String?.self),
            issuingAgency: try row.decode(column: "issuing_agency", as: String.self), signer: try row.decode(column: "signer", as: String.self),
            issueDate: try row.decode(column: "issue_date", as: String.self), validUntil: try row.decode(column: "valid_until", as: String?.self),
            owners: owners, fields: fields, dossierId: try row.decode(column: "dossier_id", as: String?.self),
            fileName: try row.decode(column: "file_name", as: String?.self), mediaType: try row.decode(column: "media_type", as: String?.self),
            size: try row.decode(column: "size", as: Int64.self), sha256: try row.decode(column: "digest", as: String.self),
            seal: try row.decode(column: "seal", as: String.self), sealKeyId: try row.decode(column: "seal_kid", as: String.self),
            status: try row.decode(column: "status", as: String.self), revokedAt: try row.decode(column: "revoked_at", as: String?.self),
            revokedReason: try row.decode(column: "revoked_reason", as: String?.self), createdAt: try row.decode(column: "created_at", as: String.self)
        )
    }
}
