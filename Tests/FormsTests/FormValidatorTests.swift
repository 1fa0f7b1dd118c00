import Core
import Foundation
import Testing

@testable import Forms

/// The validator as forms use it: every error at once, each at its field's pointer, in Vietnamese with
/// the field's label; platform keywords; what publishing must refuse.
@Suite struct FormValidatorTests {
    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Two provinces and their communes, as a catalog lookup would answer.
    struct Codes: CodeLookup {
        let communes = ["24133": ("Phường Buôn Ma Thuột", "66"), "00004": ("Phường Ba Đình", "01")]
        func options(in catalog: String, parent: String?, on date: Date?) async throws -> [CodeOption]? {
            switch catalog {
            case "tinh": return [.init(code: "01", display: "Thành phố Hà Nội"), .init(code: "66", display: "Tỉnh Đắk Lắk")]
            case "xa": return communes.filter { parent == nil || $0.value.1 == parent }.map { .init(code: $0.key, display: $0.value.0) }.sorted { $0.code < $1.code }
            default: return nil
            }
        }
        func validate(code: String, in catalog: String, on date: Date?) async throws -> CodeValidation {
            switch catalog {
            case "tinh":
                let names = ["66": "Tỉnh Đắk Lắk", "01": "Thành phố Hà Nội"]
                guard let name = names[code] else {
                    return .init(outcome: .unknownCode, catalog: catalog, code: code, version: 1, display: nil, message: "Mã “\(code)” không có trong danh mục.")
                }
                return .init(outcome: .valid, catalog: catalog, code: code, version: 1, display: name, message: nil)
            case "xa":
                guard let (name, parent) = communes[code] else {
                    return .init(outcome: .unknownCode, catalog: catalog, code: code, version: 1, display: nil, message: "Mã “\(code)” không có trong danh mục.")
                }
                return .init(outcome: .valid, catalog: catalog, code: code, version: 1, display: name, message: nil, parent: parent)
            default:
                return .init(outcome: .unknownCatalog, catalog: catalog, code: code, version: nil, display: nil, message: "Không có danh mục “\(catalog)”.")
            }
        }
    }

    static let declaration = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "required": ["hoTen", "ngaySinh", "soDinhDanh", "tinh", "xa"],
          "properties": {
            "hoTen": {"type": "string", "minLength": 1, "maxLength": 100, "x-label": "Họ và tên"},
            "ngaySinh": {"type": "string", "format": "date", "x-label": "Ngày sinh"},
            "soDinhDanh": {"type": "string", "x-identifier": "personal-id", "x-label": "Số định danh cá nhân"},
            "email": {"type": "string", "format": "email", "x-label": "Thư điện tử"},
            "tinh": {"type": "string", "x-catalog": "tinh", "x-label": "Tỉnh/thành phố"},
            "xa": {"type": "string", "x-catalog": "xa", "x-catalog-parent": "tinh", "x-label": "Xã/phường"},
            "con": {"type": "array", "maxItems": 2, "items": {"$ref": "#/$defs/nguoi"}, "x-label": "Các con"},
            "giayTo": {"type": "string", "x-file": {"maxSize": 1048576, "mediaTypes": ["application/pdf"]}, "x-label": "Giấy tờ kèm theo"}
          },
          "additionalProperties": false,
          "$defs": {"nguoi": {"type": "object", "required": ["ten"], "properties": {"ten": {"type": "string", "x-label": "Tên"}}}}
        }
        """

    @Test func everyErrorAtOnceWithPointerAndLabel() throws {
        let schema = try SchemaCompiler().compile(try Self.json(Self.declaration))
        #expect(schema.unsupported.isEmpty)
        let violations = schema.validate(try Self.json("""
            {"hoTen": "", "ngaySinh": "2024-02-30", "soDinhDanh": "12345", "email": "a@b@c", "tinh": "66", "xa": "24133",
             "con": [{"ten": "An"}, {}, {"ten": 3}], "la": 1}
            """))
        let byPointer = Dictionary(grouping: violations, by: \.pointer).mapValues { $0.map(\.message) }
        #expect(byPointer["/hoTen"] == ["Họ và tên không được để trống."])
        #expect(byPointer["/ngaySinh"] == ["Ngày sinh phải là ngày (YYYY-MM-DD) hợp lệ."])
        #expect(byPointer["/soDinhDanh"] == ["Số định danh cá nhân: Số định danh cá nhân phải có đúng 12 chữ số."])
        #expect(byPointer["/email"] == ["Thư điện tử phải là địa chỉ thư điện tử hợp lệ."])
        #expect(byPointer["/con"] == ["Các con có tối đa 2 mục."])
        #expect(byPointer["/con/1/ten"] == ["Tên là bắt buộc."])
        #expect(byPointer["/con/2/ten"] == ["Tên phải là chuỗi."])
        #expect(byPointer["/la"] == ["Trường “la” không có trong biểu mẫu."])
        #expect(violations.count == 8)
        // A missing required field is reported at its own pointer, by its label.
        let missing = schema.validate(try Self.json("{}")).map { "\($0.pointer) \($0.message)" }
        #expect(missing.contains("/ngaySinh Ngày sinh là bắt buộc."))
        #expect(missing.count == 5)
    }

    @Test func catalogCodesAndParentsAreCheckedOnTheSubmissionDate() async throws {
        let validator = FormValidator(schema: try SchemaCompiler().compile(try Self.json(Self.declaration)), codes: Codes(), uploads: nil)
        let base: [String: JSONValue] = ["hoTen": "Nguyễn Văn A", "ngaySinh": "2024-02-29", "soDinhDanh": "066085000123"]
        func check(_ extra: [String: JSONValue]) async throws -> [String] {
            try await validator.validate(.object(base.merging(extra) { $1 }), on: Date(), owner: nil).map { "\($0.pointer) \($0.message)" }
        }
        #expect(try await check(["tinh": "66", "xa": "24133"]) == [])
        #expect(try await check(["tinh": "66", "xa": "99999"]) == ["/xa Xã/phường: Mã “99999” không có trong danh mục."])
        #expect(try await check(["tinh": "01", "xa": "24133"]) == ["/xa Xã/phường “Phường Buôn Ma Thuột” không thuộc Tỉnh/thành phố đã chọn."])
        #expect(try await check(["tinh": "66", "xa": "24133", "giayTo": "up_1"]) == ["/giayTo Giấy tờ kèm theo: chưa nhận được tệp đính kèm vì kho lưu trữ tạm chưa hoạt động."])
    }

    struct Uploads: UploadLookup {
        func upload(id: String, owner: String?) async throws -> UploadInfo? {
            switch id {
            case "pdf": return UploadInfo(id: id, name: "a.pdf", mediaType: "application/pdf", size: 1000, sha256: nil)
            case "big": return UploadInfo(id: id, name: "b.pdf", mediaType: "application/pdf", size: 2 << 20, sha256: nil)
            case "png": return UploadInfo(id: id, name: "c.png", mediaType: "image/png", size: 10, sha256: nil)
            default: return nil
            }
        }
    }

    @Test func filesAreCheckedThroughTheDocumentStore() async throws {
        let validator = FormValidator(schema: try SchemaCompiler().compile(try Self.json(Self.declaration)), codes: Codes(), uploads: Uploads())
        func check(_ id: String) async throws -> [String] {
            let instance: JSONValue = ["hoTen": "A", "ngaySinh": "2024-01-01", "soDinhDanh": "066085000123", "tinh": "66", "xa": "24133", "giayTo": .string(id)]
            return try await validator.validate(instance, on: Date(), owner: "u1").map(\.message)
        }
        #expect(try await check("pdf") == [])
        #expect(try await check("big") == ["Giấy tờ kèm theo: tệp lớn hơn mức cho phép 1048576 byte."])
        #expect(try await check("png") == ["Giấy tờ kèm theo: loại tệp image/png không được nhận (chỉ nhận application/pdf)."])
        #expect(try await check("none") == ["Giấy tờ kèm theo: không tìm thấy tệp đã tải lên (mã “none”)."])
    }

    @Test func whatTheValidatorDoesNotEnforceIsReported() throws {
        let schema = try SchemaCompiler().compile(try Self.json("""
            {"properties": {"ip": {"type": "string", "format": "ipv4"}, "ma": {"x-catalogue": "dan-toc"}},
             "$vocabulary": {}, "dependencies": {}}
            """))
        #expect(Set(schema.unsupported.map(\.keyword)) == ["format", "x-catalogue", "$vocabulary", "dependencies"])
        #expect(schema.unsupported.first { $0.keyword == "format" }?.pointer == "#/properties/ip/format")
        // Hints never change validity.
        let hinted = try SchemaCompiler().compile(try Self.json(#"{"type": "string", "x-help": "Ghi rõ", "x-order": 2, "x-widget": "textarea", "x-placeholder": "…"}"#))
        #expect(hinted.unsupported.isEmpty && hinted.isValid("x") && !hinted.isValid(1))
    }

    @Test func badSchemasDoNotCompile() throws {
        for (text, pointer) in [
            (#"{"pattern": "("}"#, "#/pattern"),
            (##"{"$ref": "#/$defs/missing"}"##, "#/$ref"),
            (#"{"type": "chuoi"}"#, "#/type"),
            (#"{"minLength": -1}"#, "#/minLength"),
            (#"{"x-identifier": "cmnd"}"#, "#/x-identifier"),
            (#"{"x-catalog-parent": "tinh"}"#, "#/x-catalog-parent"),
            (#"{"properties": {"a": {"$ref": "https://example.org/remote.json"}}}"#, "#/properties/a/$ref"),
        ] {
            let schema = try Self.json(text)
            do {
                _ = try SchemaCompiler().compile(schema)
                Issue.record("\(text) compiled")
            } catch {
                #expect(error.pointer == pointer, "\(text): \(error)")
            }
        }
    }

    @Test func aCompiledSchemaIsUsedFromManyTasksAtOnce() async throws {
        let schema = try SchemaCompiler().compile(try Self.json(Self.declaration))
        let instance = try Self.json(#"{"hoTen": "A", "ngaySinh": "2024-01-01", "soDinhDanh": "066085000123", "tinh": "66", "xa": "24133"}"#)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 { group.addTask { (0..<200).allSatisfy { _ in schema.validate(instance).isEmpty } } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 })
    }

    @Test func datesCanBeBoundedByTodayOrAFixedDay() throws {
        let schema = try SchemaCompiler().compile(try Self.json(#"""
            {"properties": {"ngaySinh": {"type": "string", "format": "date", "x-max-date": "today", "x-min-date": "1900-01-01", "x-label": "Ngày sinh"}}}
            """#))
        func messages(_ day: String) -> [String] { schema.validate(["ngaySinh": .string(day)], today: "2026-11-29").map(\.message) }
        #expect(messages("2026-11-29") == [])
        #expect(messages("2026-11-30") == ["Ngày sinh không được sau ngày hiện tại."])
        #expect(messages("1899-12-31") == ["Ngày sinh không được trước ngày 01/01/1900."])
        #expect(messages("2026-13-01") == ["Ngày sinh phải là ngày (YYYY-MM-DD) hợp lệ."])
        #expect(FormCalendar.day(of: Date(timeIntervalSince1970: 1_798_390_800)) == "2026-12-28", "17:00 UTC is already the next day in Vietnam")
    }
}
