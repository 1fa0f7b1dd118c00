import Foundation

/// A dossier code (mã hồ sơ, Circular 01/2018/TT-VPCP Art. 19): `<agency code>-YYMMDD-XXXX`, the
/// receiving agency's QCVN 102 code, the date of receipt and a 4-digit sequence within that day.
public struct DossierCode: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public let agency: AgencyCode
    public let year: Int
    public let month: Int
    public let day: Int
    public let sequence: Int

    public var description: String { value }

    public static func validate(_ text: String) -> Result<DossierCode, IdentifierError> {
        let value = text.trimmingCharacters(in: .whitespaces)
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        let formatError = IdentifierError(
            code: "dossier-code.format",
            message: "Mã hồ sơ có dạng <mã cơ quan QCVN 102>-YYMMDD-XXXX, ví dụ 000.00.31.H49-250701-0001."
        )
        guard parts.count == 3, parts[1].count == 6, parts[1].isAllASCIIDigits, parts[2].count == 4, parts[2].isAllASCIIDigits else {
            return .failure(formatError)
        }
        let agency: AgencyCode
        switch AgencyCode.validateQCVN102(String(parts[0])) {
        case .success(let code): agency = code
        case .failure(let error): return .failure(error)
        }
        let digits = parts[1].utf8.map { Int($0) - 0x30 }
        let (year, month, day) = (2000 + digits[0] * 10 + digits[1], digits[2] * 10 + digits[3], digits[4] * 10 + digits[5])
        let calendar = VietnamTime.calendar
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else {
            return .failure(.init(code: "dossier-code.date", message: "Ngày tiếp nhận \(parts[1]) trong mã hồ sơ không phải ngày hợp lệ."))
        }
        let sequence = Int(parts[2])!
        guard sequence >= 1 else {
            return .failure(.init(code: "dossier-code.sequence", message: "Số thứ tự hồ sơ trong ngày phải từ 0001 đến 9999."))
        }
        return .success(DossierCode(value: value, agency: agency, year: year, month: month, day: day, sequence: sequence))
    }
}
