import Core

/// A schema that cannot be compiled: the pointer of the offending keyword and why.
public struct SchemaCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pointer: String
    public let message: String

    public var description: String { "\(pointer): \(message)" }
}

/// A keyword or value the validator does not enforce. Compiling succeeds (the JSON Schema Test Suite
/// expects unknown keywords to be ignored), but publishing a form that uses one is refused.
public struct SchemaUnsupported: Sendable, Equatable {
    public let pointer: String
    public let keyword: String
    public let message: String
}

/// A field bound to a catalog (`x-catalog`): publishing checks that the catalog exists.
public struct CatalogUse: Sendable, Equatable {
    public let pointer: String
    public let catalog: String
}

/// Compiles JSON Schema 2020-12 once, for validating many instances: resolves `$id`, `$anchor`,
/// `$dynamicAnchor`, `$ref` and `$dynamicRef` within the schema and against documents given in the
/// registry (never fetched from the network), and turns each keyword into a `Keyword`.
public struct SchemaCompiler: Sendable {
    /// Documents a schema may refer to by absolute URI (shared definitions; the Test Suite's remotes).
    public var registry: [String: JSONValue]
    /// `format` as an assertion (forms: a `date` field takes dates only) or, as JSON Schema 2020-12
    /// prescribes by default, as an annotation.
    public var formatAssertion: Bool
    /// false: plain JSON Schema — the platform's `x-` keywords are ignored like any unknown keyword
    /// (for comparing with other validators).
    public var platformKeywords: Bool
    public static let defaultBase = "urn:lgsp:schema"
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    public init(registry: [String: JSONValue] = [:], formatAssertion: Bool = true, platformKeywords: Bool = true) {
        self.registry = registry
        self.formatAssertion = formatAssertion
        self.platformKeywords = platformKeywords
    }

    public func compile(_ schema: JSONValue, base: String = SchemaCompiler.defaultBase) throws(SchemaCompileError) -> CompiledSchema {
        var build = Build(registry: registry, formatAssertion: formatAssertion, platformKeywords: platformKeywords)
        let root = try build.load(schema, uri: URIReference(base).withoutFragment.text)
        try build.resolvePending()
        return CompiledSchema(root: root, tracksAnnotations: build.usesUnevaluated, unsupported: build.unsupported, catalogs: build.catalogs)
    }
}

/// The state of one compilation.
private struct Build {
    struct Location: Hashable {
        let document: Int
        let pointer: String
    }

    struct Scanned {
        let base: String
        let tokens: [String]
    }

    let registry: [String: JSONValue]
    let formatAssertion: Bool
    let platformKeywords: Bool
    var documents: [JSONValue] = []
    /// Every schema location found by scanning, with its base URI.
    var scanned: [Location: Scanned] = [:]
    /// `base#pointer-within-resource` and `base#anchor` → location.
    var index: [String: Location] = [:]
    /// Resource URI → location of its root.
    var resourceRoots: [String: Location] = [:]
    var resources: [String: SchemaResource] = [:]
    var nodes: [Location: SchemaNode] = [:]
    var pending: [SchemaReference] = []
    var unsupported: [SchemaUnsupported] = []
    var catalogs: [CatalogUse] = []
    var usesUnevaluated = false

    init(registry: [String: JSONValue], formatAssertion: Bool, platformKeywords: Bool) {
        self.registry = registry
        self.formatAssertion = formatAssertion
        self.platformKeywords = platformKeywords
    }

    static let singleSchemaKeywords = [
        "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
        "unevaluatedProperties", "unevaluatedItems", "contentSchema",
    ]
    static let schemaMapKeywords = ["$defs", "properties", "patternProperties", "dependentSchemas"]
    static let schemaArrayKeywords = ["prefixItems", "allOf", "anyOf", "oneOf"]
    /// Keywords that only annotate (or identify) and never change validity.
    static let annotationKeywords: Set<String> = [
        "$schema", "$id", "$anchor", "$dynamicAnchor", "$comment", "$defs", "title", "description", "default",
        "examples", "deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType", "contentSchema",
        "minContains", "maxContains", "then", "else",
    ]

    static func pointer(_ tokens: [String]) -> String {
        tokens.isEmpty ? "" : "/" + tokens.map(JSONPointer.escape).joined(separator: "/")
    }

    func value(at location: Location) -> JSONValue {
        JSONPointer.resolve(scanned[location]!.tokens, in: documents[location.document])!
    }

    // MARK: Scanning: base URIs, resources, anchors

    /// Adds a document (the root schema or a registry document) and compiles its root.
    mutating func load(_ document: JSONValue, uri: String) throws(SchemaCompileError) -> SchemaNode {
        documents.append(document)
        let location = Location(document: documents.count - 1, pointer: "")
        try scan(document, at: location, tokens: [], base: uri, resourceTokens: [])
        resourceRoots[uri] = resourceRoots[uri] ?? location
        return try compile(location)
    }

    mutating func scan(_ value: JSONValue, at location: Location, tokens: [String], base: String, resourceTokens: [String]) throws(SchemaCompileError) {
        var base = base
        var resourceTokens = resourceTokens
        if case .object(let object) = value, let id = object["$id"] {
            guard case .string(let text) = id else { throw SchemaCompileError(pointer: "#" + location.pointer + "/$id", message: "$id phải là chuỗi") }
            let reference = URIReference(text)
            if let fragment = reference.fragment, !fragment.isEmpty {
                throw SchemaCompileError(pointer: "#" + location.pointer + "/$id", message: "$id không được có phần # (dùng $anchor)")
            }
            base = reference.resolved(against: URIReference(base)).withoutFragment.text
            resourceTokens = tokens
            if resourceRoots[base] == nil { resourceRoots[base] = location }
        }
        guard scanned[location] == nil else { return }
        scanned[location] = Scanned(base: base, tokens: tokens)
        let relative = Self.pointer(Array(tokens[resourceTokens.count...]))
        index["\(base)#\(relative)"] = index["\(base)#\(relative)"] ?? location
        guard case .object(let object) = value else { return }
        for key in ["$anchor", "$dynamicAnchor"] {
            if let anchor = object[key] {
                guard case .string(let name) = anchor, Self.isAnchorName(name) else {
                    throw SchemaCompileError(pointer: "#" + location.pointer + "/" + key, message: "\(key) không hợp lệ")
                }
                index["\(base)#\(name)"] = location
            }
        }
        func child(_ extra: [String]) -> (Location, [String]) {
            let childTokens = tokens + extra
            return (Location(document: location.document, pointer: Self.pointer(childTokens)), childTokens)
        }
        for key in Self.singleSchemaKeywords {
            if let sub = object[key] {
                let (where_, childTokens) = child([key])
                try scan(sub, at: where_, tokens: childTokens, base: base, resourceTokens: resourceTokens)
            }
        }
        for key in Self.schemaMapKeywords {
            if case .object(let map) = object[key] {
                for (name, sub) in map {
                    let (where_, childTokens) = child([key, name])
                    try scan(sub, at: where_, tokens: childTokens, base: base, resourceTokens: resourceTokens)
                }
            }
        }
        for key in Self.schemaArrayKeywords {
            if case .array(let list) = object[key] {
                for (position, sub) in list.enumerated() {
                    let (where_, childTokens) = child([key, String(position)])
                    try scan(sub, at: where_, tokens: childTokens, base: base, resourceTokens: resourceTokens)
                }
            }
        }
    }

    static func isAnchorName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:".unicodeScalars.contains($0)) }
    }

    // MARK: Compiling

    mutating func resource(_ uri: String) -> SchemaResource {
        if let existing = resources[uri] { return existing }
        let made = SchemaResource(uri: uri)
        resources[uri] = made
        return made
    }

    mutating func compile(_ location: Location) throws(SchemaCompileError) -> SchemaNode {
        if let node = nodes[location] { return node }
        let info = scanned[location]!
        let node = SchemaNode(location: "#" + location.pointer, resource: resource(info.base))
        nodes[location] = node
        let value = value(at: location)
        let here = "#" + location.pointer
        func fail(_ keyword: String, _ message: String) -> SchemaCompileError {
            SchemaCompileError(pointer: here + "/" + JSONPointer.escape(keyword), message: message)
        }
        switch value {
        case .bool(let flag):
            node.always = flag
            return node
        case .object:
            break
        default:
            throw SchemaCompileError(pointer: here, message: "lược đồ phải là đối tượng hoặc true/false")
        }
        guard case .object(let object) = value else { return node }
        func sub(_ extra: String...) throws(SchemaCompileError) -> SchemaNode {
            let tokens = info.tokens + extra
            return try compile(Location(document: location.document, pointer: Self.pointer(tokens)))
        }
        func count(_ key: String) throws(SchemaCompileError) -> Int? {
            guard let raw = object[key] else { return nil }
            guard let number = JSONEquality.number(raw), JSONEquality.isInteger(raw), number >= 0, number < 1e15 else {
                throw fail(key, "\(key) phải là số nguyên không âm")
            }
            return Int(number)
        }
        func number(_ key: String) throws(SchemaCompileError) -> Double? {
            guard let raw = object[key] else { return nil }
            guard let number = JSONEquality.number(raw) else { throw fail(key, "\(key) phải là số") }
            return number
        }
        func pattern(_ source: String, _ key: String) throws(SchemaCompileError) -> SchemaPattern {
            do {
                return try SchemaPattern(source)
            } catch {
                throw fail(key, "biểu thức chính quy không hợp lệ: \(source)")
            }
        }
        node.label = object["x-label"]?.stringValue ?? object["title"]?.stringValue
        if case .string(let name) = object["$dynamicAnchor"] {
            node.resource.dynamicAnchors[name] = node.resource.dynamicAnchors[name] ?? node
        }
        if let dialect = object["$schema"], dialect != .string(SchemaCompiler.dialect) {
            unsupported.append(.init(pointer: here + "/$schema", keyword: "$schema", message: "Chỉ hỗ trợ JSON Schema 2020-12 (\(SchemaCompiler.dialect))."))
        }
        var keywords: [Keyword] = []
        var unevaluated: [Keyword] = []

        // References.
        for key in ["$ref", "$dynamicRef"] {
            guard let raw = object[key] else { continue }
            guard case .string(let text) = raw else { throw fail(key, "\(key) phải là chuỗi") }
            let target = URIReference(text).resolved(against: URIReference(info.base))
            let reference = SchemaReference(uri: target.text, pointer: here + "/" + key)
            pending.append(reference)
            if key == "$ref" {
                keywords.append(.ref(reference))
            } else {
                if let fragment = target.fragment, !fragment.isEmpty, !fragment.hasPrefix("/") {
                    reference.dynamicName = fragment
                }
                keywords.append(.dynamicRef(reference))
            }
        }
        // Type and values.
        if let raw = object["type"] {
            let names: [JSONValue]
            if case .array(let list) = raw { names = list } else { names = [raw] }
            var types: [JSONType] = []
            for name in names {
                guard case .string(let text) = name, let type = JSONType(rawValue: text) else { throw fail("type", "kiểu không hợp lệ") }
                types.append(type)
            }
            keywords.append(.type(types))
        }
        if let raw = object["enum"] {
            guard case .array(let values) = raw else { throw fail("enum", "enum phải là mảng") }
            keywords.append(.enumeration(values))
        }
        if let raw = object["const"] { keywords.append(.constant(raw)) }
        if let value = try number("multipleOf") {
            guard value > 0 else { throw fail("multipleOf", "multipleOf phải lớn hơn 0") }
            keywords.append(.multipleOf(value))
        }
        if let value = try number("maximum") { keywords.append(.maximum(value)) }
        if let value = try number("exclusiveMaximum") { keywords.append(.exclusiveMaximum(value)) }
        if let value = try number("minimum") { keywords.append(.minimum(value)) }
        if let value = try number("exclusiveMinimum") { keywords.append(.exclusiveMinimum(value)) }
        if let value = try count("maxLength") { keywords.append(.maxLength(value)) }
        if let value = try count("minLength") { keywords.append(.minLength(value)) }
        if let raw = object["pattern"] {
            guard case .string(let source) = raw else { throw fail("pattern", "pattern phải là chuỗi") }
            keywords.append(.pattern(try pattern(source, "pattern")))
        }
        if let raw = object["format"] {
            guard case .string(let format) = raw else { throw fail("format", "format phải là chuỗi") }
            if FormatCheck.asserted.contains(format) {
                if formatAssertion { keywords.append(.format(format)) }
            } else if formatAssertion {
                unsupported.append(.init(pointer: here + "/format", keyword: "format", message: "Định dạng “\(format)” không được kiểm tra; dùng date, date-time, email hoặc uri, hoặc pattern."))
            }
        }
        // Arrays.
        if let value = try count("maxItems") { keywords.append(.maxItems(value)) }
        if let value = try count("minItems") { keywords.append(.minItems(value)) }
        if let raw = object["uniqueItems"] {
            guard case .bool(let flag) = raw else { throw fail("uniqueItems", "uniqueItems phải là true/false") }
            if flag { keywords.append(.uniqueItems) }
        }
        var prefixCount = 0
        if let raw = object["prefixItems"] {
            guard case .array(let list) = raw, !list.isEmpty else { throw fail("prefixItems", "prefixItems phải là mảng lược đồ") }
            var schemas: [SchemaNode] = []
            for position in list.indices { schemas.append(try sub("prefixItems", String(position))) }
            prefixCount = list.count
            keywords.append(.prefixItems(schemas))
        }
        if object["items"] != nil {
            if case .array = object["items"] { throw fail("items", "items là một lược đồ (mảng lược đồ là prefixItems)") }
            keywords.append(.items(try sub("items"), after: prefixCount))
        }
        if object["contains"] != nil {
            let minimum = try count("minContains") ?? 1
            let maximum = try count("maxContains")
            keywords.append(.contains(try sub("contains"), min: minimum, max: maximum))
        } else {
            _ = try count("minContains")
            _ = try count("maxContains")
        }
        // Objects.
        if let value = try count("maxProperties") { keywords.append(.maxProperties(value)) }
        if let value = try count("minProperties") { keywords.append(.minProperties(value)) }
        var properties: [String: SchemaNode] = [:]
        if let raw = object["properties"] {
            guard case .object(let map) = raw else { throw fail("properties", "properties phải là đối tượng") }
            for name in map.keys.sorted() { properties[name] = try sub("properties", name) }
            // A catalog field whose parent is a sibling: name the sibling by its label in messages.
            for child in properties.values {
                child.keywords = child.keywords.map { keyword in
                    guard case .catalog(let key, let parent?, nil) = keyword else { return keyword }
                    return .catalog(key, parentField: parent, parentLabel: properties[parent]?.label ?? parent)
                }
            }
            keywords.append(.properties(properties))
        }
        if let raw = object["required"] {
            guard case .array(let list) = raw else { throw fail("required", "required phải là mảng tên") }
            var names: [(name: String, label: String?)] = []
            for item in list {
                guard case .string(let name) = item else { throw fail("required", "required phải là mảng tên") }
                names.append((name, properties[name]?.label))
            }
            keywords.append(.required(names))
        }
        if let raw = object["dependentRequired"] {
            guard case .object(let map) = raw else { throw fail("dependentRequired", "dependentRequired phải là đối tượng") }
            var rules: [(name: String, required: [String])] = []
            for (name, list) in map.sorted(by: { $0.key < $1.key }) {
                guard case .array(let items) = list, let names = Optional(items.compactMap(\.stringValue)), names.count == items.count else {
                    throw fail("dependentRequired", "dependentRequired/\(name) phải là mảng tên")
                }
                rules.append((name, names))
            }
            keywords.append(.dependentRequired(rules))
        }
        var patterns: [SchemaPattern] = []
        if let raw = object["patternProperties"] {
            guard case .object(let map) = raw else { throw fail("patternProperties", "patternProperties phải là đối tượng") }
            var entries: [(SchemaPattern, SchemaNode)] = []
            for source in map.keys.sorted() {
                let compiled = try pattern(source, "patternProperties")
                patterns.append(compiled)
                entries.append((compiled, try sub("patternProperties", source)))
            }
            keywords.append(.patternProperties(entries))
        }
        if object["additionalProperties"] != nil {
            keywords.append(.additionalProperties(try sub("additionalProperties"), known: Set(properties.keys), patterns: patterns))
        }
        if object["propertyNames"] != nil { keywords.append(.propertyNames(try sub("propertyNames"))) }
        if let raw = object["dependentSchemas"] {
            guard case .object(let map) = raw else { throw fail("dependentSchemas", "dependentSchemas phải là đối tượng") }
            var entries: [(name: String, schema: SchemaNode)] = []
            for name in map.keys.sorted() { entries.append((name, try sub("dependentSchemas", name))) }
            keywords.append(.dependentSchemas(entries))
        }
        // Applicators.
        for key in ["allOf", "anyOf", "oneOf"] {
            guard let raw = object[key] else { continue }
            guard case .array(let list) = raw, !list.isEmpty else { throw fail(key, "\(key) phải là mảng lược đồ khác rỗng") }
            var schemas: [SchemaNode] = []
            for position in list.indices { schemas.append(try sub(key, String(position))) }
            keywords.append(key == "allOf" ? .allOf(schemas) : key == "anyOf" ? .anyOf(schemas) : .oneOf(schemas))
        }
        if object["not"] != nil { keywords.append(.not(try sub("not"))) }
        if object["if"] != nil {
            keywords.append(.conditional(
                if: try sub("if"),
                then: object["then"] == nil ? nil : try sub("then"),
                else: object["else"] == nil ? nil : try sub("else")
            ))
        } else {
            // Without `if`, `then` and `else` do nothing; their subschemas are still compiled (they may be `$ref` targets).
            if object["then"] != nil { _ = try sub("then") }
            if object["else"] != nil { _ = try sub("else") }
        }
        if let defs = object["$defs"] {
            guard case .object(let map) = defs else { throw fail("$defs", "$defs phải là đối tượng") }
            for name in map.keys.sorted() { _ = try sub("$defs", name) }
        }
        if object["contentSchema"] != nil { _ = try sub("contentSchema") }
        if object["unevaluatedProperties"] != nil {
            unevaluated.append(.unevaluatedProperties(try sub("unevaluatedProperties")))
            usesUnevaluated = true
        }
        if object["unevaluatedItems"] != nil {
            unevaluated.append(.unevaluatedItems(try sub("unevaluatedItems")))
            usesUnevaluated = true
        }
        if platformKeywords {
            try compilePlatformKeywords(object, fail: fail, here: here, keywords: &keywords)
        }
        for key in object.keys.sorted() where !Self.known.contains(key) && (platformKeywords || !key.hasPrefix("x-")) {
            unsupported.append(.init(pointer: here + "/" + JSONPointer.escape(key), keyword: key, message: "Từ khóa “\(key)” không được hỗ trợ."))
        }
        node.keywords = keywords
        node.unevaluated = unevaluated
        return node
    }

    /// `x-catalog`, `x-catalog-parent`, `x-identifier`, `x-file`, `x-min-date`, `x-max-date`.
    mutating func compilePlatformKeywords(
        _ object: [String: JSONValue], fail: (String, String) -> SchemaCompileError, here: String, keywords: inout [Keyword]
    ) throws(SchemaCompileError) {
        if let raw = object["x-catalog"] {
            guard case .string(let key) = raw, !key.isEmpty else { throw fail("x-catalog", "x-catalog là khóa danh mục") }
            var parent: String?
            if let rawParent = object["x-catalog-parent"] {
                guard case .string(let field) = rawParent, !field.isEmpty else { throw fail("x-catalog-parent", "x-catalog-parent là tên trường cùng cấp") }
                parent = field
            }
            keywords.append(.catalog(key, parentField: parent, parentLabel: nil))
            catalogs.append(.init(pointer: here, catalog: key))
        } else if object["x-catalog-parent"] != nil {
            throw fail("x-catalog-parent", "x-catalog-parent chỉ dùng cùng x-catalog")
        }
        if let raw = object["x-identifier"] {
            guard case .string(let text) = raw, let kind = IdentifierKind(rawValue: text) else {
                throw fail("x-identifier", "x-identifier là personal-id, business-code hoặc agency-code")
            }
            keywords.append(.identifier(kind))
        }
        if let raw = object["x-file"] {
            var rule = FileRule(maxSize: nil, mediaTypes: [])
            switch raw {
            case .bool(true): break
            case .object(let options):
                if let size = options["maxSize"] {
                    guard let number = JSONEquality.number(size), JSONEquality.isInteger(size), number > 0 else { throw fail("x-file", "maxSize là số byte dương") }
                    rule.maxSize = Int64(number)
                }
                if let types = options["mediaTypes"] {
                    guard case .array(let list) = types, list.allSatisfy({ $0.stringValue?.contains("/") == true }) else {
                        throw fail("x-file", "mediaTypes là mảng kiểu nội dung (application/pdf, image/*)")
                    }
                    rule.mediaTypes = list.compactMap(\.stringValue)
                }
            default:
                throw fail("x-file", "x-file là true hoặc {maxSize, mediaTypes}")
            }
            keywords.append(.file(rule))
        }
        for (key, latest) in [("x-min-date", false), ("x-max-date", true)] {
            guard let raw = object[key] else { continue }
            guard case .string(let text) = raw, let bound = DateBound(text) else { throw fail(key, "\(key) là today hoặc một ngày YYYY-MM-DD") }
            keywords.append(.dateBound(latest: latest, bound))
        }
    }

    static let known: Set<String> = annotationKeywords.union([
        "$ref", "$dynamicRef", "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
        "exclusiveMinimum", "maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "uniqueItems",
        "prefixItems", "items", "contains", "maxProperties", "minProperties", "properties", "required",
        "dependentRequired", "patternProperties", "additionalProperties", "propertyNames", "dependentSchemas",
        "allOf", "anyOf", "oneOf", "not", "if", "unevaluatedProperties", "unevaluatedItems",
        // Platform keywords and presentation hints (hints never change validity).
        "x-catalog", "x-catalog-parent", "x-identifier", "x-file", "x-min-date", "x-max-date", "x-label", "x-help", "x-order", "x-widget", "x-placeholder",
    ])

    // MARK: Resolving references

    mutating func resolvePending() throws(SchemaCompileError) {
        while let reference = pending.popLast() {
            reference.target = try target(reference)
            if let name = reference.dynamicName, reference.target?.resource.dynamicAnchors[name] !== reference.target {
                // The first target is not a dynamic anchor of that name: $dynamicRef acts as $ref.
                reference.dynamicName = nil
            }
        }
    }

    mutating func target(_ reference: SchemaReference) throws(SchemaCompileError) -> SchemaNode {
        let uri = URIReference(reference.uri)
        let resourceURI = uri.withoutFragment.text
        let fragment = uri.fragment ?? ""
        let notFound = SchemaCompileError(pointer: reference.pointer, message: "không tìm thấy lược đồ “\(reference.uri)”")
        if resourceRoots[resourceURI] == nil {
            guard let document = registry[resourceURI] else { throw notFound }
            _ = try load(document, uri: resourceURI)
        }
        let key: String
        if let tokens = JSONPointer.tokens(fromFragment: fragment) {
            key = "\(resourceURI)#\(Self.pointer(tokens))"
            if index[key] == nil, let root = resourceRoots[resourceURI] {
                // A pointer to a place the scan did not reach (inside an unknown keyword): scan it now.
                let rootTokens = scanned[root]!.tokens
                guard let value = JSONPointer.resolve(rootTokens + tokens, in: documents[root.document]) else { throw notFound }
                let location = Location(document: root.document, pointer: Self.pointer(rootTokens + tokens))
                try scan(value, at: location, tokens: rootTokens + tokens, base: resourceURI, resourceTokens: rootTokens)
                index[key] = location
            }
        } else {
            key = "\(resourceURI)#\(fragment)"
        }
        guard let location = index[key] else { throw notFound }
        return try compile(location)
    }
}
