/// An agency's electronic identifier (mã định danh điện tử của cơ quan, tổ chức), in either format in use.
///
/// - QCVN 102:2016 `V1V2V3.Z1Z2.Y1Y2.MX1X2`, read right to left: `MX1X2` is level 1 (a letter and two
///   digits: `H` province, `G` ministry…), `Y1Y2` level 2, `Z1Z2` level 3, `V1V2V3` level 4; zeros mean
///   "no such level". `000.00.00.H49` is the People's Committee of level-1 unit H49.
/// - Decision 20/2020/QĐ-TTg: up to 35 characters of `0-9`, `A-Z` and `.`, groups read left to right from
///   level 1: `H27.01` is a level-2 unit under `H27`.
///
/// The province's own level-1 code is configuration, never hard-coded.
public struct AgencyCode: Sendable, Hashable, CustomStringConvertible {
    public enum Format: String, Sendable, Codable {
        case qcvn102
        case decision20
    }

    public let value: String
    public let format: Format
    /// The level-1 code (`H49`).
    public let levelOne: String
    /// 1 for a level-1 unit, up to 4 (QCVN 102) or the number of groups (Decision 20).
    public let level: Int

    public var description: String { value }

    /// The code of the unit one level up, in the same format; nil for level 1.
    public var parent: AgencyCode? {
        guard level > 1 else { return nil }
        switch format {
        case .qcvn102:
            var groups = value.split(separator: ".").map(String.init)  // [V, Z, Y, M]
            // The lowest level present is the leftmost non-zero group.
            if let index = groups.prefix(3).firstIndex(where: { $0.contains { $0 != "0" } }) {
                groups[index] = String(repeating: "0", count: groups[index].count)
            }
            return AgencyCode(value: groups.joined(separator: "."), format: .qcvn102, levelOne: levelOne, level: level - 1)
        case .decision20:
            let groups = value.split(separator: ".")
            return AgencyCode(value: groups.dropLast().joined(separator: "."), format: .decision20, levelOne: levelOne, level: level - 1)
        }
    }

    /// Whether `other` is this unit or below it.
    public func contains(_ other: AgencyCode) -> Bool {
        var current: AgencyCode? = other
        while let unit = current {
            if unit == self { return true }
            current = unit.parent
        }
        return false
    }

    /// Validates `text` in whichever format it is written.
    public static func validate(_ text: String) -> Result<AgencyCode, IdentifierError> {
        let value = text.trimmingCharacters(in: .whitespaces)
        if value.split(separator: ".", omittingEmptySubsequences: false).count == 4, value.first?.isNumber == true {
            return validateQCVN102(value)
        }
        return validateDecision20(value)
    }

    public static func validateQCVN102(_ value: String) -> Result<AgencyCode, IdentifierError> {
        let groups = value.split(separator: ".", omittingEmptySubsequences: false)
        guard groups.count == 4, groups[0].count == 3, groups[0].isAllASCIIDigits,
            groups[1].count == 2, groups[1].isAllASCIIDigits, groups[2].count == 2, groups[2].isAllASCIIDigits,
            isLevelOne(groups[3])
        else {
            return .failure(.init(
                code: "agency-code.qcvn102.format",
                message: "Mã định danh theo QCVN 102:2016 có dạng V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.00.H49."
            ))
        }
        let isZero = { (group: Substring) in group.allSatisfy { $0 == "0" } }
        let (level4, level3, level2) = (!isZero(groups[0]), !isZero(groups[1]), !isZero(groups[2]))
        guard (!level3 || level2) && (!level4 || level3) else {
            return .failure(.init(
                code: "agency-code.qcvn102.hierarchy",
                message: "Mã định danh có cấp dưới nhưng thiếu cấp trên (một nhóm số 0 nằm giữa các cấp)."
            ))
        }
        let level = 1 + [level2, level3, level4].filter { $0 }.count
        return .success(AgencyCode(value: value, format: .qcvn102, levelOne: String(groups[3]), level: level))
    }

    public static func validateDecision20(_ value: String) -> Result<AgencyCode, IdentifierError> {
        let groups = value.split(separator: ".", omittingEmptySubsequences: false)
        guard value.count <= 35, let first = groups.first, isLevelOne(first),
            groups.dropFirst().allSatisfy({ group in
                !group.isEmpty && group.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }
            })
        else {
            return .failure(.init(
                code: "agency-code.decision20.format",
                message: "Mã định danh theo Quyết định 20/2020/QĐ-TTg gồm tối đa 35 ký tự 0-9, A-Z và dấu chấm, bắt đầu bằng mã cấp 1 (ví dụ H27.01)."
            ))
        }
        return .success(AgencyCode(value: value, format: .decision20, levelOne: String(first), level: groups.count))
    }

    /// A letter and two digits: `H49`, `G12`.
    static func isLevelOne(_ group: Substring) -> Bool {
        let bytes = Array(group.utf8)
        return bytes.count == 3 && (0x41...0x5A).contains(bytes[0]) && group.dropFirst().isAllASCIIDigits
    }
}

import Foundation
