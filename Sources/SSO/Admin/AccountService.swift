import Core
import Foundation
import HummingbirdOTP

/// Creating and changing accounts, for the admin API and the `lgsp user` commands: validation with
/// Vietnamese messages pointing at the field, the password policy on every set and change, audit.
public struct AccountService: Sendable {
    let provider: OIDCProvider
    let policy = PasswordPolicy()

    public struct NewAccount: Codable, Sendable {
        public var kind: Account.Kind
        public var username: String?
        public var personalId: String?
        public var taxCode: String?
        public var name: String
        public var email: String?
        public var agencyCode: String?
        public var roles: [String]?
        public var password: String
        public var totpRequired: Bool?

        public init(
            kind: Account.Kind, username: String? = nil, personalId: String? = nil, taxCode: String? = nil, name: String,
            email: String? = nil, agencyCode: String? = nil, roles: [String]? = nil, password: String, totpRequired: Bool? = nil
        ) {
            self.kind = kind
            self.username = username
            self.personalId = personalId
            self.taxCode = taxCode
            self.name = name
            self.email = email
            self.agencyCode = agencyCode
            self.roles = roles
            self.password = password
            self.totpRequired = totpRequired
        }
    }

    public struct AccountChanges: Codable, Sendable {
        public var name: String?
        public var email: String?
        public var agencyCode: String?
        public var roles: [String]?
        public var disabled: Bool?
        public var totpRequired: Bool?

        public init(name: String? = nil, email: String? = nil, agencyCode: String? = nil, roles: [String]? = nil, disabled: Bool? = nil, totpRequired: Bool? = nil) {
            self.name = name
            self.email = email
            self.agencyCode = agencyCode
            self.roles = roles
            self.disabled = disabled
            self.totpRequired = totpRequired
        }
    }

    public func create(_ input: NewAccount, by actor: AdminActor) async throws -> Account {
        var errors: [Problem.FieldError] = []
        let name = VietnameseText.nfc(input.name.trimmingCharacters(in: .whitespacesAndNewlines))
        if name.isEmpty || name.count > 200 {
            errors.append(.init(pointer: "/name", message: "Họ tên (hoặc tên tổ chức) không được để trống và tối đa 200 ký tự."))
        }
        var username = ""
        var personalID: String?
        var taxCode: String?
        switch input.kind {
        case .official:
            username = LoginService.normalize(input.username ?? "")
            if !Self.isValidUsername(username) {
                errors.append(.init(pointer: "/username", message: "Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang, bắt đầu bằng chữ hoặc số."))
            }
            if input.personalId != nil || input.taxCode != nil {
                errors.append(.init(pointer: "/kind", message: "Tài khoản cán bộ đăng nhập bằng tên đăng nhập, không dùng số định danh hay mã số thuế."))
            }
        case .citizen:
            if let text = input.personalId {
                switch PersonalID.validate(text) {
                case .success(let id): personalID = id.value
                case .failure(let error): errors.append(.init(pointer: "/personalId", message: error.message))
                }
            }
            if let text = input.taxCode {
                switch TaxCode.validate(text) {
                case .success(let code): taxCode = code.value
                case .failure(let error): errors.append(.init(pointer: "/taxCode", message: error.message))
                }
            }
            if input.personalId == nil && input.taxCode == nil {
                errors.append(.init(pointer: "/personalId", message: "Công dân, doanh nghiệp cần số định danh cá nhân hoặc mã số thuế."))
            }
            if input.username != nil {
                errors.append(.init(pointer: "/username", message: "Công dân, doanh nghiệp đăng nhập bằng số định danh hoặc mã số thuế, không đặt tên đăng nhập."))
            }
            username = personalID ?? taxCode ?? ""
        }
        var agencyCode: String?
        if let text = input.agencyCode {
            switch AgencyCode.validate(text) {
            case .success(let code): agencyCode = code.value
            case .failure(let error): errors.append(.init(pointer: "/agencyCode", message: error.message))
            }
        }
        let roles = input.roles ?? []
        for (index, role) in roles.enumerated() where !Self.isValidRole(role) {
            errors.append(.init(pointer: "/roles/\(index)", message: "Tên vai trò gồm a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang."))
        }
        if let email = input.email, !Self.isPlausibleEmail(email) {
            errors.append(.init(pointer: "/email", message: "Địa chỉ thư điện tử không hợp lệ."))
        }
        for violation in policy.violations(input.password, context: .init(username: username, personalID: personalID, agencyCode: agencyCode)) {
            errors.append(.init(pointer: "/password", message: violation.message))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        if try await provider.accounts.credentials(forLogin: username) != nil {
            throw Problem(.conflict, detail: "Đã có tài khoản với tên đăng nhập, số định danh hoặc mã số thuế này.")
        }
        let now = Timestamp.now()
        let account = Account(
            id: UUID().uuidString.lowercased(), kind: input.kind, username: username, personalID: personalID, taxCode: taxCode,
            name: name, email: input.email, agencyCode: agencyCode, roles: roles, totpRequired: input.totpRequired ?? false,
            hasTOTP: false, disabled: false, createdAt: now, updatedAt: now, passwordChangedAt: now
        )
        try await provider.accounts.insert(account, passwordHash: try await provider.hasher.hash(input.password))
        try await provider.audit.record(actor.event("sso.user.created", type: "user", id: account.id, details: ["kind": account.kind.rawValue]))
        return account
    }

    public func find(_ id: String) async throws -> Account {
        guard let account = try await provider.accounts.find(id: id) else { throw Problem.notFound("Không có tài khoản \(id).") }
        return account
    }

    public func list(kind: Account.Kind?, query: String?, after: String?, limit: Int) async throws -> [Account] {
        try await provider.accounts.list(kind: kind, query: query, after: after, limit: limit)
    }

    public func update(_ id: String, _ changes: AccountChanges, by actor: AdminActor) async throws -> Account {
        let before = try await find(id)
        var account = before
        var errors: [Problem.FieldError] = []
        if let name = changes.name {
            let trimmed = VietnameseText.nfc(name.trimmingCharacters(in: .whitespacesAndNewlines))
            if trimmed.isEmpty || trimmed.count > 200 { errors.append(.init(pointer: "/name", message: "Họ tên không được để trống và tối đa 200 ký tự.")) }
            account.name = trimmed
        }
        if let email = changes.email {
            if !email.isEmpty && !Self.isPlausibleEmail(email) { errors.append(.init(pointer: "/email", message: "Địa chỉ thư điện tử không hợp lệ.")) }
            account.email = email.isEmpty ? nil : email
        }
        if let text = changes.agencyCode {
            switch AgencyCode.validate(text) {
            case .success(let code): account.agencyCode = code.value
            case .failure(let error): errors.append(.init(pointer: "/agencyCode", message: error.message))
            }
        }
        if let roles = changes.roles {
            for (index, role) in roles.enumerated() where !Self.isValidRole(role) {
                errors.append(.init(pointer: "/roles/\(index)", message: "Tên vai trò gồm a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang."))
            }
            account.roles = roles
        }
        if let required = changes.totpRequired { account.totpRequired = required }
        let disabling = changes.disabled == true && !account.disabled
        if let disabled = changes.disabled { account.disabled = disabled }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        account.updatedAt = Timestamp.now()
        try await provider.accounts.update(account)
        if disabling {
            try await endEverything(account.id, requestID: actor.requestID, reason: "account-disabled")
        } else if let roles = changes.roles, Set(roles) != Set(before.roles) {
            // Tokens carry the roles they were issued with, and refresh would re-issue privileged scopes:
            // a change of roles revokes what was issued before it.
            try await revokeRefreshFamilies(userID: account.id)
        }
        try await provider.audit.record(actor.event(
            disabling ? "sso.user.disabled" : "sso.user.updated", type: "user", id: account.id,
            details: ["fields": Self.changedFields(changes)]
        ))
        return account
    }

    /// Sets a password (checked against the policy). Set by an administrator: every session of the
    /// account ends. Changed by its owner (with the current password, which counts towards the lockout):
    /// every session but `keepingSession` ends, so a thief's sessions do not survive the change.
    public func setPassword(_ id: String, password: String, currentPassword: String?, keepingSession: String? = nil, by actor: AdminActor) async throws {
        guard let credentials = try await provider.accounts.credentials(id: id) else { throw Problem.notFound("Không có tài khoản \(id).") }
        if let currentPassword {
            switch try await provider.login.checkPassword(accountID: id, password: currentPassword, hash: credentials.passwordHash) {
            case .correct:
                break
            case .wrong:
                throw Problem.validation([.init(pointer: "/currentPassword", message: "Mật khẩu hiện tại không đúng.")])
            case .locked(let until):
                throw Problem(
                    .tooManyRequests, detail: "Tài khoản tạm thời bị khóa do nhập sai mật khẩu nhiều lần.",
                    headers: [.retryAfter: String(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))]
                )
            }
        }
        let account = credentials.account
        let violations = policy.violations(
            password, context: .init(username: account.username, personalID: account.personalID, agencyCode: account.agencyCode)
        )
        var errors = violations.map { Problem.FieldError(pointer: "/password", message: $0.message) }
        if try await provider.hasher.verify(password, hash: credentials.passwordHash) {
            errors.append(.init(pointer: "/password", message: "Mật khẩu mới phải khác mật khẩu hiện tại."))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        try await provider.accounts.setPassword(id: id, hash: try await provider.hasher.hash(password), at: Timestamp.now())
        try await endEverything(id, except: keepingSession, requestID: actor.requestID, reason: currentPassword == nil ? "password-reset" : "password-changed")
        try await provider.audit.record(actor.event(currentPassword == nil ? "sso.user.password_reset" : "sso.user.password_changed", type: "user", id: id))
    }

    /// Registers a new TOTP secret; returns it and the `otpauth://` URI for the authenticator app.
    public func enrollTOTP(_ id: String, by actor: AdminActor) async throws -> (secret: String, uri: String) {
        let account = try await find(id)
        let (secret, sealed) = try provider.login.newTOTPSecret()
        try await provider.accounts.setTOTPSecret(id: id, sealed: sealed, at: Timestamp.now())
        try await provider.audit.record(actor.event("sso.user.totp_enrolled", type: "user", id: id))
        return (secret, TOTP(secret: secret).createAuthenticatorURL(label: account.username, issuer: "LGSP Đắk Lắk"))
    }

    public func removeTOTP(_ id: String, by actor: AdminActor) async throws {
        _ = try await find(id)
        try await provider.accounts.setTOTPSecret(id: id, sealed: nil, at: Timestamp.now())
        try await provider.audit.record(actor.event("sso.user.totp_removed", type: "user", id: id))
    }

    func revokeRefreshFamilies(userID: String) async throws {
        for family in try await provider.refreshTokens.families(userID: userID) {
            try await provider.revokeFamily(family)
        }
    }

    func endEverything(_ userID: String, except kept: String? = nil, requestID: String?, reason: String) async throws {
        for sid in try await provider.sessions.endAll(userID: userID, except: kept) {
            for family in try await provider.refreshTokens.families(sid: sid) {
                try await provider.revokeFamily(family)
            }
            try await provider.revocations.revoke(
                .session, sid, until: Date().addingTimeInterval(Double(provider.settings.sessionMax.seconds + provider.settings.accessTokenTTL.seconds))
            )
        }
    }

    static func changedFields(_ changes: AccountChanges) -> String {
        var fields: [String] = []
        if changes.name != nil { fields.append("name") }
        if changes.email != nil { fields.append("email") }
        if changes.agencyCode != nil { fields.append("agencyCode") }
        if changes.roles != nil { fields.append("roles") }
        if changes.disabled != nil { fields.append("disabled") }
        if changes.totpRequired != nil { fields.append("totpRequired") }
        return fields.joined(separator: ",")
    }

    static func isValidUsername(_ username: String) -> Bool {
        let bytes = Array(username.utf8)
        guard (3...64).contains(bytes.count), let first = bytes.first, (0x61...0x7A).contains(first) || (0x30...0x39).contains(first) else {
            return false
        }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    static func isValidRole(_ role: String) -> Bool {
        (1...64).contains(role.utf8.count)
            && role.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !email.contains(where: \.isWhitespace) && email.count <= 254
    }
}
