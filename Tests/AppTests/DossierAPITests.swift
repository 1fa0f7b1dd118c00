import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App

/// R-7.1c-dossier over HTTP: dossiers from form submissions with tus attachments, at the counter, their
/// codes, statuses and who may read them (R-8.3, R-14.5).
@Suite struct DossierAPITests {
    static let agency = "000.00.31.H49"
    static let base = "/api/v1/docstore/dossiers"

    static let schema = """
        {"type": "object", "required": ["hoTen", "banSao"], "properties": {
          "hoTen": {"type": "string", "minLength": 2, "x-label": "Họ và tên"},
          "banSao": {"type": "string", "x-file": {"maxSize": 1048576, "mediaTypes": ["application/pdf"]}, "x-label": "Bản sao giấy khai sinh"},
          "anh": {"type": "string", "x-file": {"mediaTypes": ["image/jpeg"]}, "x-label": "Ảnh chân dung"}
        }}
        """

    static func bytes(_ count: Int, _ salt: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(salt)) } }
    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func aCitizenUploadsWithTusSubmitsAFormAndTheSubmissionBecomesADossierOfThoseFiles() async throws {
        try await DocStoreHarness.with { harness in
            let admin = try await harness.agencyToken("forms-admin", ["forms.admin"])
            let created = try await harness.json(.post, "/api/v1/forms", bearer: admin, """
                {"key": "dang-ky-khai-sinh-thu", "title": "Tờ khai đăng ký khai sinh (thử)", "procedureCode": "1.001193", "ownerAgency": "\(Self.agency)", "schema": \(Self.schema)}
                """)
            #expect(created.status == .created, "\(Self.body(created))")
            let published = try await harness.send(.post, "/api/v1/forms/dang-ky-khai-sinh-thu/versions/1/publish", bearer: admin)
            #expect(published.status == .ok, "\(Self.body(published))")

            let citizen = try await harness.citizenToken()
            let pdf = Self.bytes(300_000, 1)
            let photo = Self.bytes(90_000, 2)
            let pdfID = try await harness.tusUpload(pdf, name: "giay-khai-sinh.pdf", type: "application/pdf", bearer: citizen)
            let photoID = try await harness.tusUpload(photo, name: "anh.jpg", type: "image/jpeg", bearer: citizen, chunk: 40_000)

            // The form checks the files: someone else's upload or a wrong type is refused.
            let other = try await harness.citizenToken("066085000999")
            let foreign = try await harness.tusUpload(pdf, name: "x.pdf", type: "application/pdf", bearer: other)
            let refused = try await harness.json(.post, "/api/v1/forms/dang-ky-khai-sinh-thu/submissions", bearer: citizen,
                                                 #"{"data": {"hoTen": "Trần Văn An", "banSao": "\#(foreign)", "anh": "\#(pdfID)"}}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(Set((refused.json?["errors"]?.arrayValue ?? []).compactMap { $0["pointer"]?.stringValue }) == ["/data/banSao", "/data/anh"])

            let submitted = try await harness.json(.post, "/api/v1/forms/dang-ky-khai-sinh-thu/submissions", bearer: citizen,
                                                   #"{"data": {"hoTen": "Trần Văn An", "banSao": "\#(pdfID)", "anh": "\#(photoID)"}}"#)
            #expect(submitted.status == .created, "\(Self.body(submitted))")
            let submissionID = try #require(submitted.json?["id"]?.stringValue)

            // The submission becomes a dossier: its files are the components.
            let dossier = try await harness.json(.post, Self.base, bearer: citizen, #"{"procedureCode": "1.001193", "procedureName": "Đăng ký khai sinh", "submissionId": "\#(submissionID)"}"#)
            #expect(dossier.status == .created, "\(Self.body(dossier))")
            let json = try #require(dossier.json)
            let code = try #require(json["code"]?.stringValue)
            #expect(code.hasPrefix("\(Self.agency)-") && code.hasSuffix("-0001"))
            #expect(json["receivingAgency"]?.stringValue == Self.agency)
            #expect(json["applicant"]?["id"]?.stringValue == "066085000123")
            #expect(json["formKey"]?.stringValue == "dang-ky-khai-sinh-thu")
            let components = try #require(json["components"]?.arrayValue)
            #expect(components.count == 2)
            // Each component: the field it came from, its label as name, the file's digest.
            var byField: [String: (name: String?, sha256: String?, position: Int)] = [:]
            for component in components {
                byField[component["field"]?.stringValue ?? ""] = (component["name"]?.stringValue, component["sha256"]?.stringValue, Int(component["position"]?.intValue ?? 0))
            }
            #expect(byField["/banSao"]?.name == "Bản sao giấy khai sinh" && byField["/banSao"]?.sha256 == Self.hex(pdf))
            #expect(byField["/anh"]?.name == "Ảnh chân dung" && byField["/anh"]?.sha256 == Self.hex(photo))
            let pdfPosition = byField["/banSao"]?.position ?? 0
            let photoPosition = byField["/anh"]?.position ?? 0
            let id = try #require(json["id"]?.stringValue)

            // An agency cannot make a citizen's submission (and so their files) into a dossier of its own.
            let counter = try await harness.agencyToken("mot-cua-tiep-nhan", ["dossiers.process"])
            let taken = try await harness.json(.post, Self.base, bearer: counter, #"{"procedureCode": "1.001193", "submissionId": "\#(submissionID)", "applicant": {"kind": "citizen", "id": "066085000999"}}"#)
            #expect(taken.status == .unprocessableContent)

            // Once more from the same submission: refused.
            let again = try await harness.json(.post, Self.base, bearer: citizen, #"{"procedureCode": "1.001193", "submissionId": "\#(submissionID)"}"#)
            #expect(again.status == .conflict)

            // The components are permanent: the uploads expiring does not take them.
            _ = try await harness.platform.docStore.uploads.sweep(now: Date().addingTimeInterval(3 * 24 * 3600))
            let content = try await harness.send(.get, "\(Self.base)/\(id)/components/\(pdfPosition)", bearer: citizen)
            #expect(content.status == .ok)
            #expect(Self.hex(Array(content.body.readableBytesView)) == Self.hex(pdf))
            let ranged = try await harness.send(.get, "\(Self.base)/\(id)/components/\(photoPosition)", bearer: citizen, headers: [.range: "bytes=100-199"])
            #expect(Self.hex(Array(ranged.body.readableBytesView)) == Self.hex(Array(photo[100...199])))

            // The receiving agency sees and processes it; another agency and another citizen do not see it.
            let processor = try await harness.agencyToken("mot-cua", ["dossiers.process"])
            let otherAgency = try await harness.agencyToken("mot-cua-khac", ["dossiers.process"], agency: "000.00.32.H49")
            #expect(try await harness.send(.get, "\(Self.base)/\(id)", bearer: processor).status == .ok)
            #expect(try await harness.send(.get, "\(Self.base)/\(id)", bearer: otherAgency).status == .notFound)
            #expect(try await harness.send(.get, "\(Self.base)/\(id)", bearer: other).status == .notFound)
            let mine = try await harness.send(.get, Self.base, bearer: citizen)
            #expect(mine.json?["items"]?.arrayValue?.count == 1)
            let theirs = try await harness.send(.get, Self.base, bearer: other)
            #expect(theirs.json?["items"]?.arrayValue?.count == 0)
            let agencyList = try await harness.send(.get, "\(Self.base)?status=received", bearer: processor)
            #expect(agencyList.json?["items"]?.arrayValue?.count == 1)

            // Statuses move only along allowed paths; a rejection needs a reason.
            let skip = try await harness.json(.post, "\(Self.base)/\(id)/status", bearer: processor, #"{"status": "returned"}"#)
            #expect(skip.status == .conflict)
            let noReason = try await harness.json(.post, "\(Self.base)/\(id)/status", bearer: processor, #"{"status": "supplement_requested"}"#)
            #expect(noReason.status == .unprocessableContent)
            for (status, note) in [("processing", ""), ("supplement_requested", "Bổ sung bản sao có chứng thực"), ("processing", ""), ("done", "")] {
                let moved = try await harness.json(.post, "\(Self.base)/\(id)/status", bearer: processor, #"{"status": "\#(status)", "note": "\#(note)"}"#)
                #expect(moved.status == .ok, "\(status): \(Self.body(moved))")
            }
            let history = try await harness.send(.get, "\(Self.base)/\(id)", bearer: citizen)
            #expect(history.json?["status"]?.stringValue == "done")
            #expect(history.json?["history"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } == ["received", "processing", "supplement_requested", "processing", "done"])
            let byCitizen = try await harness.json(.post, "\(Self.base)/\(id)/status", bearer: citizen, #"{"status": "returned"}"#)
            #expect(byCitizen.status == .forbidden)

            // Reads of the documents are in the audit log with their purpose.
            let reads = try await harness.platform.database.sql.raw(
                "SELECT action, details FROM audit_entries WHERE object_id = \(bind: id) AND action LIKE 'docstore.dossier.%read'"
            ).all()
            #expect(reads.count >= 4)
            let details = try reads.map { try $0.decode(column: "details", as: String.self) }
            #expect(details.contains { $0.contains("purpose") && $0.contains("xử lý hồ sơ") })
        }
    }

    @Test func anAgencyReceivesADossierAtTheCounterWithItsOwnUploads() async throws {
        try await DocStoreHarness.with { harness in
            let counter = try await harness.agencyToken("mot-cua", ["dossiers.process", "docstore.files"])
            let scan = Self.bytes(70_000, 3)
            let upload = try await harness.tusUpload(scan, name: "don.pdf", type: "application/pdf", bearer: counter)
            let missingApplicant = try await harness.json(.post, Self.base, bearer: counter, #"{"procedureCode": "2.000001", "components": [{"uploadId": "\#(upload)"}]}"#)
            #expect(missingApplicant.status == .unprocessableContent)
            let badApplicant = try await harness.json(.post, Self.base, bearer: counter, #"{"procedureCode": "2.000001", "applicant": {"kind": "citizen", "id": "12345"}, "components": [{"uploadId": "\#(upload)"}]}"#)
            #expect(badApplicant.status == .unprocessableContent)
            let elsewhere = try await harness.json(.post, Self.base, bearer: counter, #"{"procedureCode": "2.000001", "receivingAgency": "000.00.32.H49", "applicant": {"kind": "business", "id": "0100109106"}}"#)
            #expect(elsewhere.status == .forbidden)
            let created = try await harness.json(.post, Self.base, bearer: counter, """
                {"procedureCode": "2.000001", "applicant": {"kind": "business", "id": "0100109106", "name": "Công ty TNHH Cà phê Buôn Ma Thuột"},
                 "components": [{"uploadId": "\(upload)", "name": "Đơn đề nghị", "code": "TP01"}]}
                """)
            #expect(created.status == .created, "\(Self.body(created))")
            #expect(created.json?["components"]?.arrayValue?.first?["code"]?.stringValue == "TP01")
            let business = try await harness.send(.get, "\(Self.base)?applicant=0100109106", bearer: counter)
            #expect(business.json?["items"]?.arrayValue?.count == 1)
            // The same upload cannot be used by a citizen who does not own it.
            let citizen = try await harness.citizenToken()
            let stolen = try await harness.json(.post, Self.base, bearer: citizen, #"{"procedureCode": "2.000001", "receivingAgency": "\#(Self.agency)", "components": [{"uploadId": "\#(upload)"}]}"#)
            #expect(stolen.status == .unprocessableContent)
            // Without personal_id in the token, a citizen's app cannot file.
            let anonymous = try await harness.citizenToken(scope: "openid dossiers.submit")
            let refused = try await harness.json(.post, Self.base, bearer: anonymous, #"{"procedureCode": "2.000001", "receivingAgency": "\#(Self.agency)"}"#)
            #expect(refused.status == .forbidden)
        }
    }
}
