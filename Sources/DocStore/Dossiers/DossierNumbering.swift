import Core
import Foundation
import SQLKit

/// Dossier codes (Circular 01/2018/TT-VPCP Art. 19): `<agency QCVN 102 code>-YYMMDD-XXXX`, the sequence
/// counting the agency's dossiers received that day in Vietnam, from 0001. The counter is a row per
/// agency and day, incremented inside the caller's transaction: two dossiers never get the same code,
/// however many are received at once, on either engine (PostgreSQL locks the row; SQLite's write
/// transactions are serialized), and a rolled-back dossier gives its number back.
struct DossierNumbering: Sendable {
    enum Failure: Error, Equatable {
        /// 9,999 dossiers already received by this agency today.
        case exhausted
        case invalidAgency(String)
    }

    /// The next code for `agency` on `date`, within `transaction`.
    static func next(agency: String, on date: Date, in transaction: any SQLDatabase) async throws -> DossierCode {
        guard case .success(let code) = AgencyCode.validateQCVN102(agency) else { throw Failure.invalidAgency(agency) }
        let day = Self.day(of: date)
        try await transaction.raw(
            "INSERT INTO doc_dossier_sequences (agency, day, last) VALUES (\(bind: code.description), \(bind: day), 0) ON CONFLICT (agency, day) DO NOTHING"
        ).run()
        let row = try await transaction.raw(
            "UPDATE doc_dossier_sequences SET last = last + 1 WHERE agency = \(bind: code.description) AND day = \(bind: day) RETURNING last"
        ).first()
        guard let sequence = try row?.decode(column: "last", as: Int.self), sequence <= 9999 else { throw Failure.exhausted }
        let text = "\(code.description)-\(day)-\(String(format: "%04d", sequence))"
        guard case .success(let dossier) = DossierCode.validate(text) else { throw Failure.invalidAgency(agency) }
        return dossier
    }

    /// `YYMMDD` of `date` in Vietnam.
    static func day(of date: Date) -> String {
        let (year, month, day) = VietnamTime.day(of: date)
        return String(format: "%02d%02d%02d", year % 100, month, day)
    }
}
