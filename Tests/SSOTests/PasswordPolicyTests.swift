import Core
import Testing

@testable import SSO

/// R-PL01-2.2b: at least 8 characters with lower, upper, digit and special; not related to the username,
/// the personal id, the agency's code or name.
@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy()

    func rules(_ password: String, _ context: PasswordPolicy.Context = .init()) -> Set<PasswordPolicy.Rule> {
        Set(policy.violations(password, context: context).map(\.rule))
    }

    @Test func aGoodPasswordPasses() {
        #expect(rules("Daklak@2026!", .init(username: "cb.lan", personalID: "066085000123", agencyCode: "000.00.31.H49", agencyName: "Sở Khoa học và Công nghệ")).isEmpty)
        #expect(rules("Mật-khẩu-Tốt-9").isEmpty, "Vietnamese letters count as letters")
    }

    @Test(arguments: [
        ("Ab1!xyz", PasswordPolicy.Rule.length),
        ("ABCDEFG1!", .lowercase),
        ("abcdefg1!", .uppercase),
        ("Abcdefgh!", .digit),
        ("Abcdefgh1", .special),
    ])
    func eachCharacterRuleIsReportedAlone(password: String, rule: PasswordPolicy.Rule) {
        #expect(rules(password) == [rule])
    }

    @Test func everyUnmetRuleIsReportedAtOnceInVietnamese() {
        let violations = policy.violations("abc", context: .init())
        #expect(Set(violations.map(\.rule)) == [.length, .uppercase, .digit, .special])
        #expect(violations.allSatisfy { !$0.message.isEmpty })
        #expect(violations.first { $0.rule == .length }?.message == "Mật khẩu phải có ít nhất 8 ký tự.")
    }

    @Test func notRelatedToTheUsername() {
        #expect(rules("Xx!9cb.lanQ", .init(username: "cb.lan")) == [.containsUsername])
        #expect(rules("Xx!9CB.LANq", .init(username: "cb.lan")) == [.containsUsername], "case does not hide it")
    }

    @Test func notRelatedToThePersonalID() {
        #expect(rules("Ab!066085000123", .init(personalID: "066085000123")) == [.containsPersonalID])
    }

    @Test func notRelatedToTheAgency() {
        let context = PasswordPolicy.Context(agencyCode: "000.00.31.H49", agencyName: "Sở Khoa học và Công nghệ Đắk Lắk")
        #expect(rules("Xy!9h49abcd", context) == [.containsAgency], "level-1 code")
        #expect(rules("Xy!9000.00.31.H49", context) == [.containsAgency], "whole code")
        #expect(rules("Congnghe!2026X", context) == [.containsAgency], "a significant word of the name, accents folded")
        #expect(rules("Tin-hoc@2026X", context).isEmpty)
    }
}

@Suite struct SecretsTests {
    /// RFC 7636 appendix B.
    @Test func pkceS256MatchesTheRFCExample() {
        #expect(Secrets.pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func verifiersAreChecked() {
        #expect(Secrets.isValidVerifier(String(repeating: "a", count: 43)))
        #expect(!Secrets.isValidVerifier(String(repeating: "a", count: 42)))
        #expect(!Secrets.isValidVerifier(String(repeating: "a", count: 129)))
        #expect(!Secrets.isValidVerifier(String(repeating: "a", count: 42) + "+"))
    }

    @Test func clientSecretHashesVerifyOnlyTheirSecret() {
        let secret = Secrets.token()
        let stored = Secrets.clientSecretHash(secret)
        #expect(Secrets.clientSecretMatches(secret, storedHash: stored))
        #expect(!Secrets.clientSecretMatches(secret + "x", storedHash: stored))
        #expect(!Secrets.clientSecretMatches(secret, storedHash: "not-hex"))
        #expect(!stored.contains(secret))
    }

    @Test func tokensAreRandomAndURLSafe() {
        let tokens = (0..<100).map { _ in Secrets.token() }
        #expect(Set(tokens).count == 100)
        #expect(tokens.allSatisfy { $0.count == 43 && !$0.contains("+") && !$0.contains("/") && !$0.contains("=") })
    }
}

@Suite struct RateLimiterTests {
    @Test func windowsResetAfterAMinute() {
        let limiter = IPRateLimiter(limit: 2)
        let start = Date()
        #expect(limiter.allow("10.0.0.1", now: start))
        #expect(limiter.allow("10.0.0.1", now: start))
        #expect(!limiter.allow("10.0.0.1", now: start.addingTimeInterval(30)))
        #expect(limiter.allow("10.0.0.2", now: start.addingTimeInterval(30)), "per address")
        #expect(limiter.allow("10.0.0.1", now: start.addingTimeInterval(61)))
    }
}

import Foundation
