import Core

/// The password rules of the regulation (annex 01, 2.2b — R-PL01-2.2b): at least 8 characters with lower
/// case, upper case, a digit and a special character, and nothing the password must not be related to:
/// the username, the personal id, the agency's code or name. Every unmet rule is reported, in Vietnamese.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 8

    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        public let rule: Rule
        public let message: String
        public var description: String { message }
    }

    public enum Rule: String, Sendable, CaseIterable {
        case length, lowercase, uppercase, digit, special
        case containsUsername = "contains-username"
        case containsPersonalID = "contains-personal-id"
        case containsAgency = "contains-agency"
    }

    /// What the password must not be related to.
    public struct Context: Sendable {
        public var username: String?
        public var personalID: String?
        public var agencyCode: String?
        public var agencyName: String?

        public init(username: String? = nil, personalID: String? = nil, agencyCode: String? = nil, agencyName: String? = nil) {
            self.username = username
            self.personalID = personalID
            self.agencyCode = agencyCode
            self.agencyName = agencyName
        }
    }

    public init() {}

    public func violations(_ password: String, context: Context) -> [Violation] {
        var found: [Violation] = []
        func add(_ rule: Rule, _ message: String) { found.append(Violation(rule: rule, message: message)) }
        if password.count < Self.minimumLength {
            add(.length, "Mật khẩu phải có ít nhất \(Self.minimumLength) ký tự.")
        }
        if !password.contains(where: \.isLowercase) {
            add(.lowercase, "Mật khẩu phải có ít nhất một chữ thường.")
        }
        if !password.contains(where: \.isUppercase) {
            add(.uppercase, "Mật khẩu phải có ít nhất một chữ hoa.")
        }
        if !password.contains(where: { $0.isASCII && $0.isNumber }) {
            add(.digit, "Mật khẩu phải có ít nhất một chữ số.")
        }
        if !password.contains(where: { !$0.isLetter && !$0.isNumber && !$0.isWhitespace }) {
            add(.special, "Mật khẩu phải có ít nhất một ký tự đặc biệt (ví dụ ! @ # $ %).")
        }
        let folded = VietnameseText.fold(password).replacingOccurrences(of: " ", with: "")
        func contains(_ value: String?, minimum: Int = 3) -> Bool {
            guard let value else { return false }
            let needle = VietnameseText.fold(value).replacingOccurrences(of: " ", with: "")
            return needle.count >= minimum && folded.contains(needle)
        }
        if contains(context.username) {
            add(.containsUsername, "Mật khẩu không được chứa tên đăng nhập.")
        }
        if contains(context.personalID, minimum: 6) {
            add(.containsPersonalID, "Mật khẩu không được chứa số định danh cá nhân.")
        }
        if contains(context.agencyCode) || contains(context.agencyCode?.replacingOccurrences(of: ".", with: ""))
            || agencyCodeParts(context.agencyCode).contains(where: { contains($0) })
            || contains(context.agencyName) || agencyNameWords(context.agencyName).contains(where: { contains($0, minimum: 5) })
        {
            add(.containsAgency, "Mật khẩu không được chứa mã hoặc tên của cơ quan, đơn vị.")
        }
        return found
    }

    /// The distinctive groups of an agency code (`H49`, `000.00.31.H49` → `H49`, `31`), not bare zeros.
    private func agencyCodeParts(_ code: String?) -> [String] {
        guard let code else { return [] }
        return code.split(separator: ".").map(String.init).filter { part in part.count >= 3 && part.contains { $0 != "0" } }
    }

    /// The significant parts of an agency's name: long words, and pairs of adjacent words (Vietnamese
    /// words are short: "công nghệ", "Đắk Lắk" are the meaningful units). "Sở", "và" alone are everywhere.
    private func agencyNameWords(_ name: String?) -> [String] {
        guard let name else { return [] }
        let terms = VietnameseText.searchTerms(name)
        let pairs = zip(terms, terms.dropFirst()).map { $0 + $1 }
        return terms.filter { $0.count >= 5 } + pairs.filter { $0.count >= 6 }
    }
}
