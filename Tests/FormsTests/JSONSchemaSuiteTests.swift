import Core
import Foundation
import Testing

@testable import Forms

/// The official JSON Schema Test Suite, draft 2020-12 (vendored in `Tests/conformance`), run whole for
/// every file of a supported keyword: each case in both modes (first failure, all failures).
@Suite struct JSONSchemaSuiteTests {
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../conformance/json-schema-test-suite").standardized
    static let tests = suite.appendingPathComponent("tests/draft2020-12")

    /// Files not run, and why (also in the README).
    static let unsupportedFiles: [String: String] = [
        "vocabulary.json": "$vocabulary: custom meta-schemas that switch vocabularies off are not supported",
    ]
    /// Groups that need the 2020-12 meta-schema as a `$ref` target: it is not bundled (a form's schema is
    /// checked by compiling it, not by validating it against the meta-schema).
    static let metaSchema = "https://json-schema.org/draft/2020-12/schema"

    static var files: [String] {
        let main = (try? FileManager.default.contentsOfDirectory(atPath: tests.path)) ?? []
        let formats = ["date", "date-time", "email", "uri"].map { "optional/format/\($0).json" }
        return main.filter { $0.hasSuffix(".json") && unsupportedFiles[$0] == nil }.sorted() + formats
    }

    /// Every document under `remotes/`, by its address on the suite's server.
    static let registry: [String: JSONValue] = {
        var documents: [String: JSONValue] = [:]
        let remotes = suite.appendingPathComponent("remotes")
        let enumerator = FileManager.default.enumerator(atPath: remotes.path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".json"), let data = FileManager.default.contents(atPath: remotes.appendingPathComponent(relative).path),
                let value = try? JSONDecoder().decode(JSONValue.self, from: data)
            else { continue }
            documents["http://localhost:1234/" + relative] = value
        }
        return documents
    }()

    struct Group: Decodable {
        let description: String
        let schema: JSONValue
        let tests: [Case]
    }

    struct Case: Decodable {
        let description: String
        let data: JSONValue
        let valid: Bool
    }

    @Test func theSuiteIsThere() throws {
        #expect(Self.files.count >= 45, "\(Self.tests.path)")
    }

    @Test(arguments: files)
    func file(_ name: String) throws {
        let data = try Data(contentsOf: Self.tests.appendingPathComponent(name))
        let groups = try JSONDecoder().decode([Group].self, from: data)
        // 2020-12 makes `format` an annotation by default; the optional format files test it as an assertion.
        let compiler = SchemaCompiler(registry: Self.registry, formatAssertion: name.hasPrefix("optional/format/"))
        var passed = 0
        var total = 0
        var skipped = 0
        for group in groups {
            if (try? JSONEncoder().encode(group.schema)).map({ String(decoding: $0, as: UTF8.self).contains("\"$ref\":\"https:\\/\\/json-schema.org") }) == true {
                skipped += group.tests.count
                continue
            }
            let schema: CompiledSchema
            do {
                schema = try compiler.compile(group.schema)
            } catch {
                Issue.record("\(name) — \(group.description): does not compile: \(error)")
                total += group.tests.count
                continue
            }
            for test in group.tests {
                total += 1
                let quick = schema.isValid(test.data)
                let violations = schema.validate(test.data)
                if quick == test.valid && violations.isEmpty == test.valid {
                    passed += 1
                } else {
                    Issue.record("\(name) — \(group.description) — \(test.description): expected \(test.valid ? "valid" : "invalid"), got \(quick) / \(violations.map(\.message))")
                }
            }
        }
        print("JSON Schema Test Suite \(name): \(passed)/\(total) passed\(skipped > 0 ? ", \(skipped) skipped (meta-schema $ref)" : "")")
        #expect(passed == total)
    }
}
