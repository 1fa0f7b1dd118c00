/// A business tax code (mã số thuế): 10 digits, or 10 digits, `-` and a 3-digit number for a dependent
/// unit (branch). The 10th digit is a check digit over the first nine (Circular 105/2020/TT-BTC):
/// `10 − (Σ dᵢ·wᵢ mod 11)` with weights 31, 29, 23, 19, 17, 13, 7, 5, 3; a sum that gives 10 has no
/// valid check digit.
public struct TaxCode: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    /// The 10-digit code of the enterprise.
    public let enterprise: String
    /// The dependent unit's number (`001`–`999`), nil for the enterprise itself.
    public let branch: String?

    public var description: String { value }

    static let weights = [31, 29, 23, 19, 17, 13, 7, 5, 3]

    public static func validate(_ text: String) -> Result<TaxCode, IdentifierError> {
        let value = text.trimmingCharacters(in: .whitespaces)
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count == 10, parts[0].isAllASCIIDigits,
            parts.count == 1 || (parts[1].count == 3 && parts[1].isAllASCIIDigits)
        else {
            return .failure(.init(
                code: "tax-code.format",
                message: "Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số của đơn vị phụ thuộc."
            ))
        }
        let digits = parts[0].utf8.map { Int($0) - 0x30 }
        guard let check = checkDigit(Array(digits.prefix(9))), check == digits[9] else {
            return .failure(.init(code: "tax-code.check-digit", message: "Chữ số kiểm tra (số thứ 10) của mã số thuế không đúng."))
        }
        if parts.count == 2, parts[1] == "000" {
            return .failure(.init(code: "tax-code.branch", message: "Số thứ tự đơn vị phụ thuộc phải từ 001 đến 999."))
        }
        return .success(TaxCode(value: value, enterprise: String(parts[0]), branch: parts.count == 2 ? String(parts[1]) : nil))
    }

    /// The check digit for the first nine digits, nil when the sum admits none.
    public static func checkDigit(_ firstNine: [Int]) -> Int? {
        precondition(firstNine.count == 9)
        let sum = zip(firstNine, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = 10 - sum % 11
        return check == 10 ? nil : check
    }
}

import Foundation
