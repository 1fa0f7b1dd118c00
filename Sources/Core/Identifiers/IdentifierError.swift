/// Why an identifier is not valid, in Vietnamese for people and with a stable code for programs.
public struct IdentifierError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension StringProtocol {
    var isAllASCIIDigits: Bool {
        !isEmpty && utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}
