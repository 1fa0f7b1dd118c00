import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import DocStore

/// R-7.1c-dossier: digitized results sealed by the platform, verified, revoked and reused with a purpose
/// (R-8.3, R-14.5).
@Suite struct ResultAPITests {
    static let base = "/api/v1/docstore/results"
    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func issue(_ harness: DocStoreHarness, token: String, number: String, owner: String = "066085000123", validUntil: String? = nil) async throws -> TestResponse {
        let file = (0..<80_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ number.count) }
        let upload = try await harness.tusUpload(file, name: "giay-khai-sinh-\(number).pdf", type: "application/pdf", bearer: token)
        let until = validUntil.map { #", "validUntil": "\#($0)""# } ?? ""
        return try await harness.json(.post, Self.base, bearer: token, """
            {"uploadId": "\(upload)", "number": "\(number)", "type": "giay-khai-sinh", "procedureCode": "1.001193", "signer": "Nguyễn Văn Bình",
             "issueDate": "2026-11-20"\(until), "owners": [{"kind": "citizen", "id": "\(owner)", "name": "Trần Văn An"}],
             "fields": {"hoTen": "Trần Văn An", "ngaySinh": "2026-11-01", "noiSinh": "Buôn Ma Thuột"}}
            """)
    }

    @Test func anAgencyStoresASealedResultThatVerifiesAndDetectsTampering() async throws {
        try await DocStoreHarness.with { harness in
            let issuer = try await harness.agencyToken("ho-tich", ["results.issue", "docstore.files"])
            let created = try await Self.issue(harness, token: issuer, number: "123/2026")
            #expect(created.status == .created, "\(Self.body(created))")
            let json = try #require(created.json)
            let id = try #require(json["id"]?.stringValue)
            let seal = try #require(json["seal"]?.stringValue)
            #expect(seal.split(separator: ".").count == 3)
            // The seal is an ES256 JWS by a key published in the platform's JWKS.
            var encoded = String(seal.split(separator: ".")[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while encoded.count % 4 != 0 { encoded += "=" }
            let header = try JSONDecoder().decode(JSONValue.self, from: try #require(Data(base64Encoded: encoded)))
            #expect(header["alg"]?.stringValue == "ES256" && header["typ"]?.stringValue == "lgsp-result+jwt")
            let jwks = try await harness.send(.get, "/sso/jwks", bearer: nil)
            #expect(Self.body(jwks).contains(header["kid"]?.stringValue ?? "none"))

            let duplicate = try await Self.issue(harness, token: issuer, number: "123/2026")
            #expect(duplicate.status == .conflict)

            let verified = try await harness.send(.get, "\(Self.base)/\(id)/verify", bearer: issuer)
            #expect(verified.json?["valid"]?.boolValue == true, "\(Self.body(verified))")

            // After key rotations the old seal still verifies.
            try await harness.platform.sso.keys.rotate()
            try await harness.platform.sso.keys.rotate()
            #expect(try await harness.send(.get, "\(Self.base)/\(id)/verify", bearer: issuer).json?["valid"]?.boolValue == true)
            // Anyone can fetch every key a seal may carry, to verify offline.
            let sealKeys = try await harness.send(.get, "/api/v1/docstore/seal-keys", bearer: nil)
            let kids = sealKeys.json?["keys"]?.arrayValue?.compactMap { $0["kid"]?.stringValue } ?? []
            #expect(kids.count == 3 && kids.contains(header["kid"]?.stringValue ?? "none"))

            // Changed metadata in the database: the seal no longer covers it.
            try await harness.platform.database.sql.raw("UPDATE doc_results SET signer = 'Người khác' WHERE id = \(bind: id)").run()
            let altered = try await harness.send(.get, "\(Self.base)/\(id)/verify", bearer: issuer)
            #expect(altered.json?["valid"]?.boolValue == false)
            #expect(altered.json?["sealValid"]?.boolValue == true && altered.json?["metadataMatches"]?.boolValue == false)
            try await harness.platform.database.sql.raw("UPDATE doc_results SET signer = 'Nguyễn Văn Bình' WHERE id = \(bind: id)").run()

            // Changed bytes on disk: the file check fails.
            let digest = try #require(json["sha256"]?.stringValue)
            let content = try #require(try await harness.platform.docStore.uploads.store.content(digest))
            let path = harness.platform.docStore.uploads.files.contentPath(content.file).string
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            handle.seek(toFileOffset: 100)
            handle.write(Data([0xFF, 0xFE]))
            try handle.close()
            let corrupted = try await harness.send(.get, "\(Self.base)/\(id)/verify", bearer: issuer)
            #expect(corrupted.json?["valid"]?.boolValue == false && corrupted.json?["fileMatches"]?.boolValue == false, "\(Self.body(corrupted))")
        }
    }

    @Test func reuseNeedsAPurposeSeesOnlyValidResultsAndIsAudited() async throws {
        try await DocStoreHarness.with { harness in
            let issuer = try await harness.agencyToken("ho-tich", ["results.issue", "docstore.files"])
            let reuser = try await harness.agencyToken("giao-duc", ["results.reuse"], agency: "000.00.32.H49")
            let first = try #require(try await Self.issue(harness, token: issuer, number: "1/2026").json?["id"]?.stringValue)
            let second = try #require(try await Self.issue(harness, token: issuer, number: "2/2026").json?["id"]?.stringValue)
            let expired = try await Self.issue(harness, token: issuer, number: "3/2026", validUntil: "2026-11-21")
            #expect(expired.status == .created)
            _ = try await Self.issue(harness, token: issuer, number: "4/2026", owner: "066085000999")

            let noPurpose = try await harness.send(.get, "\(Self.base)?owner=066085000123", bearer: reuser)
            #expect(noPurpose.status == .unprocessableContent)
            let purpose = "Tuyển sinh lớp 1 năm học 2026-2027".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let listed = try await harness.send(.get, "\(Self.base)?owner=066085000123&type=giay-khai-sinh&purpose=\(purpose)", bearer: reuser)
            #expect(Set(listed.json?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []) == [first, second], "\(Self.body(listed))")

            let revoked = try await harness.json(.post, "\(Self.base)/\(second)/revoke", bearer: issuer, #"{"reason": "Cấp nhầm thông tin nơi sinh"}"#)
            #expect(revoked.status == .ok)
            #expect(revoked.json?["status"]?.stringValue == "revoked")
            let again = try await harness.json(.post, "\(Self.base)/\(second)/revoke", bearer: issuer, #"{"reason": "Cấp nhầm thông tin nơi sinh"}"#)
            #expect(again.status == .conflict)
            let notIssuer = try await harness.json(.post, "\(Self.base)/\(first)/revoke", bearer: reuser, #"{"reason": "Không phải cơ quan cấp"}"#)
            #expect(notIssuer.status == .forbidden)
            let afterRevoke = try await harness.send(.get, "\(Self.base)?owner=066085000123&purpose=\(purpose)", bearer: reuser)
            #expect(afterRevoke.json?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [first])
            #expect(try await harness.send(.get, "\(Self.base)/\(second)?purpose=\(purpose)", bearer: reuser).status == .gone)
            let verifyRevoked = try await harness.send(.get, "\(Self.base)/\(second)/verify", bearer: issuer)
            #expect(verifyRevoked.json?["valid"]?.boolValue == false && verifyRevoked.json?["revoked"]?.boolValue == true)

            let read = try await harness.send(.get, "\(Self.base)/\(first)/content?purpose=\(purpose)", bearer: reuser)
            #expect(read.status == .ok && read.body.readableBytes == 80_000)

            // The citizen lists their own (revoked ones too), not someone else's.
            let citizen = try await harness.citizenToken(scope: "openid personal_id results.read")
            let own = try await harness.send(.get, Self.base, bearer: citizen)
            #expect(own.json?["items"]?.arrayValue?.count == 3)
            #expect(try await harness.send(.get, "\(Self.base)?owner=066085000999", bearer: citizen).status == .forbidden)
            let fourth = try await harness.send(.get, "\(Self.base)?owner=066085000999&purpose=\(purpose)", bearer: reuser)
            let othersResult = try #require(fourth.json?["items"]?.arrayValue?.first?["id"]?.stringValue)
            #expect(try await harness.send(.get, "\(Self.base)/\(othersResult)", bearer: citizen).status == .notFound)

            // Every reuse is in the audit log with its purpose; the person appears only as a digest.
            let entries = try await harness.platform.database.sql.raw(
                "SELECT action, object_id, details FROM audit_entries WHERE action IN ('docstore.result.reuse-list', 'docstore.result.content.read') ORDER BY seq"
            ).all()
            #expect(entries.count == 4)
            for entry in entries {
                #expect(try entry.decode(column: "details", as: String.self).contains("Tuyển sinh lớp 1"))
                #expect(!(try entry.decode(column: "object_id", as: String.self)).contains("066085000123"))
            }
        }
    }
}
