import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App

/// R-11.3 and R-PL01-3.1: members with their electronic identifiers, restructurings that keep the
/// history and move systems, and per-environment credentials for systems.
@Suite struct GatewayMemberAPITests {
    static let base = "/api/v1/gateway/members"
    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func member(_ harness: DocStoreHarness, _ token: String, _ identifier: String, _ name: String) async throws -> String {
        let created = try await harness.json(.post, Self.base, bearer: token, #"{"identifier": "\#(identifier)", "name": "\#(name)", "level": "department", "contacts": [{"name": "Lê Thị Hoa", "email": "hoa@daklak.gov.vn", "phone": "0262 3812 345"}]}"#)
        #expect(created.status == .created, "\(Self.body(created))")
        return try #require(created.json?["id"]?.stringValue)
    }

    static func system(_ harness: DocStoreHarness, _ token: String, _ member: String, _ code: String) async throws -> String {
        let created = try await harness.json(.post, "\(Self.base)/\(member)/systems", bearer: token, #"{"code": "\#(code)", "name": "Hệ thống \#(code)", "kind": "information-system"}"#)
        #expect(created.status == .created, "\(Self.body(created))")
        return try #require(created.json?["id"]?.stringValue)
    }

    @Test func membersAreRegisteredWithValidIdentifiersAndSystemsGetCredentialsPerEnvironment() async throws {
        try await DocStoreHarness.with { harness in
            let operatorToken = try await harness.agencyToken("van-hanh", ["gateway.admin"])
            let denied = try await harness.agencyToken("khong-quyen", ["dossiers.process"])
            #expect(try await harness.json(.post, Self.base, bearer: denied, #"{"identifier": "000.00.31.H49", "name": "Sở", "level": "department"}"#).status == .forbidden)
            let bad = try await harness.json(.post, Self.base, bearer: operatorToken, #"{"identifier": "31.H49", "name": "S", "level": "department", "contacts": [{"name": "", "email": "x"}]}"#)
            #expect(bad.status == .unprocessableContent)

            let department = try await Self.member(harness, operatorToken, "000.00.31.H49", "Sở Tư pháp tỉnh Đắk Lắk")
            #expect(try await harness.json(.post, Self.base, bearer: operatorToken, #"{"identifier": "000.00.31.H49", "name": "Trùng mã", "level": "department"}"#).status == .conflict)
            let found = try await harness.send(.get, "\(Self.base)?q=so tu phap dak lak", bearer: operatorToken)
            #expect(found.json?["items"]?.arrayValue?.count == 1)

            let system = try await Self.system(harness, operatorToken, department, "ho-tich")
            let issued = try await harness.send(.post, "/api/v1/gateway/systems/\(system)/credentials/test", bearer: operatorToken)
            #expect(issued.status == .ok, "\(Self.body(issued))")
            let clientID = try #require(issued.json?["clientId"]?.stringValue)
            let secret = try #require(issued.json?["clientSecret"]?.stringValue)
            // The credentials work: a client-credentials token for gateway calls, with the agency's code.
            let token = try await harness.oidc.clientCredentials(clientID, secret, scope: "gateway.call")
            let principal = try await harness.platform.sso.tokens.verify(accessToken: token)
            #expect(principal.agencyCode == "000.00.31.H49")
            // Production gets its own client; asking again rotates the secret.
            let production = try await harness.send(.post, "/api/v1/gateway/systems/\(system)/credentials/production", bearer: operatorToken)
            #expect(production.json?["clientId"]?.stringValue != clientID)
            let rotated = try await harness.send(.post, "/api/v1/gateway/systems/\(system)/credentials/test", bearer: operatorToken)
            #expect(rotated.json?["clientId"]?.stringValue == clientID && rotated.json?["clientSecret"]?.stringValue != secret)
            let read = try await harness.send(.get, "/api/v1/gateway/systems/\(system)", bearer: operatorToken)
            #expect(read.json?["clients"]?["test"]?.stringValue == clientID)
            #expect(!Self.body(read).contains(secret))
        }
    }

    @Test func renameMergeSplitAndDissolveKeepTheHistoryAndMoveSystems() async throws {
        try await DocStoreHarness.with { harness in
            let operatorToken = try await harness.agencyToken("van-hanh", ["gateway.admin"])
            let a = try await Self.member(harness, operatorToken, "000.00.31.H49", "Sở Khoa học và Công nghệ")
            let b = try await Self.member(harness, operatorToken, "000.00.32.H49", "Sở Thông tin và Truyền thông")
            let systemB = try await Self.system(harness, operatorToken, b, "cong-thong-tin")
            let credentials = try await harness.send(.post, "/api/v1/gateway/systems/\(systemB)/credentials/production", bearer: operatorToken)
            let clientB = try #require(credentials.json?["clientId"]?.stringValue)
            let secretB = try #require(credentials.json?["clientSecret"]?.stringValue)

            // Merge B into A: B ends, its system moves to A and its tokens carry A's code.
            let merged = try await harness.json(.post, "\(Self.base)/\(a)/merge", bearer: operatorToken, #"{"sources": ["\#(b)"], "reason": "Nghị quyết sắp xếp 2025"}"#)
            #expect(merged.status == .ok, "\(Self.body(merged))")
            let bAfter = try await harness.send(.get, "\(Self.base)/\(b)", bearer: operatorToken)
            #expect(bAfter.json?["status"]?.stringValue == "merged" && bAfter.json?["successors"]?.arrayValue?.first?.stringValue == a)
            #expect(try await harness.send(.get, "/api/v1/gateway/systems/\(systemB)", bearer: operatorToken).json?["memberId"]?.stringValue == a)
            let token = try await harness.oidc.clientCredentials(clientB, secretB, scope: "gateway.call")
            #expect(try await harness.platform.sso.tokens.verify(accessToken: token).agencyCode == "000.00.31.H49")
            // B's identifier stays B's: nobody else may take it.
            #expect(try await harness.json(.post, Self.base, bearer: operatorToken, #"{"identifier": "000.00.32.H49", "name": "Đơn vị mới", "level": "unit"}"#).status == .conflict)

            // Rename A (name and identifier): the history shows both.
            let renamed = try await harness.json(.post, "\(Self.base)/\(a)/rename", bearer: operatorToken, #"{"name": "Sở Khoa học, Công nghệ và Truyền thông", "identifier": "000.00.33.H49", "reason": "Hợp nhất"}"#)
            #expect(renamed.status == .ok, "\(Self.body(renamed))")
            let history = try await harness.send(.get, "\(Self.base)/\(a)", bearer: operatorToken)
            let names = history.json?["names"]?.arrayValue ?? []
            #expect(names.map { $0["identifier"]?.stringValue ?? "" } == ["000.00.31.H49", "000.00.33.H49"])
            #expect(names.first?["validTo"]?.stringValue != nil && names.last?["validTo"] == nil)
            let renamedToken = try await harness.oidc.clientCredentials(clientB, secretB, scope: "gateway.call")
            #expect(try await harness.platform.sso.tokens.verify(accessToken: renamedToken).agencyCode == "000.00.33.H49")

            // Split A in two; each system must be given to exactly one part.
            let systemA = try await Self.system(harness, operatorToken, a, "khoa-hoc")
            let incomplete = try await harness.json(.post, "\(Self.base)/\(a)/split", bearer: operatorToken, """
                {"into": [{"identifier": "000.00.34.H49", "name": "Sở Khoa học và Công nghệ", "systems": ["\(systemA)"]},
                          {"identifier": "000.00.35.H49", "name": "Sở Văn hóa, Thể thao và Du lịch"}]}
                """)
            #expect(incomplete.status == .unprocessableContent)
            let split = try await harness.json(.post, "\(Self.base)/\(a)/split", bearer: operatorToken, """
                {"into": [{"identifier": "000.00.34.H49", "name": "Sở Khoa học và Công nghệ", "systems": ["\(systemA)"]},
                          {"identifier": "000.00.35.H49", "name": "Sở Văn hóa, Thể thao và Du lịch", "systems": ["\(systemB)"]}], "reason": "Chia tách"}
                """)
            #expect(split.status == .ok, "\(Self.body(split))")
            let parts = split.json?["items"]?.arrayValue ?? []
            let second = try #require(parts.last?["id"]?.stringValue)
            #expect(try await harness.send(.get, "/api/v1/gateway/systems/\(systemB)", bearer: operatorToken).json?["memberId"]?.stringValue == second)
            #expect(try await harness.send(.get, "\(Self.base)/\(a)", bearer: operatorToken).json?["status"]?.stringValue == "split")

            // Dissolve the second part without a successor: its systems stop and so do their credentials.
            let dissolved = try await harness.json(.post, "\(Self.base)/\(second)/dissolve", bearer: operatorToken, #"{"reason": "Quyết định giải thể số 12/QĐ-UBND"}"#)
            #expect(dissolved.status == .ok, "\(Self.body(dissolved))")
            #expect(try await harness.send(.get, "/api/v1/gateway/systems/\(systemB)", bearer: operatorToken).json?["status"]?.stringValue == "disabled")
            let refused = try await harness.oidc.token([("grant_type", "client_credentials"), ("scope", "gateway.call")], clientID: clientB, secret: secretB)
            #expect(refused.status != .ok)

            // Every step is in the audit log.
            let actions = try await harness.platform.database.sql.raw(
                "SELECT DISTINCT action FROM audit_entries WHERE action LIKE 'gateway.member.%'"
            ).all().map { try $0.decode(column: "action", as: String.self) }
            #expect(Set(actions) == ["gateway.member.create", "gateway.member.merge", "gateway.member.rename", "gateway.member.split", "gateway.member.dissolve"])
        }
    }
}
