import Core

/// One compiled subschema. Nodes form a graph (`$ref` may point back up), so they are classes; every
/// field is written while `SchemaCompiler` builds the schema and never after it is returned, which is
/// what makes sharing them between tasks safe.
final class SchemaNode: @unchecked Sendable {
    /// A boolean schema (`true`/`false`); nil for an object schema.
    var always: Bool?
    /// Keywords in the order they are applied; `unevaluated*` are kept apart and applied last, when the
    /// annotations of all the others are known.
    var keywords: [Keyword] = []
    var unevaluated: [Keyword] = []
    /// Where the subschema is, as a JSON Pointer from the root of its document (`#/properties/a`).
    let location: String
    let resource: SchemaResource
    /// `x-label`, else `title`: how messages name the field.
    var label: String?

    init(location: String, resource: SchemaResource) {
        self.location = location
        self.resource = resource
    }
}

/// A schema resource (the document root or a subschema with `$id`): the unit `$dynamicRef` looks up
/// `$dynamicAnchor`s in.
final class SchemaResource: @unchecked Sendable {
    let uri: String
    var dynamicAnchors: [String: SchemaNode] = [:]

    init(uri: String) {
        self.uri = uri
    }
}

/// A `$ref` or `$dynamicRef`, resolved once the whole schema is compiled.
final class SchemaReference: @unchecked Sendable {
    let uri: String
    let pointer: String
    var target: SchemaNode?
    /// For `$dynamicRef` whose first target has a `$dynamicAnchor` of this name: the outermost resource
    /// of the dynamic scope with an anchor of that name wins.
    var dynamicName: String?

    init(uri: String, pointer: String) {
        self.uri = uri
        self.pointer = pointer
    }
}

/// A compiled regular expression (`pattern`, `patternProperties`).
struct SchemaPattern: @unchecked Sendable {
    let source: String
    let regex: Regex<AnyRegexOutput>

    /// ECMA-262 as far as Swift's regexes go: `\d` and `\w` are ASCII only, `.` and character classes
    /// work on Unicode scalars (code points) rather than grapheme clusters.
    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source).asciiOnlyDigits().asciiOnlyWordCharacters().matchingSemantics(.unicodeScalar)
    }

    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}

/// The keywords the validator applies.
enum Keyword {
    case type([JSONType])
    case enumeration([JSONValue])
    case constant(JSONValue)
    case multipleOf(Double)
    case maximum(Double), exclusiveMaximum(Double), minimum(Double), exclusiveMinimum(Double)
    case maxLength(Int), minLength(Int)
    case pattern(SchemaPattern)
    case format(String)
    case maxItems(Int), minItems(Int), uniqueItems
    case maxProperties(Int), minProperties(Int)
    /// Names with the label of their property schema, if any.
    case required([(name: String, label: String?)])
    case dependentRequired([(name: String, required: [String])])
    case properties([String: SchemaNode])
    case patternProperties([(SchemaPattern, SchemaNode)])
    case additionalProperties(SchemaNode, known: Set<String>, patterns: [SchemaPattern])
    case propertyNames(SchemaNode)
    case prefixItems([SchemaNode])
    case items(SchemaNode, after: Int)
    case contains(SchemaNode, min: Int, max: Int?)
    case allOf([SchemaNode]), anyOf([SchemaNode]), oneOf([SchemaNode]), not(SchemaNode)
    case conditional(if: SchemaNode, then: SchemaNode?, else: SchemaNode?)
    case dependentSchemas([(name: String, schema: SchemaNode)])
    case ref(SchemaReference)
    case dynamicRef(SchemaReference)
    case unevaluatedProperties(SchemaNode)
    case unevaluatedItems(SchemaNode)
    // Platform keywords.
    /// `x-catalog` (with `x-catalog-parent`: the sibling field holding the parent code, and its label).
    case catalog(String, parentField: String?, parentLabel: String?)
    /// `x-identifier`: personal-id, business-code or agency-code.
    case identifier(IdentifierKind)
    /// `x-file`: an upload id, with limits.
    case file(FileRule)
    /// `x-min-date` / `x-max-date`: `today` (the submission day in Vietnam) or a fixed `YYYY-MM-DD`.
    case dateBound(latest: Bool, DateBound)
}

enum DateBound: Sendable, Equatable {
    case today
    case day(String)

    init?(_ text: String) {
        if text == "today" {
            self = .today
        } else if FormatCheck.isDate(text) {
            self = .day(text)
        } else {
            return nil
        }
    }

    func resolved(today: String) -> String {
        switch self {
        case .today: return today
        case .day(let day): return day
        }
    }
}

enum IdentifierKind: String, Sendable, CaseIterable {
    case personalID = "personal-id"
    case businessCode = "business-code"
    case agencyCode = "agency-code"
}

/// `x-file`: `true`, or `{"maxSize": bytes, "mediaTypes": ["application/pdf", "image/*"]}`.
struct FileRule: Sendable, Equatable {
    var maxSize: Int64?
    var mediaTypes: [String]

    func accepts(mediaType: String?) -> Bool {
        guard !mediaTypes.isEmpty else { return true }
        guard let mediaType = mediaType?.lowercased().split(separator: ";").first.map(String.init) else { return false }
        return mediaTypes.contains { rule in
            rule.hasSuffix("/*") ? mediaType.hasPrefix(String(rule.dropLast())) : rule.lowercased() == mediaType
        }
    }
}
