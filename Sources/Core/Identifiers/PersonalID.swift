import Foundation

/// A personal identification number (số định danh cá nhân), 12 digits `PPP G YY NNNNNN`:
/// `PPP` the pre-2025 province of birth registration, `G` century and sex (0/1 = 1900s male/female,
/// 2/3 = 2000s, … 8/9 = 2300s), `YY` the last two digits of the birth year, `NNNNNN` random.
/// There is no check digit, so validation checks structure and plausibility only.
public struct PersonalID: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public let provinceCode: String
    public let sex: Sex
    public let birthYear: Int

    public enum Sex: String, Sendable, Codable {
        case male, female
    }

    public var provinceName: String { ProvincesBefore2025.names[provinceCode] ?? provinceCode }
    public var description: String { value }

    /// Validates `text` (surrounding white space ignored). `currentYear` bounds the birth year.
    public static func validate(_ text: String, currentYear: Int = PersonalID.currentYear()) -> Result<PersonalID, IdentifierError> {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count == 12 else {
            return .failure(.init(code: "personal-id.length", message: "Số định danh cá nhân phải có đúng 12 chữ số."))
        }
        guard value.isAllASCIIDigits else {
            return .failure(.init(code: "personal-id.digits", message: "Số định danh cá nhân chỉ gồm chữ số."))
        }
        let digits = value.utf8.map { Int($0) - 0x30 }
        let province = String(value.prefix(3))
        guard ProvincesBefore2025.names[province] != nil else {
            return .failure(.init(
                code: "personal-id.province",
                message: "Ba chữ số đầu \(province) không phải mã tỉnh nơi đăng ký khai sinh."
            ))
        }
        let centuryDigit = digits[3]
        let year = 1900 + (centuryDigit / 2) * 100 + digits[4] * 10 + digits[5]
        guard year <= currentYear else {
            return .failure(.init(
                code: "personal-id.birth-year",
                message: "Chữ số thế kỷ và năm sinh (\(year)) cho năm sinh trong tương lai."
            ))
        }
        return .success(PersonalID(
            value: value, provinceCode: province, sex: centuryDigit % 2 == 0 ? .male : .female, birthYear: year
        ))
    }

    public static func currentYear() -> Int {
        VietnamTime.day(of: Date()).year
    }
}
