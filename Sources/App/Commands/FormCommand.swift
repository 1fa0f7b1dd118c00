import ArgumentParser
import Core
import Forms
import Foundation

struct FormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form",
        abstract: "Biểu mẫu điện tử.",
        subcommands: [Check.self]
    )

    /// Validates instances against a form's schema offline (no database, no catalogs): for form authors,
    /// for the differential test against Python's jsonschema, and for the benchmark.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kiểm tra dữ liệu theo lược đồ biểu mẫu, không cần máy chủ (không kiểm tra mã danh mục và tệp).",
            discussion: """
                In một dòng cho mỗi dòng JSON của --instances: valid hoặc invalid, kèm các lỗi (--errors). \
                --repeat N: kiểm tra N lần và in tốc độ (lần kiểm tra/giây). Mã thoát 1 nếu lược đồ không biên dịch được.
                  lgsp form check --schema seed-data/forms/to-khai-dang-ky-khai-sinh.json --instances du-lieu.jsonl --errors
                """
        )
        @Option(help: "Tệp lược đồ: JSON Schema, hoặc tệp biểu mẫu có trường schema (seed-data/forms/*.json)") var schema: String
        @Option(help: "Tệp JSON Lines: mỗi dòng một bộ dữ liệu (mặc định: các ví dụ trong examples của lược đồ)") var instances: String?
        @Flag(help: "JSON Schema thuần: bỏ qua các từ khóa x- của nền tảng (để so với trình kiểm tra khác)") var plain = false
        @Flag(help: "In các lỗi của từng bộ dữ liệu") var errors = false
        @Option(help: "Lặp lại để đo tốc độ") var `repeat`: Int = 0

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: schema) else { throw ValidationError("Không đọc được \(schema)") }
            var document = try JSONDecoder().decode(JSONValue.self, from: data)
            if case .object(let object) = document, let inner = object["schema"], object["key"] != nil { document = inner }
            let compiled: CompiledSchema
            do {
                compiled = try SchemaCompiler(platformKeywords: !plain).compile(document)
            } catch {
                FileHandle.standardError.write(Data("Lược đồ không hợp lệ: \(error)\n".utf8))
                throw ExitCode(1)
            }
            for issue in compiled.unsupported {
                FileHandle.standardError.write(Data("Không được hỗ trợ: \(issue.pointer): \(issue.message)\n".utf8))
            }
            var values: [JSONValue] = []
            if let instances {
                guard let text = FileManager.default.contents(atPath: instances).map({ String(decoding: $0, as: UTF8.self) }) else {
                    throw ValidationError("Không đọc được \(instances)")
                }
                for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    values.append(try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)))
                }
            } else {
                values = document["examples"]?.arrayValue ?? []
            }
            if `repeat` > 0 {
                let today = FormCalendar.today()
                let clock = ContinuousClock()
                var valid = 0
                let elapsed = clock.measure {
                    for _ in 0..<`repeat` {
                        for value in values where compiled.isValid(value, today: today) { valid += 1 }
                    }
                }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let count = `repeat` * values.count
                print(#"{"validations": \#(count), "valid": \#(valid), "seconds": \#(seconds), "perSecond": \#(Int(Double(count) / seconds))}"#)
                return
            }
            for value in values {
                let violations = compiled.validate(value)
                if violations.isEmpty {
                    print("valid")
                } else {
                    print(errors ? "invalid " + violations.map { "\($0.pointer) \($0.message)" }.joined(separator: " | ") : "invalid")
                }
            }
        }
    }
}
