import Yams

/// A spec file's YAML, composed with every node's mark kept, ready to be read into a `Spec`.
public struct SpecDocument {
    /// The path used in diagnostics.
    public let path: String
    /// The original text.
    public let text: String
    /// The root node, when the text composed.
    public let root: Node?

    /// The largest spec accepted, in bytes. Real specs are a few KB; anything bigger is a mistake.
    public static let maxBytes = 1_048_576
    /// The deepest flow nesting (`[`/`{`) accepted before composing.
    public static let maxFlowDepth = 64
    /// The longest run of indentation and block indicators accepted at a line start.
    public static let maxLinePrefix = 512
    /// The most alias references (`*name`) accepted. Aliases can multiply a document exponentially
    /// (a "billion laughs" bomb): a chain where each level references the previous one k times grows
    /// as k^(n/k), at most 1.45^n for n references, and libyaml's composer (Yams checks mapping keys
    /// for duplicates by hashing them) walks the expansion when an alias is used as a key. 24
    /// references bound that to about 7,000 nodes, and a spec has little use for more.
    public static let maxAliases = 24

    /// Yams's default encoding (`Parser.Encoding.default` reads the environment on every call), read once.
    private static let yamlUTF16 = Yams.Parser.Encoding.default == .utf16

    /// Composes `text`. Never throws: every problem becomes a diagnostic with a location.
    public static func parse(path: String, text: String) -> (SpecDocument, [Diagnostic]) {
        func at(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: path, line: line, column: column) }
        let empty = SpecDocument(path: path, text: text, root: nil)
        if let problem = textProblem(text, path: path) { return (empty, [problem]) }
        do {
            guard let node = try Yams.compose(yaml: text, .default, .default, yamlUTF16 ? .utf16 : .utf8) else {
                return (empty, [.init(.error, code: "empty-file", message: "spec is empty", at: at(1, 1))])
            }
            let document = SpecDocument(path: path, text: text, root: node)
            guard node.mapping != nil else {
                return (
                    document,
                    [
                        .init(
                            .error, code: "not-a-mapping",
                            message: "a spec must be a mapping of keys to values, found \(node.kindName)",
                            at: at(node.mark?.line ?? 1, node.mark?.column ?? 1),
                            hint: "start the file with `version: 1` and `name: ...`")
                    ]
                )
            }
            return (document, [])
        } catch let error as YamlError {
            return (empty, [diagnostic(for: error, path: path, text: text)])
        } catch {
            return (empty, [.init(.error, code: "yaml-syntax", message: "\(error)", at: at(1, 1))])
        }
    }

    /// A file that is too large, not text, empty or nested too deeply to compose, located.
    private static func textProblem(_ text: String, path: String) -> Diagnostic? {
        func at(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: path, line: line, column: column) }
        if text.utf8.count > maxBytes {
            return .init(
                .error, code: "file-too-large",
                message: "spec is \(text.utf8.count) bytes; the limit is \(maxBytes) bytes",
                at: at(1, 1), hint: "a deployment spec is a few kilobytes; is this the right file?")
        }
        if let scalarIndex = text.unicodeScalars.firstIndex(where: { $0 == "\u{0}" || $0 == "\u{FFFD}" }) {
            let prefix = text.unicodeScalars[..<scalarIndex]
            let line = prefix.filter { $0 == "\n" }.count + 1
            let column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
            return .init(
                .error, code: "not-text",
                message: "file is not UTF-8 text (binary or invalid byte at this position)",
                at: at(line, column), hint: "specs are YAML text files")
        }
        if isOnlyComments(text) {
            return .init(
                .error, code: "empty-file", message: "spec is empty", at: at(1, 1),
                hint: "start from `podform init --model ID` or an example in examples/")
        }
        return nestingProblem(text, path: path)
    }

    /// True when every line is blank, a comment, or a document marker (one pass over the UTF-8 bytes).
    private static func isOnlyComments(_ text: String) -> Bool {
        var lineStart = true  // only blanks so far on this line
        var inComment = false
        var marker = 0  // length of a leading "---" / "..." run
        for byte in text.utf8 {
            if byte == 10 || byte == 13 {
                if marker != 0 && marker != 3 { return false }
                lineStart = true; inComment = false; marker = 0
            } else if inComment {
                continue
            } else if byte == 32 || byte == 9 {
                if marker != 0 && marker != 3 { return false }
                if marker == 0 { continue }  // leading blanks
            } else if byte == 35, lineStart || marker == 3 {  // '#'
                inComment = true
            } else if byte == 45 || byte == 46, lineStart, marker < 3 {  // '-' or '.'
                marker += 1
            } else {
                return false
            }
            if marker == 3 { lineStart = false }
        }
        return marker == 0 || marker == 3
    }

    /// Rejects inputs nested deeply enough to exhaust the recursive composer's stack.
    private static func nestingProblem(_ text: String, path: String) -> Diagnostic? {
        var depth = 0, line = 1, column = 0, prefix = 0, aliases = 0
        var quote: Character?
        var inComment = false, atLineStart = true
        var previous: Unicode.Scalar = "\n"
        for ch in text.unicodeScalars {
            defer { previous = ch }
            column += 1
            if ch == "\n" {
                line += 1; column = 0; inComment = false; atLineStart = true; prefix = 0
                continue
            }
            if atLineStart {
                if ch == " " || ch == "-" || ch == "?" || ch == ":" || ch == "\t" {
                    prefix += 1
                    if prefix > maxLinePrefix {
                        return .init(
                            .error, code: "nesting-too-deep",
                            message: "indentation or nesting deeper than \(maxLinePrefix) levels",
                            at: SourceLocation(file: path, line: line, column: column))
                    }
                } else {
                    atLineStart = false
                }
            }
            if inComment { continue }
            if let q = quote {
                if Character(ch) == q { quote = nil }
                continue
            }
            switch ch {
            case "#": inComment = true
            case "\"", "'": quote = Character(ch)
            case "[", "{":
                depth += 1
                if depth > maxFlowDepth {
                    return .init(
                        .error, code: "nesting-too-deep",
                        message: "flow collections nested deeper than \(maxFlowDepth) levels",
                        at: SourceLocation(file: path, line: line, column: column))
                }
            case "]", "}": depth = max(0, depth - 1)
            case "*" where [" ", "[", "{", ",", ":", "-", "\n", "\t"].contains(previous):
                aliases += 1
                if aliases > maxAliases {
                    return .init(
                        .error, code: "alias-limit",
                        message: "more than \(maxAliases) YAML aliases; aliases can expand a document exponentially",
                        at: SourceLocation(file: path, line: line, column: column),
                        hint: "write the values out instead of aliasing them")
                }
            default: break
            }
        }
        return nil
    }

    private static func diagnostic(for error: YamlError, path: String, text: String) -> Diagnostic {
        func loc(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: path, line: max(mark.line, 1), column: max(mark.column, 1))
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let contextText = context.map { " \($0.text)" } ?? ""
            return .init(
                .error, code: "yaml-syntax", message: "YAML syntax error: \(problem)\(contextText)",
                at: loc(mark), hint: problem.contains("tab") ? "indent with spaces, not tabs" : nil)
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? ""
            let second =
                secondOccurrence(of: key, after: context.mark, in: text)
                ?? (context.mark.line, context.mark.column)
            return .init(
                .error, code: "duplicate-key", message: "key `\(key)` appears more than once in this mapping",
                at: SourceLocation(file: path, line: max(second.0, 1), column: max(second.1, 1)),
                hint: "remove one of them; YAML keeps neither silently here")
        case let .reader(problem, offset, _, _):
            let prefix = text.utf8.prefix(offset ?? 0)
            let line = prefix.filter { $0 == 10 }.count + 1
            return .init(
                .error, code: "not-text", message: "unreadable input: \(problem)",
                at: SourceLocation(file: path, line: line, column: 1))
        default:
            return .init(.error, code: "yaml-syntax", message: "YAML error: \(error)", at: SourceLocation(file: path, line: 1, column: 1))
        }
    }

    /// The mark of the repeated key: the next line at the first key's column that starts with `key:`.
    private static func secondOccurrence(of key: String, after first: Mark, in text: String) -> (Int, Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        for index in first.line..<lines.count {
            let scalars = Array(lines[index].unicodeScalars)
            let start = first.column - 1
            guard start >= 0, start < scalars.count else { continue }
            let rest = String(String.UnicodeScalarView(scalars[start...]))
            if rest.hasPrefix("\(key):") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                if scalars[..<start].allSatisfy({ $0 == " " || $0 == "-" }) {
                    return (index + 1, first.column)
                }
            }
        }
        return nil
    }
}

extension Node {
    /// "a mapping", "a list", "a string" ... for messages.
    public var kindName: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s):
            if s.style == .plain && (s.string == "" || s.string == "~" || s.string == "null") {
                return "null"
            }
            if s.style == .plain, Int(s.string) != nil { return "a number" }
            if s.style == .plain, Double(s.string) != nil { return "a number" }
            if s.style == .plain, ["true", "false", "yes", "no"].contains(s.string.lowercased()) { return "a boolean" }
            return "a string `\(s.string.prefix(40))`"
        case .alias: return "an alias"
        }
    }
}
