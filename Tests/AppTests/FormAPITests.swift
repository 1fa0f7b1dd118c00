import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SSO
import Testing

@testable import App

/// Forms over the real router, SSO and seed catalogs (R-7.1c-content): definitions and their lifecycle,
/// validation with catalog codes, submissions kept with their version, who may read them.
@Suite struct FormAPITests {
    static let base = "/api/v1/forms"
    static let agency = "000.00.31.H49"

    static let schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "required": ["hoTen", "ngaySinh", "danToc", "tinh", "xa"],
          "properties": {
            "hoTen": {"type": "string", "minLength": 1, "maxLength": 100, "x-label": "Họ và tên"},
            "ngaySinh": {"type": "string", "format": "date", "x-label": "Ngày sinh"},
            "soDinhDanh": {"type": "string", "x-identifier": "personal-id", "x-label": "Số định danh cá nhân"},
            "danToc": {"type": "string", "x-catalog": "dan-toc", "x-label": "Dân tộc"},
            "tinh": {"type": "string", "x-catalog": "don-vi-hanh-chinh", "x-label": "Tỉnh/thành phố"},
            "xa": {"type": "string", "x-catalog": "don-vi-hanh-chinh", "x-catalog-parent": "tinh", "x-label": "Xã/phường"}
          },
          "additionalProperties": false
        }
        """

    static let good = #"{"hoTen": "Y Moan Niê", "ngaySinh": "2020-05-01", "danToc": "10", "tinh": "66", "xa": "24133"}"#

    /// A client-credentials token for an agency system of `agency`.
    static func token(_ harness: CatalogHarness, _ id: String, _ scopes: [String], agency: String = FormAPITests.agency) async throws -> String {
        let created = try await harness.platform.sso.clients.create(
            .init(clientId: id, name: "Hệ thống \(id)", type: .confidential, tokenEndpointAuthMethod: .clientSecretBasic, redirectUris: [],
                  postLogoutRedirectUris: [], grantTypes: [.clientCredentials], scopes: scopes, agencyCode: agency),
            by: .commandLine
        )
        return try await harness.oidc.clientCredentials(id, created.clientSecret ?? "", scope: scopes.joined(separator: " "))
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func create(_ harness: CatalogHarness, admin: String, key: String = "to-khai-thu", schema: String = FormAPITests.schema) async throws {
        let created = try await harness.send(.post, base, bearer: admin, body: """
            {"key": "\(key)", "title": "Tờ khai thử nghiệm đăng ký", "procedureCode": "1.001193", "ownerAgency": "\(Self.agency)", "schema": \(schema)}
            """)
        #expect(created.status == .created, "\(body(created))")
        let published = try await harness.send(.post, "\(base)/\(key)/versions/1/publish", bearer: admin)
        #expect(published.status == .ok, "\(body(published))")
    }

    @Test func publishingChecksTheSchemaItsKeywordsAndItsCatalogs() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await Self.token(harness, "forms-admin", ["forms.admin"])
            // Unsupported keyword and format, and an unknown catalog: the draft is kept, publishing is refused with each place.
            let bad = #"{"type": "object", "properties": {"ip": {"type": "string", "format": "ipv4"}, "ma": {"type": "string", "x-catalog": "khong-co"}, "x": {"minimum": 1, "maximun": 5}}}"#
            let created = try await harness.send(.post, Self.base, bearer: admin, body: #"{"key": "sai", "title": "Sai", "ownerAgency": "\#(Self.agency)", "schema": \#(bad)}"#)
            #expect(created.status == .created)
            let refused = try await harness.send(.post, "\(Self.base)/sai/versions/1/publish", bearer: admin)
            #expect(refused.status == .unprocessableContent)
            let pointers = Set((refused.json?["errors"]?.arrayValue ?? []).compactMap { $0["pointer"]?.stringValue })
            #expect(pointers == ["/schema/properties/ip/format", "/schema/properties/ma/x-catalog", "/schema/properties/x/maximun"], "\(Self.body(refused))")
            // A schema that does not compile is refused when saved, with its pointer.
            let broken = try await harness.send(.put, "\(Self.base)/sai/versions/1", bearer: admin, body: #"{"schema": {"properties": {"a": {"pattern": "("}}}}"#)
            #expect(broken.status == .unprocessableContent)
            #expect(broken.json?["errors"]?.arrayValue?.first?["pointer"] == "/schema/properties/a/pattern")
            // Without forms.admin: no.
            let citizen = try await Self.token(harness, "cong-dan", ["forms.submit"])
            #expect(try await harness.send(.post, Self.base, bearer: citizen, body: #"{"key": "x1", "title": "X", "ownerAgency": "\#(Self.agency)"}"#).status == .forbidden)
            #expect(try await harness.send(.post, Self.base, bearer: nil, body: #"{"key": "x1", "title": "X", "ownerAgency": "\#(Self.agency)"}"#).status == .unauthorized)
            // Editing a form's description: the owner moves to the real operator agency; bad values name their field.
            let edited = try await harness.send(.patch, "\(Self.base)/sai", bearer: admin, body: #"{"title": "Tờ khai đã sửa", "ownerAgency": "000.00.32.H49", "procedureCode": null}"#)
            #expect(edited.status == .ok && edited.json?["title"] == "Tờ khai đã sửa" && edited.json?["ownerAgency"] == "000.00.32.H49" && edited.json?["procedureCode"] == nil)
            let badEdit = try await harness.send(.patch, "\(Self.base)/sai", bearer: admin, body: #"{"ownerAgency": "x", "key": "khac"}"#)
            #expect(badEdit.status == .unprocessableContent && badEdit.json?["errors"]?.arrayValue?.first?["pointer"] == "/key")
            // Invalid definitions.
            let invalid = try await harness.send(.post, Self.base, bearer: admin, body: #"{"key": "Sai Khoa", "title": "", "ownerAgency": "abc"}"#)
            #expect(Set((invalid.json?["errors"]?.arrayValue ?? []).compactMap { $0["pointer"]?.stringValue }) == ["/key", "/title", "/ownerAgency"])
        }
    }

    @Test func validationUsesTheCatalogsAndReportsEveryError() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await Self.token(harness, "forms-admin", ["forms.admin"])
            try await Self.create(harness, admin: admin)
            // Public list and search without accents.
            let list = try await harness.json("\(Self.base)?q=to%20khai%20thu")
            #expect(list["items"]?.arrayValue?.first?["form"]?["key"] == "to-khai-thu")
            #expect(list["items"]?.arrayValue?.first?["currentVersion"] == 1)
            let version = try await harness.json("\(Self.base)/to-khai-thu/versions/1")
            #expect(version["status"] == "published" && version["schema"]?["properties"]?["xa"]?["x-catalog-parent"] == "tinh")

            let wrong = #"{"data": {"hoTen": "", "ngaySinh": "2020-02-30", "soDinhDanh": "123", "danToc": "99", "tinh": "01", "xa": "24133", "them": 1}}"#
            let answer = try #require(try await harness.send(.post, "\(Self.base)/to-khai-thu/validate", bearer: nil, body: wrong).json)
            #expect(answer["valid"] == false && answer["version"] == 1)
            let messages = Dictionary(uniqueKeysWithValues: (answer["errors"]?.arrayValue ?? []).map { ($0["pointer"]?.stringValue ?? "", $0["message"]?.stringValue ?? "") })
            #expect(messages["/hoTen"] == "Họ và tên không được để trống.")
            #expect(messages["/ngaySinh"] == "Ngày sinh phải là ngày (YYYY-MM-DD) hợp lệ.")
            #expect(messages["/soDinhDanh"]?.hasPrefix("Số định danh cá nhân:") == true)
            #expect(messages["/danToc"]?.hasPrefix("Dân tộc: Mã “99” không có trong danh mục") == true, "\(messages)")
            #expect(messages["/xa"] == "Xã/phường “Phường Buôn Ma Thuột” không thuộc Tỉnh/thành phố đã chọn.")
            #expect(messages["/them"] == "Trường “them” không có trong biểu mẫu.")
            #expect(messages.count == 6)
            let right = try #require(try await harness.send(.post, "\(Self.base)/to-khai-thu/validate", bearer: nil, body: #"{"data": \#(Self.good)}"#).json)
            #expect(right["valid"] == true && right["errors"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func submissionsKeepTheirVersionAndOnlyTheRightPeopleSeeThem() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await Self.token(harness, "forms-admin", ["forms.admin"])
            try await Self.create(harness, admin: admin)
            let portal = try await Self.token(harness, "cong-dich-vu-cong", ["forms.submit"])
            let other = try await Self.token(harness, "cong-khac", ["forms.submit"])
            let reviewer = try await Self.token(harness, "so-tu-phap", ["forms.review"])
            let stranger = try await Self.token(harness, "so-khac", ["forms.review"], agency: "000.00.32.H49")

            let invalid = try await harness.send(.post, "\(Self.base)/to-khai-thu/submissions", bearer: portal, body: #"{"data": {"hoTen": "A"}}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect((invalid.json?["errors"]?.arrayValue ?? []).contains { $0["pointer"] == "/data/ngaySinh" && $0["message"] == "Ngày sinh là bắt buộc." })
            #expect(try await harness.send(.post, "\(Self.base)/to-khai-thu/submissions", bearer: nil, body: #"{"data": \#(Self.good)}"#).status == .unauthorized)

            let submitted = try await harness.send(.post, "\(Self.base)/to-khai-thu/submissions", bearer: portal, body: #"{"data": \#(Self.good)}"#)
            #expect(submitted.status == .created, "\(Self.body(submitted))")
            let id = try #require(submitted.json?["id"]?.stringValue)
            #expect(submitted.json?["version"] == 1 && submitted.json?["status"] == "received")
            let path = "\(Self.base)/to-khai-thu/submissions/\(id)"
            #expect(try await harness.json(path, bearer: portal)["data"]?["xa"] == "24133")
            #expect(try await harness.get(path, bearer: other).status == .notFound)
            #expect(try await harness.get(path, bearer: stranger).status == .notFound)
            #expect(try await harness.json(path, bearer: reviewer)["submitter"]?["client"] == "cong-dich-vu-cong")
            // Listing: the owning agency sees all, a submitter their own, another agency nothing.
            _ = try await harness.send(.post, "\(Self.base)/to-khai-thu/submissions", bearer: other, body: #"{"data": \#(Self.good)}"#)
            #expect(try await harness.json("\(Self.base)/to-khai-thu/submissions", bearer: reviewer)["items"]?.arrayValue?.count == 2)
            #expect(try await harness.json("\(Self.base)/to-khai-thu/submissions", bearer: portal)["items"]?.arrayValue?.count == 1)
            #expect(try await harness.get("\(Self.base)/to-khai-thu/submissions", bearer: stranger).status == .forbidden)
            // The agency moves it on.
            let moved = try await harness.send(.patch, path, bearer: reviewer, body: #"{"status": "processing"}"#)
            #expect(moved.status == .ok && moved.json?["status"] == "processing")
            #expect(try await harness.json("\(Self.base)/to-khai-thu/submissions?status=processing", bearer: reviewer)["items"]?.arrayValue?.count == 1)

            // Version 2 requires the personal id; version 1's submission still says version 1.
            let draft = try await harness.send(.post, "\(Self.base)/to-khai-thu/versions", bearer: admin)
            #expect(draft.status == .created && draft.json?["number"] == 2)
            #expect(try await harness.get("\(Self.base)/to-khai-thu/versions/2").status == .notFound, "drafts are not public")
            let stricter = Self.schema.replacingOccurrences(of: #""required": ["hoTen","#, with: #""required": ["soDinhDanh", "hoTen","#)
            #expect(try await harness.send(.put, "\(Self.base)/to-khai-thu/versions/2", bearer: admin, body: #"{"schema": \#(stricter)}"#).status == .ok)
            #expect(try await harness.send(.post, "\(Self.base)/to-khai-thu/versions/2/publish", bearer: admin).status == .ok)
            #expect(try await harness.send(.put, "\(Self.base)/to-khai-thu/versions/2", bearer: admin, body: #"{"schema": {}}"#).status == .conflict, "published versions never change")
            let missingID = try await harness.send(.post, "\(Self.base)/to-khai-thu/submissions", bearer: portal, body: #"{"data": \#(Self.good)}"#)
            #expect(missingID.status == .unprocessableContent)
            let onVersion1 = try await harness.send(.post, "\(Self.base)/to-khai-thu/submissions", bearer: portal, body: #"{"data": \#(Self.good), "version": 1}"#)
            #expect(onVersion1.status == .created && onVersion1.json?["version"] == 1)
            #expect(try await harness.json(path, bearer: portal)["version"] == 1)
            #expect(try await harness.send(.post, "\(Self.base)/to-khai-thu/versions/1/retire", bearer: admin).status == .ok)
            #expect(try await harness.send(.post, "\(Self.base)/to-khai-thu/submissions", bearer: portal, body: #"{"data": \#(Self.good), "version": 1}"#).status == .conflict)

            // Audited with the data's digest, never the data.
            let entries = try await harness.platform.services.audit.entries()
            let created = try #require(entries.first { $0.event.action == "forms.submission.create" && $0.event.objectID == id })
            #expect(created.event.digests["data"]?.hasPrefix("sha256:") == true)
            #expect(!entries.contains { "\($0.event.details)".contains("Y Moan") })
            #expect(entries.contains { $0.event.action == "forms.version.publish" } && entries.contains { $0.event.action == "forms.version.retire" })
        }
    }

    static let birth = """
        {"kinhGui": "Ủy ban nhân dân phường Buôn Ma Thuột", "nguoiYeuCau": {"hoTen": "H Hen Niê", "soDinhDanh": "066190000123", "quanHe": "mẹ", "dienThoai": "0912345678"},
         "treEm": {"ho": "Niê", "chuDemVaTen": "H Ngọc", "ngaySinh": "2026-11-01", "gioiTinh": "2", "danToc": "10", "quocTich": "VN",
                   "noiSinhTinh": "66", "noiSinhXa": "24133", "noiSinhCoSo": "Bệnh viện Đa khoa vùng Tây Nguyên"},
         "me": {"hoTen": "H Hen Niê", "namSinh": 1990, "danToc": "10", "quocTich": "VN", "soDinhDanh": "066190000123", "noiCuTru": "Phường Buôn Ma Thuột, tỉnh Đắk Lắk"},
         "soBanSao": 1, "camDoan": true}
        """

    // R-7.1c-content: the regulation's Mẫu 01–03 and a citizen form, published on first start.
    @Test func theSeedFormsArePublishedAndWork() async throws {
        try await CatalogHarness.with { harness in
            let list = try await harness.json("\(Self.base)?limit=50")
            let keys = Set((list["items"]?.arrayValue ?? []).compactMap { $0["form"]?["key"]?.stringValue })
            #expect(keys == ["mau-01-dang-ky-chia-se-du-lieu", "mau-02-dang-ky-khai-thac-du-lieu", "mau-03-cam-ket-an-toan-thong-tin", "to-khai-dang-ky-khai-sinh"])
            #expect((list["items"]?.arrayValue ?? []).allSatisfy { $0["currentVersion"] == 1 && $0["form"]?["ownerAgency"] == "000.00.00.H00" })
            let found = try await harness.json("\(Self.base)?q=khai%20sinh")
            #expect(found["items"]?.arrayValue?.count == 1)

            let good = try #require(try await harness.send(.post, "\(Self.base)/to-khai-dang-ky-khai-sinh/validate", bearer: nil, body: #"{"data": \#(Self.birth)}"#).json)
            #expect(good["valid"] == true, "\(good)")
            let wrongCommune = Self.birth.replacingOccurrences(of: #""noiSinhTinh": "66""#, with: #""noiSinhTinh": "01""#)
                .replacingOccurrences(of: #""ngaySinh": "2026-11-01""#, with: #""ngaySinh": "2999-01-01""#)
            let bad = try #require(try await harness.send(.post, "\(Self.base)/to-khai-dang-ky-khai-sinh/validate", bearer: nil, body: #"{"data": \#(wrongCommune)}"#).json)
            let messages = (bad["errors"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
            #expect(messages.sorted() == [
                "Ngày sinh không được sau ngày hiện tại.",
                "Nơi sinh: xã/phường “Phường Buôn Ma Thuột” không thuộc Nơi sinh: tỉnh/thành phố đã chọn.",
            ], "\(messages)")
        }
    }
}
