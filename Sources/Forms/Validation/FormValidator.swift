import Core
import Foundation

/// Validates a submission against a compiled form: the schema's keywords, then the platform checks that
/// need other services — each `x-catalog` code against the shared catalogs on the submission date (and
/// under the chosen parent), each `x-file` against the document store. Every violation is returned, not
/// only the first.
public struct FormValidator: Sendable {
    public let schema: CompiledSchema
    let codes: any CodeLookup
    let uploads: (any UploadLookup)?

    public init(schema: CompiledSchema, codes: any CodeLookup, uploads: (any UploadLookup)?) {
        self.schema = schema
        self.codes = codes
        self.uploads = uploads
    }

    /// - Parameters:
    ///   - date: the submission date; codes must be in force that day.
    ///   - owner: who submits (uploads must be theirs).
    public func validate(_ instance: JSONValue, on date: Date, owner: String?) async throws -> [SchemaViolation] {
        let (violations, deferred) = schema.evaluate(instance, today: FormCalendar.day(of: date))
        var result = violations
        let failed = Set(violations.map(\.pointer))
        for check in deferred where !failed.contains(check.pointer) {
            if let violation = try await run(check, instance: instance, date: date, owner: owner) {
                result.append(violation)
            }
        }
        return result
    }

    func run(_ check: DeferredCheck, instance: JSONValue, date: Date, owner: String?) async throws -> SchemaViolation? {
        let name = check.label ?? "Trường"
        switch check.kind {
        case .catalog(let key, let parentField, let parentLabel):
            let answer = try await codes.validate(code: check.value, in: key, on: date)
            guard answer.isValid else {
                return SchemaViolation(pointer: check.pointer, keyword: "x-catalog", schemaLocation: "", message: "\(name): \(answer.message ?? "mã không hợp lệ.")")
            }
            if let parentField, case .string(let chosen) = Self.sibling(of: check.pointer, named: parentField, in: instance), answer.parent != chosen {
                return SchemaViolation(
                    pointer: check.pointer, keyword: "x-catalog-parent", schemaLocation: "",
                    message: "\(name) “\(answer.display ?? check.value)” không thuộc \(parentLabel ?? parentField) đã chọn."
                )
            }
            return nil
        case .file(let rule):
            guard let uploads else {
                return SchemaViolation(pointer: check.pointer, keyword: "x-file", schemaLocation: "", message: "\(name): chưa nhận được tệp đính kèm vì kho lưu trữ tạm chưa hoạt động.")
            }
            guard let upload = try await uploads.upload(id: check.value, owner: owner) else {
                return SchemaViolation(pointer: check.pointer, keyword: "x-file", schemaLocation: "", message: "\(name): không tìm thấy tệp đã tải lên (mã “\(check.value)”).")
            }
            if let maxSize = rule.maxSize, upload.size > maxSize {
                return SchemaViolation(pointer: check.pointer, keyword: "x-file", schemaLocation: "", message: "\(name): tệp lớn hơn mức cho phép \(maxSize) byte.")
            }
            if !rule.accepts(mediaType: upload.mediaType) {
                return SchemaViolation(
                    pointer: check.pointer, keyword: "x-file", schemaLocation: "",
                    message: "\(name): loại tệp \(upload.mediaType ?? "không rõ") không được nhận (chỉ nhận \(rule.mediaTypes.joined(separator: ", ")))."
                )
            }
            return nil
        }
    }

    /// The value of field `name` in the object holding the field at `pointer`.
    static func sibling(of pointer: String, named name: String, in instance: JSONValue) -> JSONValue? {
        var tokens = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { JSONPointer.unescape($0) }
        guard !tokens.isEmpty else { return nil }
        tokens.removeLast()
        return JSONPointer.resolve(tokens + [name], in: instance)
    }
}
