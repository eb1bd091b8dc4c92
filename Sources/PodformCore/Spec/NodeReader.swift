import Yams

/// Reads located YAML nodes into typed values, collecting a diagnostic for every problem.
///
/// Every value read records the location of its key path in `locations`, so that rules run
/// after parsing can still point at the exact line and column.
final class NodeReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var locations: [String: SourceLocation] = [:]

    init(file: String) { self.file = file }

    func location(of node: Node, _ keyPath: String) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, keyPath: keyPath)
    }

    func report(
        _ severity: Severity, _ code: String, _ message: String, at node: Node, _ keyPath: String,
        hint: String? = nil
    ) {
        diagnostics.append(Diagnostic(severity, code: code, message: message, at: location(of: node, keyPath), hint: hint))
    }

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    func record(_ keyPath: String, _ node: Node) { locations[keyPath] = location(of: node, keyPath) }

    /// A mapping's entries, keyed by their string keys; reports unknown keys against `allowed`.
    func entries(_ node: Node, _ keyPath: String, allowed: [String]) -> [String: (key: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            report(.error, "type-mismatch", "`\(keyPath)` must be a mapping, found \(node.kindName)", at: node, keyPath)
            return nil
        }
        record(keyPath, node)
        var result: [String: (key: Node, value: Node)] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(.error, "type-mismatch", "keys must be plain strings", at: keyNode, keyPath)
                continue
            }
            let key = scalar.string
            let childPath = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            if !allowed.isEmpty, !allowed.contains(key) {
                let where_ = keyPath.isEmpty ? "at the top level" : "in `\(keyPath)`"
                report(
                    .error, "unknown-key", "unknown key `\(key)` \(where_)", at: keyNode, childPath,
                    hint: Suggest.didYouMean(key, in: allowed) ?? "allowed keys: \(allowed.joined(separator: ", "))")
                continue
            }
            result[key] = (keyNode, valueNode)
            record(childPath, valueNode)
        }
        return result
    }

    /// Reports a missing required key at the mapping that lacks it.
    func require(
        _ key: String, in entries: [String: (key: Node, value: Node)], mapping: Node, _ keyPath: String,
        hint: String? = nil
    ) -> Node? {
        if let entry = entries[key] { return entry.value }
        let full = keyPath.isEmpty ? key : "\(keyPath).\(key)"
        report(.error, "missing-required", "required key `\(full)` is missing", at: mapping, full, hint: hint)
        return nil
    }

    // MARK: Scalars

    private func scalar(_ node: Node, _ keyPath: String, expected: String) -> Node.Scalar? {
        guard case .scalar(let s) = node, !isNull(node) else {
            report(.error, "type-mismatch", "`\(keyPath)` must be \(expected), found \(node.kindName)", at: node, keyPath)
            return nil
        }
        return s
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let s) = node else { return false }
        return s.style == .plain && (s.string.isEmpty || s.string == "~" || s.string == "null" || s.string == "Null" || s.string == "NULL")
    }

    func string(_ node: Node, _ keyPath: String) -> String? {
        scalar(node, keyPath, expected: "a string")?.string
    }

    func bool(_ node: Node, _ keyPath: String) -> Bool? {
        guard let s = scalar(node, keyPath, expected: "`true` or `false`") else { return nil }
        switch s.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            report(.error, "type-mismatch", "`\(keyPath)` must be `true` or `false`, found \(node.kindName)", at: node, keyPath)
            return nil
        }
    }

    func int(_ node: Node, _ keyPath: String, range: ClosedRange<Int>) -> Int? {
        guard let s = scalar(node, keyPath, expected: "a whole number") else { return nil }
        guard s.style == .plain, let value = Int(s.string.replacingOccurrences(of: "_", with: "")) else {
            report(.error, "type-mismatch", "`\(keyPath)` must be a whole number, found \(node.kindName)", at: node, keyPath)
            return nil
        }
        return inRange(value, range, node, keyPath)
    }

    func double(_ node: Node, _ keyPath: String, range: ClosedRange<Double>) -> Double? {
        guard let s = scalar(node, keyPath, expected: "a number") else { return nil }
        guard s.style == .plain, let value = Double(s.string.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            report(.error, "type-mismatch", "`\(keyPath)` must be a number, found \(node.kindName)", at: node, keyPath)
            return nil
        }
        return inRange(value, range, node, keyPath)
    }

    func inRange<T: Comparable>(_ value: T, _ range: ClosedRange<T>, _ node: Node, _ keyPath: String) -> T? {
        guard range.contains(value) else {
            report(
                .error, "out-of-range", "`\(keyPath)` is \(value); it must be between \(range.lowerBound) and \(range.upperBound)",
                at: node, keyPath)
            return nil
        }
        return value
    }

    func enumeration<E: RawRepresentable & CaseIterable>(
        _ node: Node, _ keyPath: String, _ type: E.Type,
        code: String = "invalid-value"
    ) -> E? where E.RawValue == String {
        guard let text = string(node, keyPath) else { return nil }
        if let value = E(rawValue: text) ?? E(rawValue: text.lowercased()) { return value }
        let allowed = E.allCases.map(\.rawValue)
        report(
            .error, code, "`\(keyPath)` is `\(text)`; expected one of \(allowed.joined(separator: ", "))", at: node, keyPath,
            hint: Suggest.didYouMean(text, in: allowed))
        return nil
    }

    /// A value with a unit, parsed by `parse`; plain numbers are passed through `bare` when given.
    func unit<T>(
        _ node: Node, _ keyPath: String, what: String, example: String, parse: (String) -> T?,
        bare: ((Double) -> T?)? = nil
    ) -> T? {
        guard let s = scalar(node, keyPath, expected: what) else { return nil }
        if let value = parse(s.string) { return value }
        if s.style == .plain, let number = Double(s.string), let bare, let value = bare(number) { return value }
        let missingUnit = Double(s.string) != nil
        report(
            .error, "bad-unit",
            missingUnit ? "`\(keyPath)` needs a unit: `\(s.string)` is ambiguous" : "`\(keyPath)` is `\(s.string)`, which is not \(what)",
            at: node, keyPath, hint: "write it like `\(example)`")
        return nil
    }

    func stringList(_ node: Node, _ keyPath: String) -> [String]? {
        guard case .sequence(let sequence) = node else {
            report(.error, "type-mismatch", "`\(keyPath)` must be a list, found \(node.kindName)", at: node, keyPath)
            return nil
        }
        var result: [String] = []
        for (index, item) in sequence.enumerated() {
            let itemPath = "\(keyPath)[\(index)]"
            record(itemPath, item)
            if let value = string(item, itemPath) { result.append(value) }
        }
        return result
    }

    func stringMap(_ node: Node, _ keyPath: String) -> [String: String]? {
        guard let entries = entries(node, keyPath, allowed: []) else { return nil }
        var result: [String: String] = [:]
        for (key, entry) in entries {
            if let value = string(entry.value, "\(keyPath).\(key)") { result[key] = value }
        }
        return result
    }
}
