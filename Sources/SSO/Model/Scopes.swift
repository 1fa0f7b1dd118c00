/// The scopes the SSO knows, what they unlock, and which need a role when a person (not a client) asks.
public enum Scopes {
    public static let openid = "openid"
    public static let profile = "profile"
    public static let email = "email"
    public static let personalID = "personal_id"
    public static let roles = "roles"
    public static let agency = "agency"
    public static let offlineAccess = "offline_access"
    public static let ssoAdmin = "sso.admin"
    public static let metrics = "lgsp.metrics"
    public static let catalogsAdmin = "catalogs.admin"
    public static let formsAdmin = "forms.admin"

    /// Scopes about the person, for ID tokens and UserInfo.
    public static let identity: Set<String> = [openid, profile, email, personalID, roles, agency, offlineAccess]

    /// The document store's agency powers: receiving dossiers, issuing and revoking sealed results,
    /// reading citizens' results for reuse.
    public static let dossiersProcess = "dossiers.process"
    public static let resultsIssue = "results.issue"
    public static let resultsReuse = "results.reuse"
    /// The gateway's operator: members, systems and their credentials.
    public static let gatewayAdmin = "gateway.admin"

    /// Scopes a person gets only with the role of the same name.
    public static let privileged: Set<String> = [ssoAdmin, metrics, catalogsAdmin, formsAdmin, dossiersProcess, resultsIssue, resultsReuse, gatewayAdmin]

    /// Scope names are printable ASCII without space, quote or backslash (RFC 6749 §3.3).
    public static func isValid(_ scope: String) -> Bool {
        !scope.isEmpty && scope.unicodeScalars.allSatisfy { $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value) }
    }

    public static func parse(_ text: String?) -> [String] {
        guard let text else { return [] }
        var seen = Set<String>()
        return text.split(separator: " ").map(String.init).filter { seen.insert($0).inserted }
    }
}
