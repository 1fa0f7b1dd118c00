import Core

/// One failed check: where in the instance (JSON Pointer), which keyword at which schema location, and
/// a Vietnamese message naming the field by its label.
public struct SchemaViolation: Sendable, Equatable, Codable {
    public let pointer: String
    public let keyword: String
    public let schemaLocation: String
    public let message: String
}

/// A compiled schema: validate as many instances as needed, from any number of tasks.
public struct CompiledSchema: Sendable {
    let root: SchemaNode
    let tracksAnnotations: Bool
    /// Keywords and formats the validator does not enforce (publishing refuses them).
    public let unsupported: [SchemaUnsupported]
    /// Fields bound to catalogs.
    public let catalogs: [CatalogUse]

    /// Whether the instance is valid (stops at the first failure).
    public func isValid(_ instance: JSONValue, today: String = FormCalendar.today()) -> Bool {
        var evaluator = SchemaEvaluator(tracksAnnotations: tracksAnnotations, collect: false, today: today)
        return evaluator.evaluate(root, instance, pointer: "", label: nil).valid
    }

    /// Every violation, not only the first. Platform checks that need other services (`x-catalog`,
    /// `x-file`) are not made here: `FormValidator` makes them.
    public func validate(_ instance: JSONValue, today: String = FormCalendar.today()) -> [SchemaViolation] {
        evaluate(instance, today: today).violations
    }

    func evaluate(_ instance: JSONValue, today: String) -> (violations: [SchemaViolation], deferred: [DeferredCheck]) {
        var evaluator = SchemaEvaluator(tracksAnnotations: tracksAnnotations, collect: true, today: today)
        _ = evaluator.evaluate(root, instance, pointer: "", label: nil)
        return (evaluator.violations, evaluator.deferred)
    }
}

/// A check the evaluator leaves to `FormValidator` (it needs the catalogs or the document store).
struct DeferredCheck: Sendable {
    enum Kind: Sendable {
        case catalog(String, parentField: String?, parentLabel: String?)
        case file(FileRule)
    }

    let kind: Kind
    let pointer: String
    let value: String
    let label: String?
}

/// What a subschema evaluated, for `unevaluatedProperties` and `unevaluatedItems`.
struct Evaluated {
    var properties: Set<String> = []
    var allItems = false
    var prefix = 0
    var indices: Set<Int> = []

    mutating func merge(_ other: Evaluated) {
        properties.formUnion(other.properties)
        allItems = allItems || other.allItems
        prefix = max(prefix, other.prefix)
        indices.formUnion(other.indices)
    }

    func covers(_ index: Int) -> Bool {
        allItems || index < prefix || indices.contains(index)
    }
}

/// Applies compiled keywords to an instance.
struct SchemaEvaluator {
    let tracksAnnotations: Bool
    /// false: stop at the first failure (also used for the branches of anyOf, oneOf, not, if, contains).
    var collect: Bool
    var violations: [SchemaViolation] = []
    var deferred: [DeferredCheck] = []
    /// The dynamic scope: resources entered, outermost first.
    var scope: [SchemaResource] = []
    var depth = 0
    /// The day `x-min-date`/`x-max-date: today` mean (YYYY-MM-DD).
    let today: String
    static let maximumDepth = 400

    init(tracksAnnotations: Bool, collect: Bool, today: String) {
        self.tracksAnnotations = tracksAnnotations
        self.collect = collect
        self.today = today
    }

    /// Records a violation when collecting; the message is only built then.
    mutating func fail(_ node: SchemaNode, _ keyword: String, _ pointer: @autoclosure () -> String, _ message: @autoclosure () -> String) {
        guard collect else { return }
        violations.append(SchemaViolation(pointer: pointer(), keyword: keyword, schemaLocation: node.location + "/" + keyword, message: message()))
    }

    /// Evaluates a branch without reporting its failures (anyOf, oneOf, not, if, contains).
    mutating func probe(_ node: SchemaNode, _ value: JSONValue, pointer: String, label: String?) -> (valid: Bool, evaluated: Evaluated) {
        let saved = collect
        collect = false
        defer { collect = saved }
        return evaluate(node, value, pointer: pointer, label: label)
    }

    static func name(_ label: String?) -> String { label ?? "Dữ liệu" }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    mutating func evaluate(_ node: SchemaNode, _ value: JSONValue, pointer: String, label: String?) -> (valid: Bool, evaluated: Evaluated) {
        if let always = node.always {
            if !always { fail(node, "false", pointer, "\(Self.name(label)) không được phép có ở đây.") }
            return (always, Evaluated())
        }
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maximumDepth else {
            fail(node, "$ref", pointer, "Lược đồ tham chiếu vòng lặp không dừng.")
            return (false, Evaluated())
        }
        let entered = scope.last !== node.resource
        if entered { scope.append(node.resource) }
        defer { if entered { scope.removeLast() } }
        let label = node.label ?? label
        var evaluated = Evaluated()
        var valid = true
        for keyword in node.keywords {
            if !apply(keyword, node, value, pointer: pointer, label: label, evaluated: &evaluated) {
                valid = false
                if !collect { return (false, Evaluated()) }
            }
        }
        for keyword in node.unevaluated {
            if !apply(keyword, node, value, pointer: pointer, label: label, evaluated: &evaluated) {
                valid = false
                if !collect { return (false, Evaluated()) }
            }
        }
        return (valid, valid ? evaluated : Evaluated())
    }

    /// The pointer of a field or item, built only when violations are collected (probes never need it).
    func at(_ pointer: String, _ field: String) -> String {
        collect ? JSONPointer.appending(pointer, field) : ""
    }

    func at(_ pointer: String, _ index: Int) -> String {
        collect ? pointer + "/" + String(index) : ""
    }

    func item(_ name: String, _ index: Int) -> String? {
        collect ? "\(name) (mục \(index + 1))" : nil
    }

    /// Applies a subschema to one field of an object and records the field as evaluated when it passes.
    /// A `false` schema (no such field allowed) gets the message people understand.
    mutating func applyToField(
        _ schema: SchemaNode, _ node: SchemaNode, _ keyword: String, _ field: String, _ value: JSONValue, pointer: String, evaluated: inout Evaluated
    ) -> Bool {
        if schema.always == false {
            let location = at(pointer, field)
            fail(node, keyword, location, "Trường “\(field)” không có trong biểu mẫu.")
            return false
        }
        guard child(schema, value, pointer: at(pointer, field), label: field) else { return false }
        if tracksAnnotations { evaluated.properties.insert(field) }
        return true
    }

    mutating func child(_ node: SchemaNode, _ value: JSONValue, pointer: String, label: String?) -> Bool {
        evaluate(node, value, pointer: pointer, label: node.label ?? label).valid
    }

    mutating func apply(_ keyword: Keyword, _ node: SchemaNode, _ value: JSONValue, pointer: String, label: String?, evaluated: inout Evaluated) -> Bool {
        let name = Self.name(label)
        switch keyword {
        case .type(let types):
            if types.contains(where: { $0.matches(value) }) { return true }
            fail(node, "type", pointer, "\(name) phải là \(types.map(\.vietnamese).joined(separator: " hoặc ")).")
            return false
        case .enumeration(let values):
            if values.contains(where: { JSONEquality.equal($0, value) }) { return true }
            fail(node, "enum", pointer, "\(name) không thuộc các giá trị được phép.")
            return false
        case .constant(let expected):
            if JSONEquality.equal(expected, value) { return true }
            fail(node, "const", pointer, "\(name) phải đúng giá trị quy định.")
            return false
        case .multipleOf(let divisor):
            guard let number = JSONEquality.number(value) else { return true }
            let ok: Bool
            if case .integer(let integer) = value, let whole = Int64(exactly: divisor) {
                ok = integer % whole == 0
            } else {
                let quotient = number / divisor
                ok = quotient.isFinite && abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
            }
            if !ok { fail(node, "multipleOf", pointer, "\(name) phải là bội số của \(Self.number(divisor)).") }
            return ok
        case .maximum(let limit):
            guard let number = JSONEquality.number(value), number > limit else { return true }
            fail(node, "maximum", pointer, "\(name) không được lớn hơn \(Self.number(limit)).")
            return false
        case .exclusiveMaximum(let limit):
            guard let number = JSONEquality.number(value), number >= limit else { return true }
            fail(node, "exclusiveMaximum", pointer, "\(name) phải nhỏ hơn \(Self.number(limit)).")
            return false
        case .minimum(let limit):
            guard let number = JSONEquality.number(value), number < limit else { return true }
            fail(node, "minimum", pointer, "\(name) không được nhỏ hơn \(Self.number(limit)).")
            return false
        case .exclusiveMinimum(let limit):
            guard let number = JSONEquality.number(value), number <= limit else { return true }
            fail(node, "exclusiveMinimum", pointer, "\(name) phải lớn hơn \(Self.number(limit)).")
            return false
        case .maxLength(let limit):
            // Code points never outnumber UTF-8 bytes: most strings pass without counting.
            guard case .string(let text) = value, text.utf8.count > limit, text.unicodeScalars.count > limit else { return true }
            fail(node, "maxLength", pointer, "\(name) không được dài quá \(limit) ký tự.")
            return false
        case .minLength(let limit):
            // A code point is at most 4 UTF-8 bytes.
            guard case .string(let text) = value, text.utf8.count < 4 * limit, text.unicodeScalars.count < limit else { return true }
            fail(node, "minLength", pointer, limit == 1 ? "\(name) không được để trống." : "\(name) phải có ít nhất \(limit) ký tự.")
            return false
        case .pattern(let pattern):
            guard case .string(let text) = value, !pattern.matches(text) else { return true }
            fail(node, "pattern", pointer, "\(name) không đúng định dạng.")
            return false
        case .format(let format):
            guard case .string(let text) = value, FormatCheck.check(format, text) == false else { return true }
            let what = ["date": "ngày (YYYY-MM-DD)", "date-time": "thời điểm theo RFC 3339", "email": "địa chỉ thư điện tử", "uri": "địa chỉ URI đầy đủ"][format] ?? format
            fail(node, "format", pointer, "\(name) phải là \(what) hợp lệ.")
            return false
        case .maxItems(let limit):
            guard case .array(let items) = value, items.count > limit else { return true }
            fail(node, "maxItems", pointer, "\(name) có tối đa \(limit) mục.")
            return false
        case .minItems(let limit):
            guard case .array(let items) = value, items.count < limit else { return true }
            fail(node, "minItems", pointer, "\(name) cần ít nhất \(limit) mục.")
            return false
        case .uniqueItems:
            guard case .array(let items) = value else { return true }
            for i in items.indices {
                for j in items.indices where j > i && JSONEquality.equal(items[i], items[j]) {
                    fail(node, "uniqueItems", pointer + "/\(j)", "\(name): mục thứ \(j + 1) trùng với mục thứ \(i + 1).")
                    return false
                }
            }
            return true
        case .maxProperties(let limit):
            guard case .object(let object) = value, object.count > limit else { return true }
            fail(node, "maxProperties", pointer, "\(name) có tối đa \(limit) trường.")
            return false
        case .minProperties(let limit):
            guard case .object(let object) = value, object.count < limit else { return true }
            fail(node, "minProperties", pointer, "\(name) cần ít nhất \(limit) trường.")
            return false
        case .required(let names):
            guard case .object(let object) = value else { return true }
            var ok = true
            for (field, fieldLabel) in names where object[field] == nil {
                ok = false
                fail(node, "required", JSONPointer.appending(pointer, field), "\(fieldLabel ?? field) là bắt buộc.")
                if !collect { break }
            }
            return ok
        case .dependentRequired(let rules):
            guard case .object(let object) = value else { return true }
            var ok = true
            for (trigger, fields) in rules where object[trigger] != nil {
                for field in fields where object[field] == nil {
                    ok = false
                    fail(node, "dependentRequired", JSONPointer.appending(pointer, field), "\(field) là bắt buộc khi có \(trigger).")
                }
            }
            return ok
        case .properties(let schemas):
            guard case .object(let object) = value else { return true }
            var ok = true
            for (field, fieldValue) in object {
                guard let schema = schemas[field] else { continue }
                if !applyToField(schema, node, "properties", field, fieldValue, pointer: pointer, evaluated: &evaluated) {
                    ok = false
                    if !collect { return false }
                }
            }
            return ok
        case .patternProperties(let entries):
            guard case .object(let object) = value else { return true }
            var ok = true
            for (field, fieldValue) in object {
                for (pattern, schema) in entries where pattern.matches(field) {
                    if !applyToField(schema, node, "patternProperties", field, fieldValue, pointer: pointer, evaluated: &evaluated) {
                        ok = false
                        if !collect { return false }
                    }
                }
            }
            return ok
        case .additionalProperties(let schema, let known, let patterns):
            guard case .object(let object) = value else { return true }
            var ok = true
            for (field, fieldValue) in object where !known.contains(field) && !patterns.contains(where: { $0.matches(field) }) {
                if !applyToField(schema, node, "additionalProperties", field, fieldValue, pointer: pointer, evaluated: &evaluated) {
                    ok = false
                    if !collect { return false }
                }
            }
            return ok
        case .propertyNames(let schema):
            guard case .object(let object) = value else { return true }
            var ok = true
            for field in object.keys where !child(schema, .string(field), pointer: at(pointer, field), label: collect ? "Tên trường “\(field)”" : nil) {
                ok = false
                if !collect { return false }
            }
            return ok
        case .prefixItems(let schemas):
            guard case .array(let items) = value else { return true }
            var ok = true
            for (position, schema) in zip(items.indices, schemas) where !child(schema, items[position], pointer: at(pointer, position), label: item(name, position)) {
                ok = false
                if !collect { return false }
            }
            if tracksAnnotations { evaluated.prefix = max(evaluated.prefix, min(schemas.count, items.count)) }
            return ok
        case .items(let schema, let after):
            guard case .array(let items) = value else { return true }
            var ok = true
            for position in items.indices where position >= after {
                if !child(schema, items[position], pointer: at(pointer, position), label: item(name, position)) {
                    ok = false
                    if !collect { return false }
                }
            }
            if tracksAnnotations { evaluated.allItems = true }
            return ok
        case .contains(let schema, let minimum, let maximum):
            guard case .array(let items) = value else { return true }
            var matched: [Int] = []
            for position in items.indices where probe(schema, items[position], pointer: "", label: label).valid {
                matched.append(position)
            }
            if tracksAnnotations { evaluated.indices.formUnion(matched) }
            if matched.count < minimum {
                fail(node, "contains", pointer, "\(name) cần ít nhất \(minimum) mục phù hợp (có \(matched.count)).")
                return false
            }
            if let maximum, matched.count > maximum {
                fail(node, "maxContains", pointer, "\(name) có tối đa \(maximum) mục phù hợp (có \(matched.count)).")
                return false
            }
            return true
        case .allOf(let schemas):
            var ok = true
            for schema in schemas {
                let result = evaluate(schema, value, pointer: pointer, label: label)
                if result.valid {
                    evaluated.merge(result.evaluated)
                } else {
                    ok = false
                    if !collect { return false }
                }
            }
            return ok
        case .anyOf(let schemas):
            var ok = false
            for schema in schemas {
                let result = probe(schema, value, pointer: pointer, label: label)
                if result.valid {
                    ok = true
                    evaluated.merge(result.evaluated)
                    if !tracksAnnotations { break }
                }
            }
            if !ok { fail(node, "anyOf", pointer, "\(name) không khớp với phương án nào được phép.") }
            return ok
        case .oneOf(let schemas):
            var matches = 0
            var kept = Evaluated()
            for schema in schemas {
                let result = probe(schema, value, pointer: pointer, label: label)
                if result.valid {
                    matches += 1
                    kept = result.evaluated
                }
            }
            if matches == 1 {
                evaluated.merge(kept)
                return true
            }
            fail(node, "oneOf", pointer, matches == 0 ? "\(name) không khớp với phương án nào được phép." : "\(name) khớp với nhiều hơn một phương án (\(matches)).")
            return false
        case .not(let schema):
            if probe(schema, value, pointer: pointer, label: label).valid {
                fail(node, "not", pointer, "\(name) có giá trị không được phép.")
                return false
            }
            return true
        case .conditional(let condition, let then, let otherwise):
            let test = probe(condition, value, pointer: pointer, label: label)
            if test.valid { evaluated.merge(test.evaluated) }
            guard let branch = test.valid ? then : otherwise else { return true }
            let result = evaluate(branch, value, pointer: pointer, label: label)
            if result.valid { evaluated.merge(result.evaluated) }
            return result.valid
        case .dependentSchemas(let entries):
            guard case .object(let object) = value else { return true }
            var ok = true
            for (trigger, schema) in entries where object[trigger] != nil {
                let result = evaluate(schema, value, pointer: pointer, label: label)
                if result.valid {
                    evaluated.merge(result.evaluated)
                } else {
                    ok = false
                    if !collect { return false }
                }
            }
            return ok
        case .ref(let reference):
            let result = evaluate(reference.target!, value, pointer: pointer, label: label)
            if result.valid { evaluated.merge(result.evaluated) }
            return result.valid
        case .dynamicRef(let reference):
            var target = reference.target!
            if let name = reference.dynamicName, let outermost = scope.first(where: { $0.dynamicAnchors[name] != nil }) {
                target = outermost.dynamicAnchors[name]!
            }
            let result = evaluate(target, value, pointer: pointer, label: label)
            if result.valid { evaluated.merge(result.evaluated) }
            return result.valid
        case .catalog(let key, let parentField, let parentLabel):
            if collect, case .string(let code) = value {
                deferred.append(DeferredCheck(kind: .catalog(key, parentField: parentField, parentLabel: parentLabel), pointer: pointer, value: code, label: label))
            }
            return true
        case .file(let rule):
            if collect, case .string(let id) = value {
                deferred.append(DeferredCheck(kind: .file(rule), pointer: pointer, value: id, label: label))
            }
            return true
        case .dateBound(let latest, let bound):
            // Only well-formed dates are compared (format reports the others); ISO dates compare as text.
            guard case .string(let text) = value, FormatCheck.isDate(text) else { return true }
            let limit = bound.resolved(today: today)
            if latest, text > limit {
                fail(node, "x-max-date", pointer, bound == .today ? "\(name) không được sau ngày hiện tại." : "\(name) không được sau ngày \(FormCalendar.display(limit)).")
                return false
            }
            if !latest, text < limit {
                fail(node, "x-min-date", pointer, bound == .today ? "\(name) không được trước ngày hiện tại." : "\(name) không được trước ngày \(FormCalendar.display(limit)).")
                return false
            }
            return true
        case .identifier(let kind):
            guard case .string(let text) = value else { return true }
            let problem: IdentifierError?
            switch kind {
            case .personalID:
                // The year of `today`, not the clock's: one calendar computation per validation, not per field.
                let year = Int(today.prefix(4)) ?? PersonalID.currentYear()
                if case .failure(let error) = PersonalID.validate(text, currentYear: year) { problem = error } else { problem = nil }
            case .businessCode: if case .failure(let error) = TaxCode.validate(text) { problem = error } else { problem = nil }
            case .agencyCode: if case .failure(let error) = AgencyCode.validate(text) { problem = error } else { problem = nil }
            }
            guard let problem else { return true }
            fail(node, "x-identifier", pointer, label.map { "\($0): \(problem.message)" } ?? problem.message)
            return false
        case .unevaluatedProperties(let schema):
            guard case .object(let object) = value else { return true }
            var ok = true
            for (field, fieldValue) in object where !evaluated.properties.contains(field) {
                if !applyToField(schema, node, "unevaluatedProperties", field, fieldValue, pointer: pointer, evaluated: &evaluated) {
                    ok = false
                    if !collect { return false }
                }
            }
            return ok
        case .unevaluatedItems(let schema):
            guard case .array(let items) = value else { return true }
            var ok = true
            for position in items.indices where !evaluated.covers(position) {
                if !child(schema, items[position], pointer: at(pointer, position), label: item(name, position)) {
                    ok = false
                    if !collect { return false }
                }
            }
            evaluated.allItems = true
            return ok
        }
    }
}
