import Foundation

/// A label selector as kubectl users write them (`-l team=search,env!=dev`, `tier in (a,b)`,
/// `tier notin (c)`, `canary`, `!canary`); requirements are ANDed, and several `--selector` flags too.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)

        func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .isIn(let k, let vs): return labels[k].map(vs.contains) ?? false
            case .notIn(let k, let vs): return !(labels[k].map(vs.contains) ?? false)
            case .exists(let k): return labels[k] != nil
            case .doesNotExist(let k): return labels[k] == nil
            }
        }
    }

    public var requirements: [Requirement]
    /// As written, for messages.
    public var text: String

    public var isEmpty: Bool { requirements.isEmpty }
    public var description: String { text }

    public init(requirements: [Requirement] = [], text: String = "") {
        self.requirements = requirements
        self.text = text
    }

    public func matches(_ labels: [String: String]) -> Bool { requirements.allSatisfy { $0.matches(labels) } }

    /// Parses one or more selector strings (each a comma-separated list of requirements).
    public static func parse(_ texts: [String]) throws -> LabelSelector {
        var requirements: [Requirement] = []
        for text in texts {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw ScopeError("empty --selector: give requirements such as team=search,env!=dev") }
            for part in try splitTopLevel(trimmed) { requirements.append(try requirement(part)) }
        }
        return LabelSelector(requirements: requirements, text: texts.joined(separator: ","))
    }

    /// Splits on commas outside parentheses.
    static func splitTopLevel(_ text: String) throws -> [String] {
        var parts: [String] = [], current = "", depth = 0
        for ch in text {
            switch ch {
            case "(": depth += 1; current.append(ch)
            case ")":
                depth -= 1
                guard depth >= 0 else { throw ScopeError("selector `\(text)`: `)` without `(`") }
                current.append(ch)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(ch)
            }
        }
        guard depth == 0 else { throw ScopeError("selector `\(text)`: `(` without `)`") }
        parts.append(current)
        return try parts.map { p in
            let t = p.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { throw ScopeError("selector `\(text)` has an empty requirement (two commas?)") }
            return t
        }
    }

    static func requirement(_ text: String) throws -> Requirement {
        func key(_ s: Substring) throws -> String {
            let k = s.trimmingCharacters(in: .whitespaces)
            guard isLabelKey(k) else {
                throw ScopeError("selector `\(text)`: `\(k)` is not a label key (letters, digits, - _ . and one optional prefix/)")
            }
            return k
        }
        func value(_ s: Substring) throws -> String {
            let v = s.trimmingCharacters(in: .whitespaces)
            guard isLabelValue(v) else { throw ScopeError("selector `\(text)`: `\(v)` is not a label value (up to 63 letters, digits, - _ .)") }
            return v
        }
        if let r = text.range(of: "!=") { return .notEquals(try key(text[..<r.lowerBound]), try value(text[r.upperBound...])) }
        if let r = text.range(of: "==") { return .equals(try key(text[..<r.lowerBound]), try value(text[r.upperBound...])) }
        if let r = text.range(of: "=") { return .equals(try key(text[..<r.lowerBound]), try value(text[r.upperBound...])) }
        for (word, notIn) in [(" notin ", true), (" in ", false)] {
            guard let r = text.range(of: word) else { continue }
            let rest = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix("("), rest.hasSuffix(")") else {
                throw ScopeError("selector `\(text)`: write the set in parentheses, e.g. `tier in (a,b)`")
            }
            let values = Set(try rest.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map(value))
            guard !values.isEmpty else { throw ScopeError("selector `\(text)`: empty set") }
            let k = try key(text[..<r.lowerBound])
            return notIn ? .notIn(k, values) : .isIn(k, values)
        }
        if text.hasPrefix("!") { return .doesNotExist(try key(text.dropFirst())) }
        return .exists(try key(text[...]))
    }

    /// kubectl's label key: an optional DNS-subdomain prefix and `/`, then a name of 1 to 63
    /// characters, alphanumeric at both ends, with `-`, `_` and `.` inside.
    public static func isLabelKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, isName(name, max: 63, allowEmpty: false) else { return false }
        if parts.count == 2 {
            let prefix = parts[0]
            guard (1...253).contains(prefix.count),
                prefix.unicodeScalars.allSatisfy({ ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "-" || $0 == "." }),
                prefix.first?.isLetter == true || prefix.first?.isNumber == true
            else { return false }
        }
        return true
    }

    /// kubectl's label value: empty, or 1 to 63 characters, alphanumeric at both ends, `-_.` inside.
    public static func isLabelValue(_ value: String) -> Bool { isName(Substring(value), max: 63, allowEmpty: true) }

    static func isName(_ s: Substring, max: Int, allowEmpty: Bool) -> Bool {
        if s.isEmpty { return allowEmpty }
        guard s.count <= max else { return false }
        let ok = s.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "-_.".unicodeScalars.contains($0) }
        let ends = { (c: Character?) in c.map { $0.isASCII && ($0.isLetter || $0.isNumber) } ?? false }
        return ok && ends(s.first) && ends(s.last)
    }
}
