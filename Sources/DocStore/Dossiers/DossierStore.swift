import Core
import Foundation
import SQLKit

/// `doc_dossiers`, `doc_dossier_components`, `doc_dossier_events`.
struct DossierStore: Sendable {
    let database: Database

    static let columns = """
        id, code, procedure_code, procedure_name, applicant_kind, applicant_id, applicant_name, receiving_agency, submission_id, form_key,
        status, received_at, updated_at
        """

    func insert(_ dossier: Dossier, uploadIDs: [String], createdBy actor: DocStoreActor, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO doc_dossiers (\(unsafeRaw: Self.columns), created_by, created_client)
            VALUES (\(bind: dossier.id), \(bind: dossier.code), \(bind: dossier.procedureCode), \(bind: dossier.procedureName),
                \(bind: dossier.applicant.kind), \(bind: dossier.applicant.id), \(bind: dossier.applicant.name), \(bind: dossier.receivingAgency),
                \(bind: dossier.submissionId), \(bind: dossier.formKey), \(bind: dossier.status.rawValue), \(bind: dossier.receivedAt),
                \(bind: dossier.updatedAt), \(bind: actor.subject), \(bind: actor.client))
            """
        ).run()
        for (component, upload) in zip(dossier.components, uploadIDs) {
            try await sql.raw(
                """
                INSERT INTO doc_dossier_components (dossier_id, position, code, name, file_name, media_type, size, digest, upload_id, field)
                VALUES (\(bind: dossier.id), \(bind: component.position), \(bind: component.code), \(bind: component.name), \(bind: component.fileName),
                    \(bind: component.mediaType), \(bind: component.size), \(bind: component.sha256), \(bind: upload), \(bind: component.field))
                """
            ).run()
        }
        for event in dossier.history {
            try await addEvent(dossier.id, event, sql)
        }
    }

    func addEvent(_ id: String, _ event: Dossier.Event, _ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO doc_dossier_events (dossier_id, status, note, actor_subject, actor_client, actor_agency, at)
            VALUES (\(bind: id), \(bind: event.status.rawValue), \(bind: event.note), \(bind: event.actor.subject), \(bind: event.actor.client),
                \(bind: event.actor.agency), \(bind: event.at))
            """
        ).run()
    }

    func setStatus(_ id: String, from: Dossier.Status, to: Dossier.Status, at: String, _ sql: any SQLDatabase) async throws -> Bool {
        !(try await sql.raw(
            """
            UPDATE doc_dossiers SET status = \(bind: to.rawValue), updated_at = \(bind: at)
            WHERE id = \(bind: id) AND status = \(bind: from.rawValue) RETURNING id
            """
        ).all()).isEmpty
    }

    func exists(submission: String, _ sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT 1 AS x FROM doc_dossiers WHERE submission_id = \(bind: submission) LIMIT 1").first() != nil
    }

    /// The dossier with its components and history.
    func dossier(_ id: String, _ sql: (any SQLDatabase)? = nil) async throws -> Dossier? {
        let sql = sql ?? database.sql
        guard let row = try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM doc_dossiers WHERE id = \(bind: id)").first() else { return nil }
        var dossier = try Self.decode(row)
        dossier.components = try await sql.raw(
            """
            SELECT position, code, name, file_name, media_type, size, digest, field FROM doc_dossier_components
            WHERE dossier_id = \(bind: id) ORDER BY position
            """
        ).all().map { row in
            Dossier.Component(
                position: try row.decode(column: "position", as: Int.self), code: try row.decode(column: "code", as: String?.self),
                name: try row.decode(column: "name", as: String.self), fileName: try row.decode(column: "file_name", as: String?.self),
                mediaType: try row.decode(column: "media_type", as: String?.self), size: try row.decode(column: "size", as: Int64.self),
                sha256: try row.decode(column: "digest", as: String.self), field: try row.decode(column: "field", as: String?.self)
            )
        }
        dossier.history = try await sql.raw(
            "SELECT status, note, actor_subject, actor_client, actor_agency, at FROM doc_dossier_events WHERE dossier_id = \(bind: id) ORDER BY id"
        ).all().map { row in
            Dossier.Event(
                status: Dossier.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .received,
                note: try row.decode(column: "note", as: String?.self), at: try row.decode(column: "at", as: String.self),
                actor: .init(
                    subject: try row.decode(column: "actor_subject", as: String.self), client: try row.decode(column: "actor_client", as: String.self),
                    agency: try row.decode(column: "actor_agency", as: String?.self)
                )
            )
        }
        return dossier
    }

    /// A page of dossiers (newest first), without components and history.
    func list(applicant: String?, agency: String?, status: Dossier.Status?, limit: Int, before: (String, String)?) async throws -> [Dossier] {
        var conditions: [SQLQueryString] = []
        if let applicant { conditions.append("applicant_id = \(bind: applicant)") }
        if let agency { conditions.append("receiving_agency = \(bind: agency)") }
        if let status { conditions.append("status = \(bind: status.rawValue)") }
        if let (at, id) = before { conditions.append("(received_at < \(bind: at) OR (received_at = \(bind: at) AND id < \(bind: id)))") }
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM doc_dossiers"
        if !conditions.isEmpty {
            query = query + " WHERE " + conditions.joined(separator: " AND ")
        }
        query = query + " ORDER BY received_at DESC, id DESC LIMIT \(bind: limit)"
        return try await database.sql.raw(query).all().map(Self.decode)
    }

    static func decode(_ row: any SQLRow) throws -> Dossier {
        Dossier(
            id: try row.decode(column: "id", as: String.self), code: try row.decode(column: "code", as: String.self),
            procedureCode: try row.decode(column: "procedure_code", as: String.self),
            procedureName: try row.decode(column: "procedure_name", as: String?.self),
            applicant: Party(
                kind: try row.decode(column: "applicant_kind", as: String.self), id: try row.decode(column: "applicant_id", as: String.self),
                name: try row.decode(column: "applicant_name", as: String?.self)
            ),
            receivingAgency: try row.decode(column: "receiving_agency", as: String.self),
            submissionId: try row.decode(column: "submission_id", as: String?.self), formKey: try row.decode(column: "form_key", as: String?.self),
            status: Dossier.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .received,
            receivedAt: try row.decode(column: "received_at", as: String.self), updatedAt: try row.decode(column: "updated_at", as: String.self),
            components: [], history: []
        )
    }
}
