import Foundation

/// Validates JSON values against the schemas of an OpenAPI 3.1 document (the subset RunPod's
/// `openapi-v2.json` uses: $ref, type (incl. type arrays), enum, const, required, properties,
/// additionalProperties, items, min/max, minLength, minItems/maxItems, allOf, oneOf, anyOf).
public struct OpenAPIValidator: @unchecked Sendable {
    private nonisolated(unsafe) let schemas: [String: Any]
    private nonisolated(unsafe) let raw: [String: Any]

    public init(document data: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let components = root["components"] as? [String: Any],
            let schemas = components["schemas"] as? [String: Any]
        else {
            throw URLError(.cannotParseResponse)
        }
        self.schemas = schemas
        self.raw = root
    }

    /// The bundled copy of RunPod's REST v2 OpenAPI document.
    public static func bundled() throws -> OpenAPIValidator {
        guard let url = Bundle.module.url(forResource: "openapi-v2", withExtension: "json") else { throw URLError(.fileDoesNotExist) }
        return try OpenAPIValidator(document: Data(contentsOf: url))
    }

    /// Problems with `value` against `components.schemas[name]`, each "path: message" (empty when valid).
    public func validate(_ value: Any, schema name: String) -> [String] {
        guard let schema = schemas[name] else { return ["unknown schema \(name)"] }
        var errors: [String] = []
        check(value, schema, path: "", errors: &errors, depth: 0)
        return errors
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        if let ref = schema["$ref"] as? String, ref.hasPrefix("#/components/schemas/"),
            let target = schemas[String(ref.dropFirst("#/components/schemas/".count))] as? [String: Any]
        {
            var merged = target
            for (k, v) in schema where k != "$ref" { merged[k] = v }
            return resolve(merged)
        }
        return schema
    }

    private func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return "boolean" }  // JSONSerialization's booleans
            return n.doubleValue == n.doubleValue.rounded() ? "integer" : "number"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "unknown"
        }
    }

    private func check(_ value: Any, _ raw: Any, path: String, errors: inout [String], depth: Int) {
        guard depth < 64, let s0 = raw as? [String: Any] else { return }
        let s = resolve(s0)
        let at = path.isEmpty ? "(body)" : path
        checkComposition(value, s, path: path, errors: &errors, depth: depth)
        let actual = typeName(value)
        if let type = s["type"] {
            let allowed = (type as? [String]) ?? [(type as? String) ?? ""]
            let ok = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
            if !ok { errors.append("\(at): expected \(allowed.joined(separator: " or ")), found \(actual)"); return }
        }
        checkValue(value, s, actual: actual, at: at, errors: &errors)
        if let items = value as? [Any] {
            if let min = s["minItems"] as? Int, items.count < min { errors.append("\(at): needs at least \(min) items") }
            if let max = s["maxItems"] as? Int, items.count > max { errors.append("\(at): at most \(max) items") }
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() { check(item, itemSchema, path: "\(path)[\(i)]", errors: &errors, depth: depth + 1) }
            }
        }
        if let object = value as? [String: Any] {
            checkObject(object, s, path: path, errors: &errors, depth: depth)
        }
    }

    /// `allOf`, `oneOf` and `anyOf`.
    private func checkComposition(_ value: Any, _ s: [String: Any], path: String, errors: inout [String], depth: Int) {
        let at = path.isEmpty ? "(body)" : path
        if let all = s["allOf"] as? [Any] {
            for sub in all { check(value, sub, path: path, errors: &errors, depth: depth + 1) }
        }
        if let one = s["oneOf"] as? [Any] {
            let matches = one.filter { sub in
                var e: [String] = []; check(value, sub, path: path, errors: &e, depth: depth + 1); return e.isEmpty
            }
            if matches.count != 1 {
                var first: [String] = []
                if let sub = one.first { check(value, sub, path: path, errors: &first, depth: depth + 1) }
                errors.append("\(at): matches \(matches.count) of the \(one.count) allowed shapes" + (first.first.map { " (e.g. \($0))" } ?? ""))
            }
        }
        if let any = s["anyOf"] as? [Any] {
            let ok = any.contains { sub in
                var e: [String] = []; check(value, sub, path: path, errors: &e, depth: depth + 1); return e.isEmpty
            }
            if !ok { errors.append("\(at): matches none of the allowed shapes") }
        }
    }

    /// `enum`, `const`, and the bounds of numbers and strings.
    private func checkValue(_ value: Any, _ s: [String: Any], actual: String, at: String, errors: inout [String]) {
        if let options = s["enum"] as? [Any] {
            let text = "\(value)"
            if !options.contains(where: { "\($0)" == text }) {
                errors.append("\(at): `\(text)` is not one of \(options.map { "\($0)" }.joined(separator: ", "))")
            }
        }
        if let constant = s["const"], "\(constant)" != "\(value)" { errors.append("\(at): must be \(constant)") }
        if let n = value as? NSNumber, actual == "integer" || actual == "number" {
            if let min = s["minimum"] as? Double, n.doubleValue < min { errors.append("\(at): \(n) is below the minimum \(min)") }
            if let max = s["maximum"] as? Double, n.doubleValue > max { errors.append("\(at): \(n) is above the maximum \(max)") }
            if let min = s["exclusiveMinimum"] as? Double, n.doubleValue <= min { errors.append("\(at): must be above \(min)") }
        }
        if let text = value as? String {
            if let min = s["minLength"] as? Int, text.count < min { errors.append("\(at): shorter than \(min)") }
            if let max = s["maxLength"] as? Int, text.count > max { errors.append("\(at): longer than \(max)") }
        }
    }

    /// `required`, `properties` and `additionalProperties`.
    private func checkObject(_ object: [String: Any], _ s: [String: Any], path: String, errors: inout [String], depth: Int) {
        unevaluated(object, s, path: path, errors: &errors)
        let properties = s["properties"] as? [String: Any] ?? [:]
        for key in (s["required"] as? [String]) ?? [] where object[key] == nil {
            errors.append("\(path.isEmpty ? key : "\(path).\(key)"): required")
        }
        for (key, v) in object.sorted(by: { $0.key < $1.key }) {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let propertySchema = properties[key] {
                check(v, propertySchema, path: childPath, errors: &errors, depth: depth + 1)
            } else if let additional = s["additionalProperties"] {
                if let allowed = additional as? Bool, !allowed, !hasAllOf(s) {
                    errors.append("\(childPath): unknown field")
                } else if additional is [String: Any] {
                    check(v, additional, path: childPath, errors: &errors, depth: depth + 1)
                }
            }
        }
    }

    private func hasAllOf(_ s: [String: Any]) -> Bool { s["allOf"] != nil }

    /// `unevaluatedProperties: false`: a key no subschema of `allOf` (nor the schema itself) names.
    private func unevaluated(_ object: [String: Any], _ s: [String: Any], path: String, errors: inout [String]) {
        guard let flag = s["unevaluatedProperties"] as? Bool, !flag else { return }
        var known = Set((s["properties"] as? [String: Any] ?? [:]).keys)
        func collect(_ raw: Any, depth: Int) {
            guard depth < 16, let sub = raw as? [String: Any] else { return }
            let r = resolve(sub)
            known.formUnion((r["properties"] as? [String: Any] ?? [:]).keys)
            for inner in (r["allOf"] as? [Any]) ?? [] { collect(inner, depth: depth + 1) }
        }
        for sub in (s["allOf"] as? [Any]) ?? [] { collect(sub, depth: 0) }
        for key in object.keys.sorted() where !known.contains(key) {
            errors.append("\(path.isEmpty ? key : "\(path).\(key)"): unknown field")
        }
    }

    /// Every example response body of the document: (method, path, status, schema name, example value).
    public func responseExamples() -> [(method: String, path: String, status: String, schema: String, value: Any)] {
        var out: [(String, String, String, String, Any)] = []
        guard let paths = raw["paths"] as? [String: Any] else { return [] }
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard let operations = item as? [String: Any] else { continue }
            for (method, op) in operations.sorted(by: { $0.key < $1.key }) {
                guard let responses = (op as? [String: Any])?["responses"] as? [String: Any] else { continue }
                for (status, response) in responses.sorted(by: { $0.key < $1.key }) {
                    guard let json = ((response as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any],
                        let ref = (json["schema"] as? [String: Any])?["$ref"] as? String
                    else { continue }
                    for (_, example) in (json["examples"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                        if let value = (example as? [String: Any])?["value"] {
                            out.append((method.uppercased(), path, status, String(ref.split(separator: "/").last ?? ""), value))
                        }
                    }
                }
            }
        }
        return out
    }
}
