import Core

/// The fields of a form, read from its schema for presentation: order (`x-order`), labels, help, which
/// widget, which catalog. Only what a person fills in; validation stays with the compiled schema.
struct FormLayout: Sendable {
    indirect enum Kind: Sendable {
        case text(inputType: String)
        case multiline
        case number(integer: Bool)
        case choice([String])
        case catalog(String, parentField: String?)
        case checkbox
        /// An array of strings: one item per line.
        case lines
        case group([Field])
    }

    struct Field: Sendable {
        let path: [String]
        let label: String
        let help: String?
        let placeholder: String?
        let required: Bool
        let kind: Kind
        /// A sibling takes its catalog list from this field (`x-catalog-parent`).
        var parentOf = false

        var name: String { path.joined(separator: "/") }
        var id: String { "f-" + path.joined(separator: "-") }
        var pointer: String { "/" + path.map(JSONPointer.escape).joined(separator: "/") }
    }

    let title: String
    let fields: [Field]

    init(schema: JSONValue, title: String) {
        self.title = schema["title"]?.stringValue ?? title
        self.fields = Self.fields(of: schema, root: schema, path: [], depth: 0)
    }

    /// Follows a `$ref` within the document (`#/$defs/…`); siblings of `$ref` override the target's hints.
    static func resolved(_ schema: JSONValue, root: JSONValue) -> JSONValue {
        guard case .object(var object) = schema, case .string(let reference) = object["$ref"], reference.hasPrefix("#"),
            let tokens = JSONPointer.tokens(fromFragment: String(reference.dropFirst())),
            case .object(let target)? = JSONPointer.resolve(tokens, in: root)
        else { return schema }
        object["$ref"] = nil
        return .object(target.merging(object) { _, sibling in sibling })
    }

    static func fields(of schema: JSONValue, root: JSONValue, path: [String], depth: Int) -> [Field] {
        let schema = resolved(schema, root: root)
        guard depth < 8, case .object(let properties)? = schema["properties"] else { return [] }
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let ordered = properties.sorted { lhs, rhs in
            let left = JSONEquality.number(resolved(lhs.value, root: root)["x-order"] ?? .null) ?? 1e9
            let right = JSONEquality.number(resolved(rhs.value, root: root)["x-order"] ?? .null) ?? 1e9
            return left == right ? lhs.key < rhs.key : left < right
        }
        let parents = Set(properties.values.compactMap { resolved($0, root: root)["x-catalog-parent"]?.stringValue })
        return ordered.map { key, raw in
            let property = resolved(raw, root: root)
            let fieldPath = path + [key]
            let label = property["x-label"]?.stringValue ?? property["title"]?.stringValue ?? key
            var field = Field(
                path: fieldPath, label: label, help: property["x-help"]?.stringValue ?? property["description"]?.stringValue,
                placeholder: property["x-placeholder"]?.stringValue, required: required.contains(key),
                kind: kind(of: property, root: root, path: fieldPath, depth: depth)
            )
            field.parentOf = parents.contains(key)
            return field
        }
    }

    static func kind(of property: JSONValue, root: JSONValue, path: [String], depth: Int) -> Kind {
        if case .string(let catalog)? = property["x-catalog"] {
            return .catalog(catalog, parentField: property["x-catalog-parent"]?.stringValue)
        }
        if case .array(let values)? = property["enum"], values.allSatisfy({ $0.stringValue != nil }) {
            return .choice(values.compactMap(\.stringValue))
        }
        if property["const"] == .bool(true) || property["type"]?.stringValue == "boolean" { return .checkbox }
        switch property["type"]?.stringValue {
        case "object": return .group(fields(of: property, root: root, path: path, depth: depth + 1))
        case "array": return .lines
        case "integer": return .number(integer: true)
        case "number": return .number(integer: false)
        default:
            if property["x-widget"]?.stringValue == "textarea" { return .multiline }
            switch property["format"]?.stringValue {
            case "date": return .text(inputType: "date")
            case "email": return .text(inputType: "email")
            case "uri": return .text(inputType: "url")
            default: return .text(inputType: "text")
            }
        }
    }

    // MARK: From a posted HTML form to JSON

    /// The instance a posted form describes: empty fields are left out (so `required` reports them),
    /// numbers that do not parse are kept as text (so `type` reports them), checkboxes are true when ticked.
    func instance(from form: FormFields) -> JSONValue {
        .object(Self.object(fields, form))
    }

    static func object(_ fields: [Field], _ form: FormFields) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for field in fields {
            let key = field.path.last!
            let raw = form[field.name]?.trimmingCharacters(in: .whitespacesAndNewlines)
            switch field.kind {
            case .group(let children):
                let child = Self.object(children, form)
                if !child.isEmpty || field.required { object[key] = .object(child) }
            case .checkbox:
                if raw != nil { object[key] = .bool(true) }
            case .number(let integer):
                guard let raw, !raw.isEmpty else { continue }
                if integer, let value = Int64(raw) {
                    object[key] = .integer(value)
                } else if !integer, let value = Double(raw.replacingOccurrences(of: ",", with: ".")) {
                    object[key] = .number(value)
                } else {
                    object[key] = .string(raw)
                }
            case .lines:
                let items = (raw ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                if !items.isEmpty { object[key] = .array(items.map { .string($0) }) }
            case .text, .multiline, .choice, .catalog:
                if let raw, !raw.isEmpty { object[key] = .string(VietnameseText.nfc(raw)) }
            }
        }
        return object
    }
}
