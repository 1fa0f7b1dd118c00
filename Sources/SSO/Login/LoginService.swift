import Core
import Crypto
import Foundation
import HummingbirdOTP

/// Checks what a person typed: password (bcrypt), lockout after repeated failures, and a TOTP second
/// factor where the account has one (RFC 6238). An unknown identifier is treated exactly like a wrong
/// password — same answer, same time (bcrypt against a decoy hash), same lockout — so the login page
/// does not tell which accounts exist.
final class LoginService: Sendable {
    let accounts: AccountStore
    let failures: LoginFailureStore
    let hasher: PasswordHasher
    let settings: SSOSettings
    let identifierKey: SymmetricKey
    let masterKey: MasterKey

    static let totpPurpose = "lgsp/sso/totp/v1"

    init(accounts: AccountStore, failures: LoginFailureStore, hasher: PasswordHasher, settings: SSOSettings, masterKey: MasterKey) {
        self.accounts = accounts
        self.failures = failures
        self.hasher = hasher
        self.settings = settings
        self.masterKey = masterKey
        self.identifierKey = masterKey.derivedKey(for: "lgsp/sso/login-identifier/v1")
    }

    enum Outcome: Sendable, Equatable {
        case success(Account, amr: [String])
        case secondFactorRequired(Account)
        /// The account must use a second factor but has none registered.
        case secondFactorNotEnrolled
        case invalid
        case locked(until: Date)
    }

    /// How identifiers are compared: trimmed, NFC, lower case.
    static func normalize(_ identifier: String) -> String {
        VietnameseText.nfc(identifier.trimmingCharacters(in: .whitespacesAndNewlines)).lowercased()
    }

    /// The key failures are counted under: the account when the identifier names one (so a citizen's
    /// personal id and tax code share one counter), the identifier itself otherwise. Stored as an HMAC.
    func lockKey(identifier: String, accountID: String?) -> String {
        let subject = accountID.map { "account:" + $0 } ?? "identifier:" + Self.normalize(identifier)
        return Array(HMAC<SHA256>.authenticationCode(for: Array(subject.utf8), using: identifierKey)).hexString
    }

    private func lockedUntil(_ key: String) async throws -> Date? {
        guard let state = try await failures.state(key), let until = state.lockedUntil, until > Date() else { return nil }
        return until
    }

    private func countFailure(_ key: String) async throws -> Outcome {
        if let until = try await failures.recordFailure(
            key, maxFailures: settings.loginMaxFailures, base: settings.loginLockout.duration, maximum: settings.loginLockoutMax.duration
        ) {
            return .locked(until: until)
        }
        return .invalid
    }

    func authenticate(identifier: String, password: String) async throws -> Outcome {
        let normalized = Self.normalize(identifier)
        let credentials = normalized.isEmpty ? nil : try await accounts.credentials(forLogin: normalized)
        let key = lockKey(identifier: normalized, accountID: credentials?.account.id)
        if let until = try await lockedUntil(key) {
            return .locked(until: until)
        }
        let matches = try await hasher.verify(password, hash: credentials?.passwordHash)
        guard matches, let credentials, !credentials.account.disabled else {
            return try await countFailure(key)
        }
        let account = credentials.account
        if account.hasTOTP {
            // The failure count stays until the second factor is passed too: a known password must not
            // reset the lockout of guesses at the code.
            return .secondFactorRequired(account)
        }
        if account.totpRequired {
            return .secondFactorNotEnrolled
        }
        try await failures.reset(key)
        return .success(account, amr: ["pwd"])
    }

    enum PasswordCheck: Sendable, Equatable {
        case correct
        case wrong
        case locked(until: Date)
    }

    /// Checks an account's current password outside the login page (changing one's own password); a wrong
    /// one counts towards the same lockout, and a locked account is not checked at all.
    func checkPassword(accountID: String, password: String, hash: String) async throws -> PasswordCheck {
        let key = lockKey(identifier: "", accountID: accountID)
        if let until = try await lockedUntil(key) { return .locked(until: until) }
        guard try await hasher.verify(password, hash: hash) else {
            if case .locked(let until) = try await countFailure(key) { return .locked(until: until) }
            return .wrong
        }
        try await failures.reset(key)
        return .correct
    }

    /// Checks a TOTP code for an account whose password was accepted. Wrong codes count towards the same
    /// lockout as wrong passwords; a code is accepted once.
    func verifySecondFactor(accountID: String, code: String) async throws -> Outcome {
        let key = lockKey(identifier: "", accountID: accountID)
        if let until = try await lockedUntil(key) {
            return .locked(until: until)
        }
        guard let credentials = try await accounts.credentials(id: accountID), !credentials.account.disabled,
            let sealed = credentials.sealedTOTPSecret
        else { return .invalid }
        let secret = String(decoding: try masterKey.open(sealed, purpose: Self.totpPurpose), as: UTF8.self)
        let digits = code.filter { !$0.isWhitespace }
        let now = Date()
        let step = Int64(now.timeIntervalSince1970) / 30
        var acceptedStep: Int64?
        if digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            let totp = TOTP(secret: secret)
            for offset in [Int64(0), -1, 1] {
                let candidate = step + offset
                let expected = totp.compute(date: Date(timeIntervalSince1970: Double(candidate * 30)))
                if Secrets.equal(String(format: "%06d", expected), digits) {
                    acceptedStep = candidate
                    break
                }
            }
        }
        guard let acceptedStep, try await accounts.claimTOTPStep(id: accountID, step: acceptedStep) else {
            return try await countFailure(key)
        }
        try await failures.reset(key)
        return .success(credentials.account, amr: ["pwd", "otp"])
    }

    /// A new TOTP secret for an account, sealed for storage; returns the secret (for the authenticator app).
    func newTOTPSecret() throws -> (secret: String, sealed: String) {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let secret = String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        return (secret, try masterKey.seal(Array(secret.utf8), purpose: Self.totpPurpose))
    }
}
